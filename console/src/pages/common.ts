// Pieces several pages share: the page heading, the "could not load" box, and confirm prompts.
import { ApiError, describe } from '../api';
import { h, replace, type Child } from '../dom';

/** A page's heading (also the tab's title). */
export function heading(text: string, ...extra: Child[]): HTMLElement {
  document.title = `${text} · Ferrokey console`;
  return h('h1', null, text, ...extra);
}

/** Shows why a page could not load (nothing for a 401: that already went to sign-in). */
export function failed(main: HTMLElement, error: unknown, ...more: Child[]): void {
  if (error instanceof ApiError && error.status === 401) return;
  replace(main, h('div', { class: 'status error', role: 'alert' }, describe(error)), ...more);
}

/** A yes/no question before something that cannot be undone. */
export function confirmed(question: string): boolean {
  return window.confirm(question);
}
