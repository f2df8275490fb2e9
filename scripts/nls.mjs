// @ts-check
/**
 * @file Moves the manifest's user-facing strings into package.nls.json as `%key%` references, so the manifest can be
 * translated (package.nls.<locale>.json) without touching package.json.
 * `node scripts/nls.mjs [--check] [--root <folder>]` (default root: this repository)
 *
 * Idempotent: a string that is already a `%key%` reference is left alone; a raw string gets a stable key derived
 * from where it is (command id, setting key, view id…), and its text is written to package.nls.json (replacing that
 * key's text when the manifest has a newer one, e.g. after a merge). Keys no manifest string refers to any more are
 * removed. Run it after adding or changing commands, settings, views or walkthrough steps.
 * `--check` changes nothing and exits 1 when the manifest still holds raw strings or the two files disagree.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootFlag = process.argv.indexOf('--root');
const root = rootFlag >= 0 ? process.argv[rootFlag + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');
if (!root) throw new Error('nls: --root needs a folder holding package.json');
const manifestPath = join(root, 'package.json');
const nlsPath = join(root, 'package.nls.json');
const check = process.argv.includes('--check');

/** The form vsce and VS Code replace (vsce's own pattern): only word characters and dots in the key. */
const REFERENCE = /^%([\w.]+)%$/;
/** Commands share one category key when their category is the same text. */
const SHARED_CATEGORY_KEY = 'command.category';
const SETTING_TEXT_FIELDS = ['title', 'description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage'];
const SETTING_LIST_FIELDS = ['enumDescriptions', 'markdownEnumDescriptions', 'enumItemLabels'];

/** @param {string} part */
const keyPart = (part) => part.replace(/[^\w.]/g, '_');

/**
 * Every place the script localizes, as a holder object and the field in it (or an index into an array), with its key.
 * @param {any} manifest
 * @returns {{ holder: any, field: string | number, key: string }[]}
 */
function slots(manifest) {
  /** @type {{ holder: any, field: string | number, key: string }[]} */
  const out = [];
  /** @param {any} holder @param {string | number} field @param {string} key */
  const add = (holder, field, key) => {
    if (holder && typeof holder[field] === 'string') out.push({ holder, field, key: keyPart(key) });
  };
  add(manifest, 'displayName', 'extension.displayName');
  add(manifest, 'description', 'extension.description');
  add(manifest.capabilities?.untrustedWorkspaces, 'description', 'capabilities.untrustedWorkspaces.description');
  const c = manifest.contributes ?? {};
  for (const command of c.commands ?? []) {
    add(command, 'title', `command.${command.command}.title`);
    add(command, 'shortTitle', `command.${command.command}.shortTitle`);
    add(command, 'category', `command.${command.command}.category`); // may become SHARED_CATEGORY_KEY, see below
  }
  for (const [location, containers] of Object.entries(c.viewsContainers ?? {})) {
    for (const container of /** @type {any[]} */ (containers)) add(container, 'title', `viewsContainer.${location}.${container.id}.title`);
  }
  for (const views of Object.values(c.views ?? {})) {
    for (const view of /** @type {any[]} */ (views)) {
      add(view, 'name', `view.${view.id}.name`);
      add(view, 'contextualTitle', `view.${view.id}.contextualTitle`);
    }
  }
  /** @type {Map<string, number>} */
  const welcomeCount = new Map();
  for (const welcome of c.viewsWelcome ?? []) {
    const n = welcomeCount.get(welcome.view) ?? 0;
    welcomeCount.set(welcome.view, n + 1);
    add(welcome, 'contents', `viewsWelcome.${welcome.view}.${n}.contents`);
  }
  for (const color of c.colors ?? []) add(color, 'description', `color.${color.id}.description`);
  const configurations = Array.isArray(c.configuration) ? c.configuration : c.configuration ? [c.configuration] : [];
  configurations.forEach((/** @type {any} */ configuration, /** @type {number} */ i) => {
    add(configuration, 'title', i === 0 ? 'configuration.title' : `configuration.${i}.title`);
    for (const [setting, schema] of Object.entries(configuration.properties ?? {})) {
      for (const field of SETTING_TEXT_FIELDS) add(schema, field, `configuration.${setting}.${field}`);
      for (const field of SETTING_LIST_FIELDS) {
        const list = /** @type {any} */ (schema)[field];
        if (Array.isArray(list)) list.forEach((_, j) => add(list, j, `configuration.${setting}.${field}.${j}`));
      }
    }
  });
  for (const walkthrough of c.walkthroughs ?? []) {
    add(walkthrough, 'title', `walkthrough.${walkthrough.id}.title`);
    add(walkthrough, 'description', `walkthrough.${walkthrough.id}.description`);
    for (const step of walkthrough.steps ?? []) {
      const base = `walkthrough.${walkthrough.id}.step.${step.id}`;
      add(step, 'title', `${base}.title`);
      add(step, 'description', `${base}.description`);
      add(step.media, 'altText', `${base}.altText`);
    }
  }
  return out;
}

