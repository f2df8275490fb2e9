/**
 * @file The lab page's one script: its buttons post what they carry (the extension validates it again
 * and asks before writing any setting). The page itself is built on the extension side.
 */
declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();

document.getElementById('apply')?.addEventListener('click', (event) => {
  const button = event.currentTarget as HTMLButtonElement;
  vscode.postMessage({ type: 'apply', pooling: button.dataset.pooling, layer: Number(button.dataset.layer) });
});

document.getElementById('use-model')?.addEventListener('click', (event) => {
  const button = event.currentTarget as HTMLButtonElement;
  vscode.postMessage({ type: 'useModel', folder: button.dataset.folder });
});
