/**
 * @file DOM helpers for the panel. Workspace text only ever reaches the page through `textContent`
 * (via `appendText`), never through HTML parsing; attribute values are set with `setAttribute`.
 */
import type { Segment } from './snippet';

type Attrs = Record<string, string | undefined>;

/** `<tag class=…>` with attributes (undefined values skipped) and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) node.setAttribute(name, value);
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

/** A codicon; `name~spin` spins. Decorative, so hidden from screen readers. */
export function icon(name: string): HTMLElement {
  const [base, modifier] = name.split('~');
  const classes = ['codicon', `codicon-${base}`];
  if (modifier === 'spin') classes.push('codicon-modifier-spin');
  return el('span', classes.join(' '), { 'aria-hidden': 'true' });
}

/**
 * Unicode controls that reorder or hide text (bidi embeddings, overrides, isolates, marks, zero-width
 * joiners are left alone). Each is shown as a visible marker in its own isolated span, so it cannot
 * reorder the text around it, while the page's text still contains the character itself.
 */
const CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const CONTROLS_SPLIT = /([\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069])/u;

function appendPlain(parent: Node, text: string): void {
  if (!CONTROLS.test(text)) {
    parent.appendChild(document.createTextNode(text));
    return;
  }
  for (const part of text.split(CONTROLS_SPLIT)) {
    if (!part) continue;
    if (CONTROLS.test(part)) {
      const code = `U+${part.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      parent.appendChild(el('span', 'control-char', { title: `Unicode control character ${code}`, 'data-code': code }, part));
    } else {
      parent.appendChild(document.createTextNode(part));
    }
  }
}

/** Appends workspace text as text nodes; matched segments go in `<mark>`. */
export function appendText(parent: Node, text: string | readonly Segment[]): void {
  const segments = typeof text === 'string' ? [{ text, match: false }] : text;
  for (const s of segments) {
    if (s.match) {
      const mark = el('mark');
      appendPlain(mark, s.text);
      parent.appendChild(mark);
    } else {
      appendPlain(parent, s.text);
    }
  }
}

/** An element holding workspace text, isolated from its neighbours' text direction. */
export function textEl(tag: 'span' | 'div', className: string, text: string | readonly Segment[], attrs: Attrs = {}): HTMLElement {
  const node = el(tag, className, { dir: 'auto', ...attrs });
  appendText(node, text);
  return node;
}
