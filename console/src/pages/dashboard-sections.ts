// The Dashboard's sections after usage over time: authentication time, usage by platform,
// incomplete and failed ceremonies, geography (map and tables), and what Passkey Flex lacks —
// authenticator providers, synced vs device-bound passkeys, and sign-in purposes.
import { describe } from '../api';
import { h, replace, type Child } from '../dom';
import { count, day, plural } from '../format';
import type { Dashboard, Platform } from '../types';
import { COLORS, Charts, canvas, countChart, dataTable, figure, legend, series, type Marker } from './dashboard-charts';
import { REGIONS, countryName, shade, worldMap } from './dashboard-map';

const section = (id: string, title: string, ...children: Child[]) =>
  h('section', { class: 'card', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);

const seconds = (v: number | null) =>
  v === null ? '—' : `${v.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;

/** Passkey authentication time: 1-second bars (the last is 20+ s) with the median, average and password lines. */
export function timeCard(d: Dashboard, charts: Charts): HTMLElement {
  const t = d.authenticationTime;
  const last = t.buckets.length - 1;
  const labels = t.buckets.map((_, i) => (i === last ? `${i}+` : String(i)));
  const markers: Marker[] = [];
  if (t.medianSeconds !== null) markers.push({ label: 'Median', seconds: t.medianSeconds, color: COLORS.median });
  if (t.averageSeconds !== null) markers.push({ label: 'Average', seconds: t.averageSeconds, color: COLORS.average, dash: [6, 4] });
  markers.push({ label: 'Average password sign-in', seconds: t.passwordAverageSeconds, color: COLORS.password, dash: [2, 3] });
  const config = countChart('bar', labels, [series('bar', 'Ceremonies', t.buckets, COLORS.accent)], { markers, xTitle: 'Seconds' });
  const summary = `Completed ceremonies by duration in 1-second bars: ${count(t.count)} timed, median ${seconds(t.medianSeconds)}, average ${seconds(t.averageSeconds)}; an average password sign-in takes ${seconds(t.passwordAverageSeconds)}.`;
  const chart = canvas(summary, 'time-table');
  void charts.add(chart, config);
  return section('time', 'Passkey authentication time',
    h('p', null, h('strong', { 'data-testid': 'time-count' }, count(t.count)), ` completed ${t.count === 1 ? 'ceremony' : 'ceremonies'} timed`),
    legend([
      { label: ['Median ', h('strong', { 'data-testid': 'time-median' }, seconds(t.medianSeconds))], color: COLORS.median, line: true },
      { label: ['Average ', h('strong', { 'data-testid': 'time-average' }, seconds(t.averageSeconds))], color: COLORS.average, line: true, dashed: true },
      { label: ['Average password sign-in ', h('strong', { 'data-testid': 'time-password' }, seconds(t.passwordAverageSeconds))], color: COLORS.password, line: true, dashed: true },
    ]),
    figure(chart, dataTable('time-table', 'Passkey authentication time', ['Duration', 'Ceremonies'],
      t.buckets.map((n, i) => [i === last ? `${i} s or more` : `${i} to ${i + 1} s`, count(n)]), { hidden: true })),
    h('p', { class: 'hint' }, 'Median and average come from 100 ms steps, not from the bars. The password time is Google’s measured average (May 2023).'));
}

const PLATFORMS: [Platform, string][] = [['ios', 'iOS'], ['android', 'Android'], ['macos', 'macOS'], ['windows', 'Windows'], ['other', 'Other']];

/** Usage by platform: completed ceremonies per operating system bucket (from the browser's User-Agent). */
export function platformCard(d: Dashboard, charts: Charts): HTMLElement {
  const values = PLATFORMS.map(([p]) => d.platforms[p] ?? 0);
  const summary = `Completed ceremonies by platform: ${PLATFORMS.map(([, name], i) => `${name} ${count(values[i])}`).join(', ')}.`;
  const chart = canvas(summary, 'platform-table');
  void charts.add(chart, countChart('bar', PLATFORMS.map(([, name]) => name), [series('bar', 'Ceremonies', values, COLORS.accent)], { horizontal: true }));
  return section('platform', 'Usage by platform',
    figure(chart, dataTable('platform-table', 'Usage by platform', ['Platform', 'Ceremonies'],
      PLATFORMS.map(([, name], i) => [name, count(values[i])]), { hidden: true })),
    h('p', { class: 'hint' }, 'Other: Linux, ChromeOS, FreeBSD and unknown systems. iPads that ask for desktop sites count as macOS.'));
}

/** Incomplete (begun, never completed) and failed (refused) ceremonies per day. */
export function incompleteCard(d: Dashboard, charts: Charts): HTMLElement {
  const incomplete = d.incomplete.map((x) => x.incomplete);
  const failed = d.incomplete.map((x) => x.failed);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const summary = `${plural(sum(incomplete), 'incomplete ceremony', 'incomplete ceremonies')} and ${count(sum(failed))} failed in ${plural(d.incomplete.length, 'day')}.`;
  const chart = canvas(`Incomplete and failed ceremonies per day: ${summary}`, 'incomplete-table');
  void charts.add(chart, countChart('line', d.incomplete.map((x) => day(x.date, true)), [
    series('line', 'Incomplete', incomplete, COLORS.incomplete),
    series('line', 'Failed', failed, COLORS.failed),
  ]));
  return section('incomplete', 'Incomplete passkey events over time',
    h('p', { 'data-testid': 'incomplete-summary' }, summary),
    figure(chart, dataTable('incomplete-table', 'Incomplete passkey events over time', ['Date', 'Incomplete', 'Failed'],
      d.incomplete.map((x) => [day(x.date), count(x.incomplete), count(x.failed)]), { hidden: true }), 'short'),
    h('p', { class: 'hint' }, 'Incomplete: begun but not completed before the session expired (counted a few minutes after it expires). Failed: the passkey was refused at verification.'));
}

/** Usage by geography: the map by UN M49 region, and tables of regions, sub-regions and countries. */
export function geographyCard(d: Dashboard): HTMLElement {
  const regions = new Map(d.regions.map((r) => [r.region, r.count]));
  const countries = new Map(d.countries.map((c) => [c.country.toUpperCase(), c.count]));
  const max = Math.max(0, ...REGIONS.map((r) => regions.get(r) ?? 0));
  const slot = h('div', { class: 'map' }, h('p', { class: 'hint' }, 'Loading the map…'));
  worldMap(regions, countries)
    .then((svg) => replace(slot, svg))
    .catch((error) => replace(slot, h('p', { class: 'status error', role: 'alert' }, describe(error))));
  const none = h('p', { class: 'empty' }, 'No completed ceremonies in this period.');
  return section('geo', 'Usage by geography',
    slot,
    legend(REGIONS.map((r) => ({ label: `${r} ${count(regions.get(r) ?? 0)}`, color: shade(regions.get(r) ?? 0, max) }))),
    h('div', { class: 'three' },
      d.regions.length
        ? dataTable('regions-table', 'Regions', ['Region', 'Ceremonies'], d.regions.map((r) => [r.region, count(r.count)]))
        : none,
      d.subRegions.length
        ? dataTable('subregions-table', 'Sub-regions', ['Sub-region', 'Region', 'Ceremonies'],
            d.subRegions.map((r) => [r.subRegion, r.region, count(r.count)]), { numeric: 1 })
        : null,
      d.countries.length
        ? dataTable('countries-table', 'Countries', ['Country', 'Region', 'Ceremonies'],
            d.countries.map((c) => [c.country ? `${countryName(c.country)} (${c.country})` : countryName(''), c.region, count(c.count)]), { numeric: 1 })
        : null),
    h('p', { class: 'hint' }, 'Regions are UN M49’s; the country comes from your CDN’s geo header (CloudFront-Viewer-Country or CF-IPCountry), unknown without one.'));
}

/** What Passkey Flex lacks: authenticator providers, synced vs device-bound, purposes. */
export function extrasCards(d: Dashboard): HTMLElement[] {
  const { synced, deviceBound } = d.backup;
  const both = synced + deviceBound;
  const share = (n: number) => (both ? `${Math.round((n / both) * 100)}%` : '0%');
  return [
    section('authenticators', 'Authenticator providers',
      d.authenticators.length
        ? dataTable('authenticators-table', 'Authenticator providers', ['Provider', 'AAGUID', 'Ceremonies'],
            d.authenticators.map((a) => [a.name ?? 'Unknown authenticator', h('code', null, a.aaguid), count(a.count)]), { numeric: 1 })
        : h('p', { class: 'empty' }, 'No completed ceremonies in this period.')),
    h('div', { class: 'two' },
      section('backup', 'Synced vs device-bound',
        h('p', null,
          h('strong', { 'data-testid': 'synced' }, count(synced)), ' synced (backed up by the provider), ',
          h('strong', { 'data-testid': 'device-bound' }, count(deviceBound)), ' device-bound'),
        h('div', { class: 'meter', role: 'img', 'aria-label': `Synced ${share(synced)}, device-bound ${share(deviceBound)}` },
          h('span', { style: `width: ${share(synced)}; background: ${COLORS.accent}` }),
          h('span', { style: `width: ${share(deviceBound)}; background: ${COLORS.incomplete}` })),
        legend([{ label: `Synced ${share(synced)}`, color: COLORS.accent }, { label: `Device-bound ${share(deviceBound)}`, color: COLORS.incomplete }])),
      section('purposes', 'Sign-in purposes',
        d.purposes.length
          ? dataTable('purposes-table', 'Sign-in purposes', ['Purpose', 'Sign-ins'], d.purposes.map((p) => [p.purpose, count(p.count)]))
          : h('p', { class: 'empty' }, 'No completed sign-ins in this period.'),
        h('p', { class: 'hint' }, 'Step-ups count under their purpose (Auth configs); plain sign-ins under sign-in.'))),
  ];
}
