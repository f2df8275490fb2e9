/**
 * @file The search panel's HTML shell: a strict CSP (nothing by default; the one script by nonce; styles
 * and fonts from the webview's own origin), the stylesheets, and the initial status as an escaped
 * `data-*` attribute. Pure (no `vscode` import), so the webview tests serve exactly this page.
 */
import { randomBytes } from 'node:crypto';
import type { PanelStatus } from '../../shared/webviewMessages';

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  status: PanelStatus;
}

/** A nonce from the OS's CSPRNG, base64 (what CSP expects). */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** For double-quoted attribute values. */
export const escapeAttribute = escapeHtml;

export function panelHtml(o: PanelHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `img-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  const styles = o.styleUris.map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}">`).join('\n  ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  ${styles}
  <title>Semantic Search</title>
</head>
<body>
  <div id="app" data-status="${escapeAttribute(JSON.stringify(o.status))}"></div>
  <script nonce="${escapeAttribute(o.nonce)}" src="${escapeAttribute(o.scriptUri)}"></script>
</body>
</html>`;
}
