/**
 * Manifest localization and marketplace package: every `%key%` in package.json has its text in package.nls.json,
 * no key is unused, no user-facing manifest string is left raw, and scripts/nls.mjs is idempotent and picks up
 * strings added later. Also the icon, walkthrough media and categories the marketplace needs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
type Json = any;
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));
const manifest = readJson(join(root, 'package.json'));
const nls: Record<string, string> = readJson(join(root, 'package.nls.json'));
const REFERENCE = /^%([\w.]+)%$/;

function references(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const m = REFERENCE.exec(value);
    if (m) into.add(m[1]!);
  } else if (Array.isArray(value)) value.forEach((v) => references(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => references(v, into));
  return into;
}

/** The user-facing strings of a manifest, listed here independently of scripts/nls.mjs, as [where, value]. */
function userFacing(m: Json): [string, unknown][] {
  const out: [string, unknown][] = [
    ['displayName', m.displayName],
    ['description', m.description],
    ['capabilities.untrustedWorkspaces.description', m.capabilities?.untrustedWorkspaces?.description],
  ];
  const c = m.contributes;
  for (const cmd of c.commands) out.push([`${cmd.command} title`, cmd.title], [`${cmd.command} category`, cmd.category]);
  for (const list of Object.values(c.viewsContainers) as Json[][]) for (const v of list) out.push([`container ${v.id}`, v.title]);
  for (const list of Object.values(c.views) as Json[][]) {
    for (const v of list) out.push([`view ${v.id} name`, v.name], [`view ${v.id} contextualTitle`, v.contextualTitle]);
  }
  for (const w of c.viewsWelcome) out.push([`welcome ${w.view}`, w.contents]);
  for (const color of c.colors) out.push([`color ${color.id}`, color.description]);
  out.push(['configuration.title', c.configuration.title]);
  for (const [key, s] of Object.entries(c.configuration.properties) as [string, Json][]) {
    for (const f of ['description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage']) {
      if (s[f] !== undefined) out.push([`${key} ${f}`, s[f]]);
    }
    for (const [i, d] of (s.enumDescriptions ?? []).entries()) out.push([`${key} enumDescriptions[${i}]`, d]);
  }
  for (const w of c.walkthroughs) {
    out.push([`walkthrough ${w.id} title`, w.title], [`walkthrough ${w.id} description`, w.description]);
    for (const s of w.steps) out.push([`step ${s.id} title`, s.title], [`step ${s.id} description`, s.description]);
  }
  return out.filter(([, v]) => v !== undefined);
}

