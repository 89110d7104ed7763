// The organization's admins (on #/org and under each app's settings): list, invite by email
// (showing the link to send), remove.
import { api, describe } from '../api';
import { busy, copyButton, h, replace, stacked, status } from '../dom';
import { when } from '../format';
import { currentAdmin } from '../session';
import type { OrgAdmin } from '../types';
import { confirmed, failed, heading } from './common';

export function orgPage(main: HTMLElement): void {
  replace(main, heading('Organization'), orgSection());
}

export function orgSection(): HTMLElement {
  const me = currentAdmin();
  const note = status();
  const list = h('div', null, h('p', null, 'Loading…'));
  const section = h('section', { class: 'card' },
    h('h2', null, `Admins of ${me?.org ?? 'your organization'}`),
    h('p', { class: 'hint' }, 'Every admin manages every app of the organization.'),
    list, note, inviteForm(reload));

  async function reload(): Promise<void> {
    try {
      replace(list, adminTable(await api.admins()));
    } catch (error) {
      failed(list, error);
    }
  }

  function adminTable(admins: OrgAdmin[]): HTMLElement {
    return stacked(h('table', { class: 'list' },
      h('thead', null, h('tr', null, h('th', null, 'Email'), h('th', null, 'Admin since'), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', null, admins.map((a) => {
        const remove = h('button', { type: 'button', class: 'small danger' }, 'Remove');
        remove.addEventListener('click', () =>
          busy(remove, async () => {
            const self = a.id === me?.id;
            const question = self
              ? 'Remove yourself from the organization? You are signed out at once.'
              : `Remove ${a.email} from the organization? Their sessions end at once.`;
            if (!confirmed(question)) return;
            try {
              await api.removeAdmin(a.id);
              note.show('ok', `${a.email} was removed.`);
              await reload();
            } catch (error) {
              note.show('error', describe(error));
            }
          }));
        return h('tr', null,
          h('td', null, a.email, a.id === me?.id ? h('span', { class: 'hint' }, ' (you)') : null),
          h('td', null, when(a.createdAt)),
          h('td', { class: 'actions' }, remove));
      }))));
  }

  void reload();
  return section;
}

function inviteForm(reload: () => Promise<void>): HTMLElement {
  const email = h('input', { type: 'email', id: 'invite-email', name: 'email', required: true, placeholder: 'colleague@example.com', autocomplete: 'off' });
  const submit = h('button', { type: 'submit' }, 'Invite');
  const result = h('div');
  const form = h('form', { class: 'invite' },
    h('h3', null, 'Invite an admin'),
    h('label', { for: 'invite-email' }, 'Email'),
    h('div', { class: 'row' }, email, submit),
    result);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(submit, async () => {
      try {
        const invitation = await api.invite(email.value.trim());
        replace(result, h('div', { class: 'status ok', role: 'status' },
          h('p', null, `Send this link to ${email.value.trim()}; it works once, until ${when(invitation.expiresAt)}:`),
          h('code', { class: 'key' }, invitation.inviteUrl), ' ', copyButton(() => invitation.inviteUrl)));
        email.value = '';
        await reload();
      } catch (error) {
        replace(result, h('div', { class: 'status error', role: 'alert' }, describe(error)));
      }
    });
  });
  return form;
}