/** Every `%key%` reference anywhere in the manifest (VS Code and vsce replace them wherever they are). @param {unknown} value @param {Set<string>} into */
function references(value, into = new Set()) {
  if (typeof value === 'string') {
    const m = REFERENCE.exec(value);
    if (m) into.add(m[1]);
  } else if (Array.isArray(value)) value.forEach((v) => references(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => references(v, into));
  return into;
}

/** @param {string} path @param {string} what */
function readJson(path, what) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`nls: cannot read ${what} at ${path}: ${/** @type {Error} */ (err).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`nls: ${what} at ${path} is not valid JSON: ${/** @type {Error} */ (err).message}`);
  }
}

const manifest = readJson(manifestPath, 'the manifest');
/** @type {Record<string, string>} */
const old = existsSync(nlsPath) ? readJson(nlsPath, 'package.nls.json') : {};
if (!old || typeof old !== 'object' || Array.isArray(old) || Object.values(old).some((v) => typeof v !== 'string')) {
  throw new Error(`nls: ${nlsPath} must be an object of key → string`);
}

/** @type {Record<string, string>} */
const strings = { ...old };
const moved = [];
const updated = [];
for (const { holder, field, key: ownKey } of slots(manifest)) {
  const value = holder[field];
  if (REFERENCE.test(value)) continue;
  let key = ownKey;
  if (field === 'category' && (strings[SHARED_CATEGORY_KEY] === undefined || strings[SHARED_CATEGORY_KEY] === value)) key = SHARED_CATEGORY_KEY;
  if (strings[key] !== undefined && strings[key] !== value) updated.push(key);
  else if (strings[key] === undefined) moved.push(key);
  strings[key] = value;
  holder[field] = `%${key}%`;
}

const used = references(manifest);
const missing = [...used].filter((k) => strings[k] === undefined);
if (missing.length > 0) {
  throw new Error(`nls: package.json refers to keys package.nls.json does not have: ${missing.join(', ')}`);
}
const unused = Object.keys(strings).filter((k) => !used.has(k));
for (const k of unused) delete strings[k];

// Keys in the order the manifest uses them, so a diff of package.nls.json reads like one of package.json.
/** @type {Record<string, string>} */
const ordered = {};
for (const k of used) ordered[k] = strings[k];
const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
const nlsText = `${JSON.stringify(ordered, null, 2)}\n`;
const changed = manifestText !== readFileSync(manifestPath, 'utf8') || !existsSync(nlsPath) || nlsText !== readFileSync(nlsPath, 'utf8');

const summary = `${moved.length} new, ${updated.length} updated, ${unused.length} removed, ${used.size} keys`;
if (check) {
  if (changed) {
    console.error(`nls: package.json and package.nls.json are out of step (${summary}); run node scripts/nls.mjs`);
    process.exit(1);
  }
  console.log(`nls: up to date (${used.size} keys)`);
} else {
  if (changed) {
    writeFileSync(manifestPath, manifestText);
    writeFileSync(nlsPath, nlsText);
  }
  for (const k of updated) console.log(`nls: text of ${k} taken from package.json`);
  for (const k of unused) console.log(`nls: removed unused key ${k}`);
  console.log(`nls: ${changed ? 'wrote' : 'no change to'} package.json and package.nls.json (${summary})`);
}
