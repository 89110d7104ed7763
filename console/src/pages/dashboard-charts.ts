// The Dashboard's charts (Chart.js, only the parts it uses) and their text alternatives: each
// chart is a figure with a short summary as its canvas' label and a visually hidden table of
// every number, for screen readers and tests.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type ChartDataset, type Plugin,
} from 'chart.js';
import { h, type Child } from '../dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || 'system-ui, sans-serif';
Chart.defaults.color = '#5d6678';

export const COLORS = {
  accent: '#2454c5',
  failed: '#a3221b',
  incomplete: '#c27c0e',
  median: '#17693a',
  average: '#7a3fc2',
  password: '#a3221b',
};

type Kind = 'bar' | 'line';
/** A chart of counts, as this page draws them. */
export type CountChart = Chart<Kind, number[], string>;
type Config = ChartConfiguration<Kind, number[], string>;

/** The charts of the page, so that a redraw (or leaving the page) can let them go. */
export class Charts {
  private list: CountChart[] = [];
  private pending: (() => void)[] = [];

  /** Draws `config` on `canvas` once `start()` runs (after the canvas is in the page, so it can size itself). */
  add(canvas: HTMLCanvasElement, config: Config): Promise<CountChart> {
    return new Promise((resolve) => this.pending.push(() => {
      const chart = new Chart(canvas, config);
      this.list.push(chart);
      resolve(chart);
    }));
  }

  start(): void {
    const pending = this.pending;
    this.pending = [];
    for (const draw of pending) draw();
  }

  destroy(): void {
    for (const chart of this.list) chart.destroy();
    this.list = [];
    this.pending = [];
  }
}

/** A vertical line across a bar chart at `seconds` (the histogram's median, average, password time). */
export interface Marker {
  label: string;
  seconds: number;
  color: string;
  dash?: number[];
}

/**
 * Draws `markers` over 1-second bars (bar i spans [i, i + 1) s); a time past the last bar
 * ("20+") is drawn in the middle of that bar.
 */
function markerPlugin(markers: Marker[]): Plugin<'bar'> {
  return {
    id: 'markers',
    afterDatasetsDraw(chart) {
      const x = chart.scales.x;
      const bars = chart.data.labels?.length ?? 0;
      if (!x || bars < 2) return;
      const width = x.getPixelForValue(1) - x.getPixelForValue(0);
      const { top, bottom } = chart.chartArea;
      const ctx = chart.ctx;
      for (const m of markers) {
        const at = x.getPixelForValue(0) - width / 2 + Math.min(m.seconds, bars - 0.5) * width;
        ctx.save();
        ctx.strokeStyle = m.color;
        ctx.lineWidth = 2;
        ctx.setLineDash(m.dash ?? []);
        ctx.beginPath();
        ctx.moveTo(at, top);
        ctx.lineTo(at, bottom);
        ctx.stroke();
        ctx.restore();
      }
    },
  };
}

const countAxis = { beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#eceef2' } };

/**
 * A bar or line chart of counts: one label per bar or point, one dataset per series;
 * `horizontal` bars, an `xTitle`, and `markers` (vertical lines) as asked.
 */
export function countChart(
  type: Kind, labels: string[], datasets: ChartDataset<Kind, number[]>[],
  opts: { horizontal?: boolean; xTitle?: string; markers?: Marker[] } = {},
): Config {
  const categories = { grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0 }, title: { display: !!opts.xTitle, text: opts.xTitle ?? '' } };
  return {
    type,
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: opts.horizontal ? 'y' : 'x',
      interaction: { mode: 'index', intersect: false },
      scales: opts.horizontal ? { x: countAxis, y: categories } : { x: categories, y: countAxis },
      plugins: { legend: { display: datasets.length > 1, position: 'bottom' } },
    },
    plugins: opts.markers ? [markerPlugin(opts.markers) as Plugin<Kind>] : [],
  };
}

/** A dataset of bars or of a line in `color`. */
export function series(type: Kind, label: string, data: number[], color: string): ChartDataset<Kind, number[]> {
  return type === 'bar'
    ? { type, label, data, backgroundColor: color, borderRadius: 2, maxBarThickness: 48 }
    : { type, label, data, borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: data.length > 45 ? 0 : 2, tension: 0.2 };
}

/** A canvas labelled with `summary` (its text alternative, with the table `tableId`). */
export function canvas(summary: string, tableId: string): HTMLCanvasElement {
  return h('canvas', { role: 'img', 'aria-label': summary, 'aria-describedby': tableId });
}

/** A chart's frame: the canvas (sized by CSS) and, for screen readers and tests only, its data table. */
export function figure(chart: HTMLCanvasElement, table: HTMLTableElement, size: 'tall' | 'short' = 'tall'): HTMLElement {
  return h('figure', { class: 'chart-figure' }, h('div', { class: `chart ${size}` }, chart), h('div', { class: 'sr-only' }, table));
}

/**
 * A table of `rows` under `headers`, named by `caption`; its last `numeric` columns are counts
 * (right-aligned). `hidden`: a chart's table, with no look of its own (`figure` hides it).
 */
export function dataTable(id: string, caption: string, headers: string[], rows: Child[][], opts: { hidden?: boolean; numeric?: number } = {}): HTMLTableElement {
  const numeric = (i: number) => i >= headers.length - (opts.numeric ?? headers.length - 1);
  return h('table', { id, class: opts.hidden ? null : 'list data' },
    h('caption', { class: opts.hidden ? null : 'sr-only' }, caption),
    h('thead', null, h('tr', null, headers.map((t, i) => h('th', { scope: 'col', class: numeric(i) ? 'num' : null }, t)))),
    h('tbody', null, rows.map((cells) =>
      h('tr', null, cells.map((c, i) => (i ? h('td', { class: numeric(i) ? 'num' : null }, c) : h('th', { scope: 'row' }, c)))))));
}

/** A key of the colours (and line styles) in a chart. */
export function legend(items: { label: Child; color: string; line?: boolean; dashed?: boolean }[]): HTMLElement {
  return h('ul', { class: 'legend' }, items.map((i) =>
    h('li', null,
      h('span', {
        class: `swatch${i.line ? ' line' : ''}${i.dashed ? ' dashed' : ''}`,
        style: i.line ? `border-color: ${i.color}` : `background: ${i.color}`,
        'aria-hidden': 'true',
      }),
      i.label)));
}
