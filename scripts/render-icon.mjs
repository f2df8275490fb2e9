// @ts-check
/**
 * @file Renders media/icon.svg to the 128×128 media/icon.png the marketplace shows (it accepts no SVG icon).
 * `node scripts/render-icon.mjs [--chromium /usr/bin/chromium]`; needs a Chromium on this machine (playwright-core
 * brings no browser). Run it after editing the SVG and commit both files.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = args.indexOf('--chromium');
const executablePath = flag >= 0 ? args[flag + 1] : (process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
if (!executablePath || !existsSync(executablePath)) {
  console.error(`render-icon: no Chromium at ${executablePath}; install one (e.g. apt-get install chromium) or pass --chromium <path>`);
  process.exit(1);
}
const size = 128;
const svg = readFileSync(join(root, 'media', 'icon.svg'), 'utf8');
if (!svg.includes('<svg')) {
  console.error('render-icon: media/icon.svg is not an SVG document (no <svg> element)');
  process.exit(1);
}

const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  // The SVG is inlined, so the page loads nothing from disk or the network.
  await page.setContent(
    `<!doctype html><html><body style="margin:0;background:transparent">${svg.replace('<svg', `<svg style="display:block;width:${size}px;height:${size}px"`)}</body></html>`,
  );
  const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  writeFileSync(join(root, 'media', 'icon.png'), png);
  console.log(`render-icon: media/icon.png (${size}×${size}, ${png.length} bytes)`);
} finally {
  await browser.close();
}
