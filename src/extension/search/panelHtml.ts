/**
 * @file The search panel's HTML: the shared document shell (strict CSP: nothing by default; the one script
 * by nonce; styles, fonts and images from the webview's own origin) with the stylesheets and the initial
 * status as an escaped `data-*` attribute. Pure (no `vscode` import), so the webview tests serve exactly this page.
 */
import { escapeAttribute, htmlDocument } from '../../shared/htmlDocument';
import type { PanelStatus } from '../../shared/webviewMessages';

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  status: PanelStatus;
}

export function panelHtml(o: PanelHtmlOptions): string {
  return htmlDocument({
    title: 'Semantic Search',
    cspSource: o.cspSource,
    fonts: true,
    styleUris: o.styleUris,
    scripts: { nonce: o.nonce, uris: [o.scriptUri] },
    body: `<div id="app" data-status="${escapeAttribute(JSON.stringify(o.status))}"></div>`,
  });
}
