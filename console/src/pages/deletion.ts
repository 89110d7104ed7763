// The "Delete app" part of an app's settings: says beforehand whether deleting is immediate (a
// young or unused app) or scheduled a month out with the keys locked; cancels a scheduled one.
import { api, describe } from '../api';
import { busy, h, replace, status } from '../dom';
import { when } from '../format';
import { go } from '../router';
import { currentAdmin } from '../session';
import { forgetApp, loadApps, setFlash } from '../state';
import { confirmed, failed } from './common';

export function deletionSection(appId: string): HTMLElement {
  const body = h('div', null, h('p', null, 'Loading…'));
  const note = status();
  const section = h('section', { class: 'card danger-zone', 'aria-label': 'Delete app' }, h('h2', null, 'Delete app'), body, note);

  async function draw(): Promise<void> {
    try {
      const [apps, now] = await Promise.all([loadApps(true), api.canDeleteNow(appId)]);
      const deleteAt = apps.find((a) => a.appId === appId)?.deleteAt ?? null;
      if (deleteAt) replace(body, scheduled(deleteAt));
      else replace(body, ready(now));
    } catch (error) {
      failed(body, error);
    }
  }

  /** No deletion pending: what deleting would do, and the button. */
  function ready(now: boolean): HTMLElement[] {
    const button = h('button', { type: 'button', class: 'danger' }, 'Delete app');
    button.addEventListener('click', () =>
      busy(button, async () => {
        note.clear();
        try {
          // Ask again: a user may have registered since the page was drawn.
          const immediate = await api.canDeleteNow(appId);
          const question = immediate
            ? `Delete ${appId} now? Its API keys, users, passkeys and settings are removed at once, for good.`
            : `Schedule ${appId} for deletion in a month? Its API keys are locked right away, so sign-ins on your site stop; you can cancel until then.`;
          if (!confirmed(question)) return;
          const marked = await api.markDelete(appId, currentAdmin()?.email ?? '');
          if (marked.isDeleted) {
            forgetApp(appId);
            setFlash(`The app ${appId} was deleted.`);
            go({ page: 'apps' });
            return;
          }
          await draw();
          note.show('ok', marked.message);
        } catch (error) {
          note.show('error', describe(error));
        }
      }));
    return [
      h('p', null, now
        ? 'This app can be deleted at once (it is less than 3 days old, or no user has a passkey in it): its API keys, users, passkeys and settings are removed for good.'
        : 'This app is older than 3 days and has users, so deleting it is scheduled a month out: its API keys are locked at once and it can be cancelled until then.'),
      button,
    ];
  }

  /** A deletion pending: when, and Cancel deletion. */
  function scheduled(deleteAt: string): HTMLElement[] {
    const button = h('button', { type: 'button' }, 'Cancel deletion');
    button.addEventListener('click', () =>
      busy(button, async () => {
        note.clear();
        try {
          await api.cancelDelete(appId);
          await draw();
          note.show('ok', 'Deletion cancelled: the app’s API keys are unlocked.');
        } catch (error) {
          note.show('error', describe(error));
        }
      }));
    return [
      h('div', { class: 'status warn', role: 'note', 'data-testid': 'deletion-scheduled' },
        `Deletion scheduled for ${when(deleteAt)}; the app's API keys are locked until then.`),
      button,
    ];
  }

  void draw();
  return section;
}
