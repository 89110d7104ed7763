// The form that creates an authentication configuration, or edits one (its lifetime, user
// verification and hints), with the server's validation messages next to each field.
import { ApiError, api, describe } from '../api';
import { busy, h, replace } from '../dom';
import type { AuthConfig, AuthConfigInput, UserVerification } from '../types';

/** The choices, and what each means (said in a hint: long option texts are cut off on a phone). */
const UV: [UserVerification, string][] = [
  ['preferred', 'verify the user when the authenticator can'],
  ['required', 'always verify the user (PIN, biometrics)'],
  ['discouraged', 'user presence is enough'],
];

/** The hints the API takes, with the C# names its list gives back. */
const HINTS: { value: string; csharp: string; label: string }[] = [
  { value: 'security-key', csharp: 'SecurityKey', label: 'security-key — a physical security key' },
  { value: 'client-device', csharp: 'ClientDevice', label: 'client-device — this device’s own authenticator' },
  { value: 'hybrid', csharp: 'Hybrid', label: 'hybrid — a phone, by QR code' },
];

/** The API values of a listed configuration's hints ("SecurityKey, Hybrid" → security-key, hybrid). */
export function hintValues(listed: string): string[] {
  const names = listed.split(',').map((n) => n.trim().toLowerCase()).filter(Boolean);
  return HINTS.filter((hint) => names.includes(hint.csharp.toLowerCase())).map((hint) => hint.value);
}

/**
 * A form for a new configuration (`existing` null) or for editing `existing`; `done` runs after
 * the server accepted it (with the purpose), `cancel` (edit only) closes the form.
 */
export function configForm(
  appId: string,
  existing: AuthConfig | null,
  done: (purpose: string) => Promise<void>,
  cancel?: () => void,
): HTMLFormElement {
  const id = (name: string) => `${existing ? 'edit' : 'new'}-${name}`;
  const fieldError = (name: string) => h('p', { class: 'field-error', id: id(`${name}-error`), hidden: true });
  const errors = {
    purpose: fieldError('purpose'),
    userVerificationRequirement: fieldError('uv'),
    timeToLive: fieldError('ttl'),
    hints: fieldError('hints'),
  };
  const general = h('div');

  const purpose = h('input', {
    id: id('purpose'), name: 'purpose', autocomplete: 'off', spellcheck: 'false', placeholder: 'payment',
    'aria-describedby': id('purpose-error'),
  });
  const uv = h('select', { id: id('uv'), name: 'userVerificationRequirement', 'aria-describedby': `${id('uv-hint')} ${id('uv-error')}` },
    UV.map(([value]) => h('option', { value }, value)));
  uv.value = existing?.userVerificationRequirement ?? 'preferred';
  const ttl = h('input', {
    id: id('ttl'), name: 'timeToLive', autocomplete: 'off', value: String(existing?.timeToLive ?? 120),
    'aria-describedby': id('ttl-error'),
  });
  const chosen = existing ? hintValues(existing.hints) : [];
  const boxes = HINTS.map((hint) => {
    const box = h('input', { type: 'checkbox', name: 'hints', value: hint.value, checked: chosen.includes(hint.value) });
    return { value: hint.value, box, label: h('label', { class: 'check' }, box, ' ', hint.label) };
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save configuration' : 'Create configuration');

  const form = h('form', { class: 'card', novalidate: true, 'aria-label': existing ? `Edit ${existing.purpose}` : 'New configuration' },
    h('h2', null, existing ? `Edit ${existing.purpose}` : 'New configuration'),
    existing
      ? null
      : [h('label', { for: id('purpose') }, 'Purpose'),
          h('p', { class: 'hint' }, 'What the sign-in is for, as your page passes it to client.stepup(): letters, digits, “_” and “-”, up to 255.'),
          purpose, errors.purpose],
    h('label', { for: id('uv') }, 'User verification'),
    h('p', { class: 'hint', id: id('uv-hint') }, UV.map(([value, meaning], i) => [i ? '; ' : null, h('strong', null, value), `: ${meaning}`]), '.'),
    uv, errors.userVerificationRequirement,
    h('label', { for: id('ttl') }, 'Token lifetime'),
    h('p', { class: 'hint' }, 'How long the verify token of such a sign-in stays valid: seconds (300) or hh:mm:ss (00:05:00), at most 7 days.'),
    ttl, errors.timeToLive,
    h('fieldset', null, h('legend', null, 'Hints (which authenticators the browser suggests)'), boxes.map((b) => b.label)),
    errors.hints,
    h('div', { class: 'row' },
      submit,
      cancel ? h('button', { type: 'button', onclick: cancel }, 'Cancel') : null),
    general);

  const clearErrors = () => {
    for (const p of Object.values(errors)) {
      p.hidden = true;
      replace(p);
    }
    replace(general);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(submit, async () => {
      clearErrors();
      const input: AuthConfigInput = {
        userVerificationRequirement: uv.value as UserVerification,
        timeToLive: ttl.value.trim(),
        hints: boxes.filter((b) => b.box.checked).map((b) => b.value),
      };
      const name = existing ? existing.purpose : purpose.value.trim();
      try {
        if (existing) {
          await api.saveAuthConfig(appId, existing.purpose, input);
        } else {
          await api.addAuthConfig(appId, { purpose: name, ...input });
          purpose.value = '';
        }
        await done(name);
      } catch (error) {
        showProblem(error);
      }
    });
  });

  /** The problem's title under the form; each field's messages under that field. */
  function showProblem(error: unknown): void {
    const rest: string[] = [];
    if (error instanceof ApiError) {
      for (const [field, messages] of Object.entries(error.byField)) {
        const key = Object.keys(errors).find((k) => k.toLowerCase() === field.toLowerCase()) as keyof typeof errors | undefined;
        const target = key ? errors[key] : null;
        if (!target || (existing && key === 'purpose')) {
          rest.push(...messages);
          continue;
        }
        replace(target, messages.join(' '));
        target.hidden = false;
      }
    }
    const title = error instanceof ApiError ? error.title : describe(error);
    replace(general, h('div', { class: 'status error', role: 'alert' }, title, rest.length ? ` ${rest.join(' ')}` : null));
  }

  return form;
}
