// The authentication configurations page (#/apps/<appId>/auth-configs): per purpose, the user
// verification, hints and verify-token lifetime of a sign-in; create, edit, and delete custom
// ones (the presets sign-in and step-up can be edited, not deleted).
import { api, describe } from '../api';
import { busy, h, replace, stacked, status, type Status } from '../dom';
import { duration, when } from '../format';
import type { AuthConfig } from '../types';
import { configForm } from './authconfig-form';
import { confirmed, failed, heading } from './common';

export const PRESETS = ['sign-in', 'step-up'];

export async function authConfigsPage(main: HTMLElement, appId: string): Promise<void> {
  const note = status();
  const table = h('div', null, h('p', null, 'Loading…'));
  const editor = h('div');
  const create = configForm(appId, null, async (purpose) => {
    await reload();
    note.show('ok', `Configuration ${purpose} created.`);
  });
  replace(main,
    heading(`Authentication configurations of ${appId}`),
    h('p', { class: 'hint' },
      'A sign-in names its purpose; the purpose’s configuration sets how strongly it asks for user verification, ',
      'which kinds of authenticator the browser suggests (hints), and how long its verify token lives. ',
      'The presets sign-in and step-up always exist: they can be edited but not deleted.'),
    note, table, editor, create);

  async function reload(): Promise<void> {
    try {
      const configs = await api.authConfigs(appId);
      // Presets first, then the custom ones by name.
      configs.sort((a, b) => rank(a) - rank(b) || a.purpose.localeCompare(b.purpose));
      replace(table, configTable(configs));
    } catch (error) {
      failed(table, error);
    }
  }

  function edit(config: AuthConfig): void {
    note.clear();
    const form = configForm(appId, config, async (purpose) => {
      replace(editor);
      await reload();
      note.show('ok', `Configuration ${purpose} saved.`);
    }, () => replace(editor));
    replace(editor, form);
    form.querySelector('select')?.focus();
  }

  function configTable(configs: AuthConfig[]): HTMLElement {
    return stacked(h('table', { class: 'list' },
      h('thead', null, h('tr', null,
        h('th', null, 'Purpose'), h('th', null, 'User verification'), h('th', null, 'Token lifetime'),
        h('th', null, 'Hints'), h('th', null, 'Created'), h('th', null, 'Edited'), h('th', null, 'Last used'),
        h('th', null, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', null, configs.map((c) => configRow(appId, c, note, () => edit(c), reload)))));
  }

  await reload();
}

const rank = (c: AuthConfig) => (PRESETS.includes(c.purpose) ? PRESETS.indexOf(c.purpose) : PRESETS.length);

function configRow(appId: string, c: AuthConfig, note: Status, edit: () => void, reload: () => Promise<void>): HTMLElement {
  const preset = PRESETS.includes(c.purpose);
  const actions: HTMLElement[] = [h('button', { type: 'button', class: 'small', onclick: edit }, 'Edit')];
  if (!preset) {
    const remove = h('button', { type: 'button', class: 'small danger' }, 'Delete');
    remove.addEventListener('click', () =>
      busy(remove, async () => {
        if (!confirmed(`Delete the configuration ${c.purpose}? Sign-ins for this purpose then run under sign-in.`)) return;
        try {
          await api.deleteAuthConfig(appId, c.purpose);
          await reload();
          note.show('ok', `Configuration ${c.purpose} deleted.`);
        } catch (error) {
          note.show('error', describe(error));
        }
      }));
    actions.push(remove);
  }
  const by = (name: string | null, at: string | null) =>
    at ? [when(at), name ? h('span', { class: 'hint' }, ` by ${name}`) : null] : '—';
  return h('tr', { 'data-purpose': c.purpose },
    h('td', null, h('code', null, c.purpose), preset ? [' ', h('span', { class: 'badge preset', title: 'Always exists; cannot be deleted.' }, 'Preset')] : null),
    h('td', null, c.userVerificationRequirement),
    h('td', null, duration(c.timeToLive)),
    h('td', null, c.hints || h('span', { class: 'hint' }, 'none')),
    h('td', null, c.createdOn ? by(c.createdBy, c.createdOn) : h('span', { class: 'hint' }, c.createdBy === 'System' ? 'built in' : '—')),
    h('td', null, by(c.editedBy, c.editedOn)),
    h('td', null, when(c.lastUsedOn)),
    h('td', { class: 'actions' }, actions));
}
