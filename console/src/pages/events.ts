// The event log page (#/apps/<appId>/events): the app's events newest first, filtered by type
// (typed, or picked from the types seen so far), "Load more" page by page.
import { api } from '../api';
import { busy, h, replace, stacked } from '../dom';
import { when } from '../format';
import type { AppEvent } from '../types';
import { failed, heading } from './common';

const PAGE_SIZE = 25;

export async function eventsPage(main: HTMLElement, appId: string): Promise<void> {
  const seenTypes = new Set<string>();
  const types = h('datalist', { id: 'event-types' });
  const type = h('input', { id: 'event-type', name: 'type', list: 'event-types', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. AdminApiKeyLocked' });
  const form = h('form', { class: 'row search', role: 'search' },
    h('label', { for: 'event-type', class: 'sr-only' }, 'Event type'),
    type, types,
    h('button', { type: 'submit' }, 'Filter'),
    h('button', { type: 'button', onclick: () => { type.value = ''; void first(); } }, 'Show all'));
  const results = h('div', null, h('p', null, 'Loading…'));
  replace(main, heading(`Event log of ${appId}`),
    h('p', { class: 'hint' }, 'What happened in this app, newest first, within its retention period (Settings): sign-ins, registrations, key and configuration changes, and who made them.'),
    form, results);

  let shown: AppEvent[] = [];
  let filter = '';

  async function first(): Promise<void> {
    filter = type.value.trim();
    shown = [];
    replace(results, h('p', null, 'Loading…'));
    await more(null);
  }

  async function more(cursor: string | null): Promise<void> {
    try {
      const page = await api.events(appId, filter, cursor, PAGE_SIZE);
      shown = shown.concat(page.events);
      for (const e of page.events) seenTypes.add(e.eventType);
      replace(types, [...seenTypes].sort().map((t) => h('option', { value: t })));
      const next = page.nextCursor;
      const load = h('button', { type: 'button' }, 'Load more');
      load.addEventListener('click', () => busy(load, () => more(next)));
      replace(results,
        eventTable(shown, filter),
        h('div', { class: 'row pager' },
          h('span', { class: 'hint', 'data-testid': 'event-count' }, `${shown.length} event${shown.length === 1 ? '' : 's'} shown`),
          next ? load : null));
    } catch (error) {
      failed(results, error);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void first();
  });
  await first();
}

function eventTable(events: AppEvent[], filter: string): HTMLElement {
  if (!events.length) {
    return h('p', { class: 'empty' }, filter ? `No ${filter} events.` : 'No events yet.');
  }
  const severity = (s: string) =>
    h('span', { class: `badge small${s === 'Alert' ? ' alert' : s === 'Warning' ? ' warn' : ' preset'}` }, s);
  return stacked(h('table', { class: 'list events' },
    h('thead', null, h('tr', null,
      h('th', null, 'Time'), h('th', null, 'Type'), h('th', null, 'Message'),
      h('th', null, 'Performed by'), h('th', null, 'Subject'), h('th', null, 'API key'))),
    h('tbody', null, events.map((e) =>
      h('tr', { 'data-type': e.eventType },
        h('td', { class: 'nowrap', title: e.performedAt }, when(e.performedAt, true)),
        h('td', null, h('code', null, e.eventType), h('br'), severity(e.severity)),
        h('td', { class: 'message' }, e.message),
        h('td', null, e.performedBy || '—'),
        h('td', null, e.subject || '—'),
        h('td', null, e.apiKeyId ? h('code', null, e.apiKeyId) : '—'))))));
}
