/**
 * @file `npm run demo -- --vscode`: the demo workspace in a real VS Code (code-server), with the extension
 * built and installed from its .vsix and the generated model configured. Runs until Ctrl+C.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installVsix, startCodeServer, vsixPath } from '../test/support/codeServer';

export async function openInCodeServer(workspace: string, modelDir: string): Promise<void> {
  const root = join(__dirname, '..');
  for (const script of ['scripts/package.mjs', 'scripts/setup-code-server.mjs']) {
    const r = spawnSync(process.execPath, [join(root, script)], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${script} failed`);
  }
  const home = join(root, '.cache', 'demo-vscode');
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 't5Semantic.model': modelDir, 't5Semantic.offline': true, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2),
  );
  installVsix(vsixPath(), extensionsDir, userDataDir);
  const server = await startCodeServer({ userDataDir, extensionsDir, folder: workspace });
  console.log(`\nVS Code (code-server) with the extension and the demo model: ${server.url}/?folder=${encodeURIComponent(workspace)}`);
  console.log('Open a file, put the cursor in a paragraph, and run "T5 Semantic: Find Similar Paragraphs in Open Editors". Ctrl+C stops it.');
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await server.stop();
}
