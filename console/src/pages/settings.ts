// The settings page (#/apps/<appId>/settings): the app's toggles, event retention and mail
// quota, deleting the app, then the organization's admins.
import { api, describe } from '../api';
import { busy, h, replace, status } from '../dom';
import type { Settings } from '../types';
import { failed, heading } from './common';
import { deletionSection } from './deletion';
import { orgSection } from './org';

export async function settingsPage(main: HTMLElement, appId: string): Promise<void> {
  const form = h('div', null, h('p', null, 'Loading…'));
  replace(main, heading(`Settings of ${appId}`), form, deletionSection(appId), orgSection());
  try {
    replace(form, settingsForm(appId, await api.settings(appId)));
  } catch (error) {
    failed(form, error);
  }
}

function settingsForm(appId: string, settings: Settings): HTMLElement {
  const note = status();
  const token = h('input', { type: 'checkbox', id: 'signin-token', checked: settings.isGenerateSignInTokenEndpointEnabled });
  const magic = h('input', { type: 'checkbox', id: 'magic-links', checked: settings.isMagicLinksEnabled });
  const retention = h('input', { type: 'number', id: 'retention', min: 0, max: 365, step: 1, required: true, value: String(settings.eventLoggingRetentionPeriod) });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save settings');
  const form = h('form', { class: 'card' },
    h('h2', null, 'App settings'),
    h('div', { class: 'setting' },
      h('label', { class: 'check', for: 'signin-token' }, token, ' Sign-in token endpoint'),
      h('p', { class: 'hint' }, 'Lets your server create sign-in tokens for a user without a passkey ceremony (POST /signin/generate-token).')),
    h('div', { class: 'setting' },
      h('label', { class: 'check', for: 'magic-links' }, magic, ' Magic links'),
      h('p', { class: 'hint' }, 'Lets your server email users one-time sign-in links (POST /magic-links/send).')),
    h('div', { class: 'setting' },
      h('label', { for: 'retention' }, 'Event log retention (days, 0–365)'),
      retention),
    h('div', { class: 'setting' },
      h('span', { class: 'label' }, 'Magic link emails per month'),
      h('p', { 'data-testid': 'quota' }, String(settings.magicLinkEmailMonthlyQuota))),
    save,
    note);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(save, async () => {
      try {
        const saved = await api.saveSettings(appId, {
          isGenerateSignInTokenEndpointEnabled: token.checked,
          isMagicLinksEnabled: magic.checked,
          eventLoggingRetentionPeriod: Number(retention.value),
        });
        token.checked = saved.isGenerateSignInTokenEndpointEnabled;
        magic.checked = saved.isMagicLinksEnabled;
        retention.value = String(saved.eventLoggingRetentionPeriod);
        note.show('ok', 'Settings saved.');
      } catch (error) {
        note.show('error', describe(error));
      }
    });
  });
  return form;
}
