// A tiny element builder, so pages describe their DOM in plain TypeScript (no UI library).

export type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown>;

/**
 * `h('button', { class: 'primary', onclick: go }, 'Save')`: `on…` props become listeners,
 * `value`/`checked`/`disabled` are set as properties, `true` is an empty attribute, and
 * `false`/`null`/`undefined` leave the attribute out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value as EventListener);
    } else if (key === 'value' || key === 'checked' || key === 'disabled') {
      (el as unknown as Record<string, unknown>)[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children (nested arrays flattened, empty values skipped). */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/**
 * Lets the list `table` stack at phone width (class `stack`, style.css): each body cell gets
 * its column's heading as `data-label`, which is shown before the cell once the rows are
 * cards. A heading that is only for screen readers (`.sr-only`, e.g. "Actions") labels nothing.
 */
export function stacked(table: HTMLTableElement): HTMLTableElement {
  const names = Array.from(table.tHead?.rows[0]?.cells ?? [], (th) => (th.querySelector('.sr-only') ? '' : (th.textContent ?? '').trim()));
  for (const body of Array.from(table.tBodies)) {
    for (const row of Array.from(body.rows)) {
      Array.from(row.cells).forEach((cell, i) => cell.setAttribute('data-label', names[i] ?? ''));
    }
  }
  table.classList.add('stack');
  return table;
}

/** A status line that pages fill with `ok`, `error`, `warn` or plain messages (read by screen readers). */
export interface Status extends HTMLParagraphElement {
  show(kind: 'ok' | 'error' | 'info' | 'warn', ...text: Child[]): void;
  clear(): void;
}

export function status(): Status {
  const p = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true }) as Status;
  p.show = (kind, ...text) => {
    p.className = `status ${kind}`;
    p.hidden = false;
    replace(p, ...text);
  };
  p.clear = () => {
    p.hidden = true;
    replace(p);
  };
  return p;
}

/** A button that copies `text` to the clipboard and says so. */
export function copyButton(text: () => string, label = 'Copy'): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'small' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed: select and copy by hand';
    }
    setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}

/** Runs `work` with `button` disabled, so a slow call cannot be started twice. */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T | undefined> {
  if (button.disabled) return undefined;
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}
