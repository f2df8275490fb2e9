/**
 * @file The one HTML document every page of the project is built in: the search panel, the report and lab
 * webviews, and the CLI's standalone duplicates report. It owns what keeps those pages safe, so each page
 * only says what it loads: the Content-Security-Policy (`default-src 'none'`, then only the sources the page
 * asks for: stylesheets, images and fonts from the webview's own origin or one inline stylesheet by hash,
 * scripts only by nonce; never `'unsafe-inline'`, `'unsafe-eval'` or another host), and the escaping of every
 * string put into text or a double-quoted attribute. No `vscode` import, so the CLI's report uses it too.
 */
import { createHash, randomBytes } from 'node:crypto';

const ESCAPES: Readonly<Record<string, string>> = Object.freeze({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' });

/**
 * Text and double-quoted attribute values alike: the five HTML-significant characters. A backtick is left
 * as it is: it only ever ended an unquoted attribute (old IE), and every attribute written here is quoted.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** For double-quoted attribute values; the same escaping, named for where it goes. */
export const escapeAttribute = escapeHtml;

/**
 * A nonce from the OS's CSPRNG, base64 (what CSP expects), fresh for every document. Here beside the
 * document rather than in the extension: `node:crypto` is in every Node bundle (extension host, CLI), the
 * browser bundles never import this file, and the webview tests serve pages with the same nonce maker.
 */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

export interface HtmlDocumentOptions {
  title: string;
  /** The body's HTML, its workspace strings already escaped by the caller. */
  body: string;
  /**
   * `webview.cspSource`: the one origin linked stylesheets and images may come from. Without it the page
   * loads nothing at all (the standalone report) and also forbids `<base>` and form targets; the webviews
   * keep the policy they had without those two, whose effect inside VS Code's webview host is untested here.
   */
  cspSource?: string;
  /** Fonts from `cspSource` too (the codicon font); off unless the page shows codicons. */
  fonts?: boolean;
  /** Stylesheets from `cspSource`. */
  styleUris?: readonly string[];
  /** One inline stylesheet, allowed by its sha256 (a standalone page has no origin to link one from). */
  inlineStyle?: string;
  /** Scripts from `cspSource`, each run only by `nonce`; a page without them gets no `script-src` at all. */
  scripts?: { nonce: string; uris: readonly string[] };
}

/** The page's CSP; exported for tests. Throws naming the value when a source would widen it. */
export function contentSecurityPolicy(o: Omit<HtmlDocumentOptions, 'title' | 'body'>): string {
  const origin = o.cspSource === undefined ? undefined : checkedSource(o.cspSource);
  if (!origin && (o.styleUris?.length || o.scripts?.uris.length)) throw new Error('htmlDocument: stylesheets and scripts are linked from cspSource, and none was given.');
  if (o.inlineStyle !== undefined && /<\/style/i.test(o.inlineStyle)) throw new Error('htmlDocument: inlineStyle must not contain "</style" (it would end the stylesheet early).');
  const styleHash = o.inlineStyle === undefined ? undefined : `'sha256-${createHash('sha256').update(o.inlineStyle).digest('base64')}'`;
  const styles = [origin, styleHash].filter((s) => s !== undefined);
  return [
    "default-src 'none'",
    styles.length ? `style-src ${styles.join(' ')}` : '',
    origin && o.fonts ? `font-src ${origin}` : '',
    origin ? `img-src ${origin}` : '',
    o.scripts ? `script-src 'nonce-${checkedNonce(o.scripts.nonce)}'` : '',
    origin ? '' : "base-uri 'none'; form-action 'none'",
  ]
    .filter(Boolean)
    .join('; ');
}

/** The whole document: head (charset, CSP, viewport, styles, title), the body, then the scripts by nonce. */
export function htmlDocument(o: HtmlDocumentOptions): string {
  const head = [
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(o))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    ...(o.styleUris ?? []).map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}">`),
    ...(o.inlineStyle === undefined ? [] : [`<style>${o.inlineStyle}</style>`]),
    `<title>${escapeHtml(o.title)}</title>`,
  ];
  const nonce = o.scripts ? escapeAttribute(o.scripts.nonce) : '';
  const scripts = (o.scripts?.uris ?? []).map((src) => `<script nonce="${nonce}" src="${escapeAttribute(src)}"></script>`);
  return ['<!DOCTYPE html>', '<html lang="en">', '<head>', ...head.map((l) => `  ${l}`), '</head>', '<body>', o.body, ...scripts, '</body>', '</html>', ''].join('\n');
}

// A source list is space-separated; `;` or `,` would start another directive or policy, and these would open the page to any host or to inline code.
const WIDENING = /^(\*|'unsafe-[\w-]*'|'strict-dynamic'|'nonce-.*'|'sha\d+-.*'|https?:|data:|blob:|filesystem:|wss?:)$/i;

function checkedSource(source: string): string {
  const tokens = source.trim().split(/\s+/);
  if (tokens.some((t) => !t || /[;,"<>&]/.test(t) || WIDENING.test(t))) {
    throw new Error(`htmlDocument: cspSource must be the webview's own origin (hosts or 'self', space-separated); got ${JSON.stringify(source)}.`);
  }
  return tokens.join(' ');
}

function checkedNonce(nonce: string): string {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(nonce)) throw new Error(`htmlDocument: a nonce must be base64; got ${JSON.stringify(nonce)}.`);
  return nonce;
}
