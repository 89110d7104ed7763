// The Dashboard's world map: world-atlas' 110m countries (TopoJSON, fetched once as an asset)
// drawn as SVG with d3-geo, each country filled by the count of its UN M49 region. World-atlas
// names countries by ISO 3166-1 numeric code; src/data/countries.ts links those to the API's
// alpha-2 codes and to M49 regions.
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlasUrl from 'world-atlas/countries-110m.json?url';
import { COUNTRIES, type M49Region } from '../data/countries';
import { count, plural } from '../format';

export const REGIONS: M49Region[] = ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania'];
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const HEIGHT = 470;
const NO_DATA = '#e6e8ee';
/** Shapes of world-atlas without an ISO numeric code, by its name. */
const BY_NAME: Record<string, string> = { Kosovo: 'XK', 'N. Cyprus': 'CY', Somaliland: 'SO' };
const ALPHA2_BY_NUMERIC = new Map(Object.entries(COUNTRIES).flatMap(([a2, [num]]) => (num ? [[num, a2] as const] : [])));

let atlas: Promise<Topology> | null = null;

function loadAtlas(): Promise<Topology> {
  atlas ??= fetch(atlasUrl).then((r) => {
    if (!r.ok) throw new Error(`The world map could not be loaded (${r.status}).`);
    return r.json() as Promise<Topology>;
  });
  atlas.catch(() => (atlas = null)); // the next draw tries again
  return atlas;
}

let names: Intl.DisplayNames | null = null;

/** A country's name in the viewer's language ("Sweden" for SE); "Unknown country" for "". */
export function countryName(alpha2: string): string {
  if (!alpha2) return 'Unknown country';
  try {
    names ??= new Intl.DisplayNames(undefined, { type: 'region', fallback: 'code' });
    return names.of(alpha2.toUpperCase()) ?? alpha2;
  } catch {
    return alpha2;
  }
}

/** A blue from light (a small share of the busiest region) to dark (the busiest region). */
export function shade(value: number, max: number): string {
  if (value <= 0 || max <= 0) return NO_DATA;
  const t = 0.25 + 0.75 * (value / max);
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(214, 27)}, ${mix(225, 63)}, ${mix(248, 150)})`;
}

/**
 * The map of completed ceremonies by region (`regionCounts`), each country's own count from
 * `countryCounts` (alpha-2 → count) in its tooltip. Rejects if the atlas cannot be fetched.
 */
export async function worldMap(regionCounts: Map<string, number>, countryCounts: Map<string, number>): Promise<SVGSVGElement> {
  const topology = await loadAtlas();
  const shapes = feature(topology, topology.objects.countries as GeometryCollection<{ name: string }>).features
    .filter((f) => f.id !== '010'); // Antarctica: no M49 region, and a third of the map
  const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], { type: 'FeatureCollection', features: shapes });
  const path = geoPath(projection);
  const max = Math.max(0, ...regionCounts.values());

  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('class', 'world');
  svg.setAttribute('role', 'img');
  svg.setAttribute('data-testid', 'world-map');
  const busy = REGIONS.filter((r) => regionCounts.get(r)).map((r) => `${r} ${count(regionCounts.get(r) ?? 0)}`);
  svg.setAttribute('aria-label', `World map of completed ceremonies by UN M49 region: ${busy.length ? busy.join(', ') : 'none yet'}.`);
  for (const shape of shapes) {
    const alpha2 = (shape.id !== undefined ? ALPHA2_BY_NUMERIC.get(String(shape.id)) : undefined) ?? BY_NAME[shape.properties.name];
    const region = alpha2 ? COUNTRIES[alpha2]?.[1] : undefined;
    const regionCount = region ? regionCounts.get(region) ?? 0 : 0;
    const d = path(shape);
    if (!d) continue;
    const el = document.createElementNS(SVG, 'path');
    el.setAttribute('d', d);
    el.setAttribute('fill', shade(regionCount, max));
    if (alpha2) el.setAttribute('data-country', alpha2);
    if (region) el.setAttribute('data-region', region);
    el.setAttribute('data-count', String(regionCount));
    const title = document.createElementNS(SVG, 'title');
    const name = alpha2 ? countryName(alpha2) : shape.properties.name;
    title.textContent = region
      ? `${name}: ${plural(countryCounts.get(alpha2 ?? '') ?? 0, 'ceremony', 'ceremonies')} · ${region}: ${count(regionCount)}`
      : name;
    el.appendChild(title);
    svg.appendChild(el);
  }
  return svg;
}
