// The Dashboard page (#/apps/<appId>/dashboard): the app's passkey analytics for a period of
// UTC days (the numbers are defined in ANALYTICS.md): users with passkeys, monthly active users,
// success rate and usage over time here; the other sections are in dashboard-sections.ts.
import { api } from '../api';
import { h, replace } from '../dom';
import { count, day, month, plural, when } from '../format';
import { appHref } from '../router';
import type { Dashboard, KindCounts } from '../types';
import { failed, heading } from './common';
import { COLORS, Charts, canvas, countChart, dataTable, figure, series } from './dashboard-charts';
import { extrasCards, geographyCard, incompleteCard, platformCard, timeCard } from './dashboard-sections';

const DAY_MS = 86_400_000;

/** The UTC day `n` days after `date` (YYYY-MM-DD). */
function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

/** A period: the UTC days [from, to) (YYYY-MM-DD), as the API takes them. */
interface Range {
  from: string;
  to: string;
}

export async function dashboardPage(main: HTMLElement, appId: string): Promise<void> {
  const charts = new Charts();
  let gone = false; // left for another page (whose redraw replaced this one)
  window.addEventListener('hashchange', () => {
    gone = true;
    charts.destroy();
  }, { once: true });

  const period = h('select', { id: 'dash-period', name: 'period' },
    h('option', { value: '7' }, 'Last 7 days'),
    h('option', { value: '30' }, 'Last 30 days'),
    h('option', { value: '90' }, 'Last 90 days'),
    h('option', { value: 'custom' }, 'Custom dates'));
  period.value = '30';
  const from = h('input', { type: 'date', id: 'dash-from', name: 'from' });
  const to = h('input', { type: 'date', id: 'dash-to', name: 'to' });
  const custom = h('div', { class: 'custom-range', hidden: true },
    h('div', null, h('label', { for: 'dash-from' }, 'From'), from),
    h('div', null, h('label', { for: 'dash-to' }, 'To (inclusive)'), to),
    h('button', { type: 'submit' }, 'Show'));
  const form = h('form', { class: 'card period-picker', 'aria-label': 'Dashboard period' },
    h('div', null, h('label', { for: 'dash-period' }, 'Period'), period),
    custom);
  const note = h('p', { class: 'hint loading', role: 'status' });
  const results = h('div', { class: 'dash' });
  replace(main,
    heading(`Dashboard of ${appId}`),
    h('p', { class: 'hint' }, 'How this app’s users use passkeys, by UTC day. Counts are of completed ceremonies (registrations and sign-ins) unless named otherwise; users with passkeys are counted now.'),
    form, note, results);

  let shown: Range = lastDays(30);
  let seq = 0;

  function lastDays(n: number): Range {
    const end = addDays(todayUtc(), 1);
    return { from: addDays(end, -n), to: end };
  }

  async function load(range: Range): Promise<void> {
    const mine = ++seq;
    results.setAttribute('aria-busy', 'true');
    note.textContent = 'Loading…';
    try {
      const data = await api.dashboard(appId, range.from, range.to);
      if (mine !== seq || gone) return;
      shown = { from: data.from, to: data.to };
      charts.destroy();
      replace(results, ...render(appId, data, charts));
      charts.start();
    } catch (error) {
      if (mine !== seq || gone) return;
      charts.destroy();
      failed(results, error);
    } finally {
      if (mine === seq) {
        results.removeAttribute('aria-busy');
        note.textContent = '';
      }
    }
  }

  period.addEventListener('change', () => {
    custom.hidden = period.value !== 'custom';
    if (period.value !== 'custom') {
      void load(lastDays(Number(period.value)));
    } else {
      from.value ||= shown.from;
      to.value ||= addDays(shown.to, -1);
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (period.value !== 'custom') return void load(lastDays(Number(period.value)));
    if (!from.value || !to.value) {
      note.textContent = 'Choose a From and a To date.';
      return;
    }
    void load({ from: from.value, to: addDays(to.value, 1) });
  });
  await load(shown);
}

/** Everything shown for one reply of the API. */
function render(appId: string, d: Dashboard, charts: Charts): HTMLElement[] {
  const days = d.usage.days.length;
  const head = h('p', { class: 'period', 'data-testid': 'dash-period' },
    `${day(d.from)} – ${day(addDays(d.to, -1))} (${plural(days, 'day')}, UTC)`,
    h('span', { class: 'hint' }, ` · data as of ${when(d.asOf)}`));
  const nothing = d.begun === 0 && d.completed === 0 && d.failed === 0 && d.incomplete.every((x) => !x.incomplete && !x.failed);
  if (nothing) {
    return [head, tiles(d),
      h('section', { class: 'card' },
        h('p', { class: 'empty', 'data-testid': 'dash-empty' }, 'No ceremonies in this period yet.'),
        h('p', { class: 'hint' }, 'Registrations and sign-ins show here as your users make them: try one on the ',
          h('a', { href: appHref(appId, 'playground') }, 'Playground'), ', or choose a longer period.'))];
  }
  return [head, tiles(d), usageCard(d, charts),
    h('div', { class: 'two' }, timeCard(d, charts), platformCard(d, charts)),
    incompleteCard(d, charts),
    geographyCard(d),
    ...extrasCards(d)];
}

/** A ratio as a percentage, e.g. "80%", "85.7%". */
const percent = (ratio: number) => `${(ratio * 100).toLocaleString(undefined, { maximumFractionDigits: 1 })}%`;

function tile(title: string, id: string, value: string, ...more: (HTMLElement | string | null)[]): HTMLElement {
  return h('section', { class: 'card stat', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    h('p', { class: 'value', 'data-testid': id }, value),
    more);
}

function tiles(d: Dashboard): HTMLElement {
  const latest = d.monthlyActiveUsers.at(-1);
  return h('div', { class: 'stats' },
    tile('Users with passkeys', 'users-with-passkeys', count(d.usersWithPasskeys),
      h('p', { class: 'hint' }, 'Now: users with at least one passkey.')),
    tile('Monthly active users', 'mau', latest ? count(latest.users) : '—',
      h('p', { class: 'hint' }, latest ? `In ${month(latest.month)}: users with a completed registration or sign-in.` : ''),
      // It scrolls past a few months: focusable, so the keyboard can scroll it.
      h('ul', { class: 'months', 'aria-label': 'Monthly active users by month', 'data-testid': 'mau-months', tabindex: 0 },
        d.monthlyActiveUsers.map((m) => h('li', { 'data-month': m.month }, `${month(m.month)}: `, h('strong', null, count(m.users)))))),
    tile('Success rate', 'success-rate', d.successRate === null ? '—' : percent(d.successRate),
      h('p', { class: 'hint' }, d.begun
        ? `${count(d.completed)} completed of ${plural(d.begun, 'ceremony', 'ceremonies')} begun; ${count(d.failed)} failed verification.`
        : 'No ceremony was begun in this period.')));
}

type Kind = keyof KindCounts;
const KIND_NAMES: Record<Kind, string> = { all: 'Registrations and sign-ins', register: 'Registrations', login: 'Sign-ins' };

/** Usage over time: completed ceremonies per day, register and/or login (both = their sum), with the change. */
function usageCard(d: Dashboard, charts: Charts): HTMLElement {
  const days = d.usage.days.length;
  const register = h('input', { type: 'checkbox', id: 'usage-register', checked: true });
  const login = h('input', { type: 'checkbox', id: 'usage-login', checked: true });
  const total = h('span', { class: 'big', 'data-testid': 'usage-total' });
  const what = h('span', { class: 'what' });
  const change = h('span', { class: 'change', 'data-testid': 'usage-change' });
  const values = (r: boolean, l: boolean) => d.usage.days.map((x) => (r ? x.register : 0) + (l ? x.login : 0));
  const chart = canvas('', 'usage-table');
  const drawn = charts.add(chart, countChart('bar', d.usage.days.map((x) => day(x.date, true)),
    [series('bar', KIND_NAMES.all, values(true, true), COLORS.accent)]));

  function update(): void {
    const kind: Kind | null = register.checked && login.checked ? 'all' : register.checked ? 'register' : login.checked ? 'login' : null;
    const n = kind ? d.usage.total[kind] : 0;
    total.textContent = count(n);
    what.textContent = kind ? ` ${KIND_NAMES[kind].toLowerCase()} in this period` : ' — choose register, login or both';
    const pct = kind ? d.usage.changePercent[kind] : null;
    change.className = `change${pct === null ? '' : pct > 0 ? ' up' : pct < 0 ? ' down' : ''}`;
    change.title = pct === null ? `The previous ${plural(days, 'day')} had no events, or the app is younger than the period.` : '';
    change.textContent = !kind ? '' : pct === null
      ? 'Not enough data'
      : `${pct > 0 ? '▲ +' : pct < 0 ? '▼ −' : ''}${Math.abs(pct).toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}% vs the previous ${plural(days, 'day')} (${count(kind ? d.usage.previous[kind] : 0)})`;
    chart.setAttribute('aria-label', `${kind ? KIND_NAMES[kind] : 'Nothing'} per day: ${count(n)} in ${plural(days, 'day')}. The table of every day follows.`);
    void drawn.then((c) => {
      c.data.datasets[0].data = values(register.checked, login.checked);
      c.data.datasets[0].label = kind ? KIND_NAMES[kind] : '';
      c.update();
    });
  }
  register.addEventListener('change', update);
  login.addEventListener('change', update);
  update();

  return h('section', { class: 'card', 'aria-labelledby': 'usage-title' },
    h('div', { class: 'dash-head' },
      h('h2', { id: 'usage-title' }, 'Usage over time'),
      h('fieldset', { class: 'kinds' },
        h('legend', { class: 'sr-only' }, 'Count'),
        h('label', { class: 'check', for: 'usage-register' }, register, 'Register'),
        h('label', { class: 'check', for: 'usage-login' }, login, 'Login'))),
    h('p', { class: 'headline' }, total, what, h('br'), change),
    figure(chart, dataTable('usage-table', 'Usage over time', ['Date', 'Register', 'Login'],
      d.usage.days.map((x) => [day(x.date), count(x.register), count(x.login)]), { hidden: true })));
}