describe('manifest localization', () => {
  it('has the text of every %key% package.json refers to, and no unused key', () => {
    const used = references(manifest);
    assert.ok(used.size > 50, `only ${used.size} references`);
    for (const key of used) assert.equal(typeof nls[key], 'string', `package.nls.json has no text for %${key}%`);
    for (const key of Object.keys(nls)) assert.ok(used.has(key), `package.nls.json key ${key} is not used in package.json`);
    for (const [key, text] of Object.entries(nls)) assert.ok(text.trim().length > 0, `${key} is empty`);
  });

  it('leaves no user-facing manifest string raw', () => {
    const raw = userFacing(manifest).filter(([, v]) => typeof v !== 'string' || !REFERENCE.test(v));
    assert.deepEqual(raw, [], 'run node scripts/nls.mjs');
    assert.ok(userFacing(manifest).length >= references(manifest).size - 5);
  });

  it('keys commands and settings by their ids, and shares the command category', () => {
    const find = manifest.contributes.commands.find((c: Json) => c.command === 't5Semantic.duplicates.findInWorkspace');
    assert.equal(find.title, '%command.t5Semantic.duplicates.findInWorkspace.title%');
    assert.equal(find.category, '%command.category%');
    assert.equal(nls['command.category'], 'T5 Semantic');
    const model = manifest.contributes.configuration.properties['t5Semantic.model'];
    assert.equal(model.markdownDescription, '%configuration.t5Semantic.model.markdownDescription%');
  });

  it('nls.mjs --check passes on the repository', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'nls.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('nls.mjs is idempotent and moves strings added later without renaming existing keys', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 't5-nls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(join(root, 'package.nls.json'), join(dir, 'package.nls.json'));
    const m = structuredClone(manifest);
    m.contributes.commands.push({ command: 't5Semantic.brandNew', title: 'Brand New Thing', category: 'T5 Semantic' });
    m.contributes.configuration.properties['t5Semantic.brandNew'] = { type: 'string', enum: ['a', 'b'], enumDescriptions: ['First.', 'Second.'], markdownDescription: 'A new **setting**.' };
    m.contributes.colors.pop(); // its key becomes unused
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(m, null, 2)}\n`);
    const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts', 'nls.mjs'), '--root', dir, ...args], { encoding: 'utf8' });

    assert.equal(run('--check').status, 1, 'raw strings must fail --check');
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    const after = readJson(join(dir, 'package.json'));
    const strings: Record<string, string> = readJson(join(dir, 'package.nls.json'));
    const added = after.contributes.commands.at(-1);
    assert.equal(added.title, '%command.t5Semantic.brandNew.title%');
    assert.equal(added.category, '%command.category%');
    assert.equal(strings['command.t5Semantic.brandNew.title'], 'Brand New Thing');
    const setting = after.contributes.configuration.properties['t5Semantic.brandNew'];
    assert.deepEqual(setting.enumDescriptions, ['%configuration.t5Semantic.brandNew.enumDescriptions.0%', '%configuration.t5Semantic.brandNew.enumDescriptions.1%']);
    assert.equal(strings['configuration.t5Semantic.brandNew.markdownDescription'], 'A new **setting**.');
    for (const [key, text] of Object.entries(nls)) {
      if (references(after).has(key)) assert.equal(strings[key], text, `existing key ${key} kept its text`);
    }
    assert.equal(Object.keys(strings).length, Object.keys(nls).length + 4 - 1, 'one unused color key removed');

    const pkgText = readFileSync(join(dir, 'package.json'), 'utf8');
    const nlsText = readFileSync(join(dir, 'package.nls.json'), 'utf8');
    assert.equal(run().status, 0);
    assert.equal(readFileSync(join(dir, 'package.json'), 'utf8'), pkgText, 'second run changes nothing');
    assert.equal(readFileSync(join(dir, 'package.nls.json'), 'utf8'), nlsText);
    assert.equal(run('--check').status, 0);
  });

  it('names the file when package.nls.json is not JSON', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 't5-nls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, 'package.nls.json'), '{ not json');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'nls.mjs'), '--root', dir], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /package\.nls\.json .* is not valid JSON/);
  });
});

describe('marketplace package', () => {
  it('has a 128×128 PNG icon', () => {
    assert.equal(manifest.icon, 'media/icon.png');
    const png = readFileSync(join(root, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), 128);
    assert.equal(png.readUInt32BE(20), 128);
  });

  it('uses only categories VS Code accepts, and has keywords', () => {
    const valid = new Set(['AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps',
      'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers', 'Snippets',
      'Testing', 'Themes', 'Visualization']);
    for (const c of manifest.categories) assert.ok(valid.has(c), `${c} is not a marketplace category`);
    assert.ok(manifest.keywords.includes('MCP') && manifest.keywords.includes('T5'));
    assert.ok(manifest.keywords.length <= 30, 'the marketplace takes at most 30 keywords');
  });

  it('walkthrough steps point at real commands, views and media files', () => {
    const commands = new Set(manifest.contributes.commands.map((c: Json) => c.command));
    const views = new Set(Object.values(manifest.contributes.views).flat().map((v: Json) => v.id));
    const [walkthrough] = manifest.contributes.walkthroughs;
    assert.ok(walkthrough.steps.length >= 5);
    for (const step of walkthrough.steps) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(existsSync(join(root, media)), `${step.id}: ${media} is missing`);
      const text = nls[REFERENCE.exec(step.description)![1]!]!;
      for (const m of text.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(commands.has(m[1]), `${step.id} links to unknown ${m[1]}`);
      for (const event of step.completionEvents) {
        const [kind, id] = event.split(':');
        if (kind === 'onCommand') assert.ok(commands.has(id), `${step.id}: unknown command ${id}`);
        if (kind === 'onView') assert.ok(views.has(id), `${step.id}: unknown view ${id}`);
      }
    }
  });

  it('ships the icon, changelog, nls file and walkthrough media (.vscodeignore allow-list)', () => {
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    for (const line of ['!media/**', '!CHANGELOG.md', '!package.nls.json', '!l10n/**']) assert.ok(ignore.includes(line), `.vscodeignore lacks ${line}`);
    assert.ok(existsSync(join(root, 'CHANGELOG.md')));
    assert.ok(existsSync(join(root, manifest.l10n, 'bundle.l10n.json')));
  });
});
