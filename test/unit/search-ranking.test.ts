/**
 * @file Ranking on a generated workspace with known answers, through the real index (extraction,
 * chunking, vector store, keyword index) and a bag-of-words stand-in for the encoder, so cosine is word
 * overlap and every expected answer can be worked out by hand. Proves the filters (language, folder,
 * kind, globs) apply before the top-k cut, and that an empty result comes with the nearest misses and
 * the filter or floor that cut each one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { SearchParams } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { WorkspaceIndex, type IndexEngine } from '../../src/server/indexing/workspaceIndex';
import { searchFilter, validateSearchScope } from '../../src/server/search/filters';
import { search } from '../../src/server/search/search';
import type { SearchMode } from '../../src/shared/searchVocabulary';
import { tempDir } from '../support/tempDir';

const DIMS = 512;

/** Each word adds to one hashed dimension: cosine between texts is their (hashed) word overlap. */
function bagOfWords(text: string): Float32Array {
  const v = new Float32Array(DIMS);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % DIMS] += 1;
  }
  return v;
}

const engine: IndexEngine = {
  info: { id: 'bag-of-words', dimensions: DIMS, maxTokens: 512, precision: 'fp32' },
  countTokens: (text) => text.split(/\s+/).filter(Boolean).length,
  embed: async (texts) => ({ vectors: texts.map(bagOfWords) }),
};

const STRONG = 'Vector segment checksum storage: every vector segment ends with a checksum so storage can verify the segment.';
const QUERY = 'vector segment checksum storage';
const UNRELATED = 'Bananas are rich in potassium and easy to carry on long mountain hikes.';

/** Twelve strong Markdown matches in docs/, one weaker Python comment in lib/, one unrelated text file. */
const FILES: Record<string, string> = {
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`docs/store-${i}.md`, `# Store ${i}\n\n${STRONG}\n`])),
  'lib/tools.py': '# The vector storage writes one checksum after each segment of the table on the disk here.\ndef write():\n    pass\n',
  'notes/other.txt': `${UNRELATED}\n`,
};

let root: string;
let storage: string;
let index: WorkspaceIndex;

before(async () => {
  root = tempDir('t5-ranking-ws-');
  storage = tempDir('t5-ranking-store-');
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  index = new WorkspaceIndex(
    [root],
    engine,
    storage,
    { ...DEFAULT_SETTINGS.index, minWords: 3, quantization: 'fp32', filesExclude: {}, searchExclude: {}, pooling: 'mean', layer: undefined },
    () => {},
  );
  await index.update();
  assert.equal(index.status.filesIndexed, Object.keys(FILES).length, 'every generated file is indexed');
});

after(() => {
  index?.flush();
  rmSync(root, { recursive: true, force: true });
  rmSync(storage, { recursive: true, force: true });
});

const MODES: SearchMode[] = ['hybrid', 'semantic', 'keyword'];
const TOP_K = 5;

async function paths(mode: SearchMode, params: Omit<SearchParams, 'query'>, query = QUERY): Promise<string[]> {
  const { hits } = await search(index, engine, query, { mode, topK: TOP_K, perFile: 1, reject: searchFilter({ query, ...params }) });
  return hits.map((h) => h.relPath);
}

describe('filters apply before the top-k cut', () => {
  for (const mode of MODES) {
    it(`${mode}: a weaker hit that passes the filter is found although stronger ones fill the unfiltered page`, async () => {
      const unfiltered = await paths(mode, {});
      assert.equal(unfiltered.length, TOP_K);
      assert.ok(unfiltered.every((p) => p.startsWith('docs/')), `the unfiltered page is all docs: ${unfiltered.join(', ')}`);

      // Filtering the unfiltered page afterwards would leave nothing; filtering first finds lib/tools.py.
      assert.deepEqual(await paths(mode, { languages: ['python'] }), ['lib/tools.py'], 'language');
      assert.deepEqual(await paths(mode, { languages: ['Python'] }), ['lib/tools.py'], 'language ids are case-insensitive');
      assert.deepEqual(await paths(mode, { folder: pathToFileURL(join(root, 'lib')).href }), ['lib/tools.py'], 'folder');
      assert.deepEqual(await paths(mode, { kinds: 'comments' }), ['lib/tools.py'], 'kind');
      assert.deepEqual(await paths(mode, { include: ['lib/**'] }), ['lib/tools.py'], 'include');
      // Semantic ranking also lists the unrelated text (cosine 0), after the real match.
      const excluded = await paths(mode, { exclude: ['docs/**'] });
      assert.equal(excluded[0], 'lib/tools.py', 'exclude');
      assert.ok(excluded.every((p) => !p.startsWith('docs/')));
      // Filters combine: Markdown in docs/ keeps the full page.
      const docs = await paths(mode, { languages: ['markdown'], folder: pathToFileURL(join(root, 'docs')).href, kinds: 'docs' });
      assert.deepEqual(docs, unfiltered);
    });
  }

  it('the folder filter does not match a sibling folder that shares its name as a prefix', async () => {
    assert.deepEqual(await paths('hybrid', { folder: pathToFileURL(join(root, 'li')).href }), []);
    assert.deepEqual(await paths('hybrid', { folder: pathToFileURL(root).href }), await paths('hybrid', {}), 'the workspace root keeps everything');
  });
});

describe('nearest misses when nothing is left', () => {
  it('a language filter that matches nothing: the unfiltered best candidates, each saying which filter cut it', async () => {
    const reject = searchFilter({ query: QUERY, languages: ['rust'] });
    const { hits, misses } = await search(index, engine, QUERY, { mode: 'hybrid', topK: TOP_K, perFile: 1, reject, misses: 3 });
    assert.deepEqual(hits, []);
    assert.equal(misses.length, 3);
    const { hits: unfiltered } = await search(index, engine, QUERY, { mode: 'hybrid', topK: 3, perFile: 1 });
    assert.deepEqual(misses.map((m) => m.relPath), unfiltered.map((h) => h.relPath), 'the misses are the unfiltered ranking, best first');
    for (const m of misses) {
      assert.equal(m.reason, 'language');
      assert.equal(m.detail, 'language markdown, not rust');
    }
  });

  it('names the glob, the kind and the folder that cut a miss', async () => {
    const cases: [Omit<SearchParams, 'query'>, string, RegExp][] = [
      [{ exclude: ['notes/**', '**/*.md', '**/*.py'] }, 'exclude', /^excluded by \*\*\/\*\.md$/],
      [{ include: ['src/**'] }, 'include', /^not in the files to include \(src\/\*\*\)$/],
      [{ folder: pathToFileURL(join(root, 'notes')).href, kinds: 'comments' }, 'kind', /^a Markdown section, and only comments are searched$/],
      [{ folder: pathToFileURL(join(root, 'src')).href }, 'folder', /^outside the folder src$/],
    ];
    for (const [params, reason, detail] of cases) {
      const { hits, misses } = await search(index, engine, QUERY, { mode: 'hybrid', topK: TOP_K, perFile: 1, reject: searchFilter({ query: QUERY, ...params }) });
      assert.deepEqual(hits, [], JSON.stringify(params));
      assert.ok(misses.length > 0, JSON.stringify(params));
      assert.equal(misses[0].relPath.startsWith('docs/'), true, 'the best miss is a strong match');
      assert.equal(misses[0].reason, reason, JSON.stringify(params));
      assert.match(misses[0].detail, detail);
    }
  });

  it('a cosine floor: only the near-identical text passes it; when nothing does, the misses say by how much', async () => {
    const passing = await search(index, engine, UNRELATED, { mode: 'semantic', topK: TOP_K, perFile: 1, minScore: 0.9 });
    assert.deepEqual(passing.hits.map((h) => h.relPath), ['notes/other.txt']);
    assert.deepEqual(passing.misses, [], 'no misses when something is found');
    const { hits, misses } = await search(index, engine, 'potassium hikes vector', { mode: 'semantic', topK: TOP_K, perFile: 1, minScore: 0.95 });
    assert.deepEqual(hits, []);
    assert.ok(misses.length >= 2);
    assert.ok(misses.every((m) => m.reason === 'belowFloor' && /^cosine 0\.\d{3} is below the floor 0\.95$/.test(m.detail)), JSON.stringify(misses.map((m) => m.detail)));
    assert.ok(misses[0].semanticScore! >= misses[1].semanticScore!, 'best miss first');
  });

  it('keyword mode with no keyword match: the semantic nearest misses', async () => {
    const { hits, misses } = await search(index, engine, 'checksums vectors segments', { mode: 'keyword', topK: TOP_K, perFile: 1 });
    assert.deepEqual(hits, [], 'plural forms are no keyword match');
    assert.ok(misses.length > 0);
    assert.ok(misses.every((m) => m.reason === 'noKeywordMatch'));
  });

  it('misses: 0 asks for none', async () => {
    const reject = searchFilter({ query: QUERY, languages: ['rust'] });
    const { misses } = await search(index, engine, QUERY, { mode: 'hybrid', topK: TOP_K, perFile: 1, reject, misses: 0 });
    assert.deepEqual(misses, []);
  });
});

describe('validateSearchScope', () => {
  it('accepts a file: folder URI and a floor in [-1, 1], rejects anything else', () => {
    assert.deepEqual(validateSearchScope({ query: 'q', folder: 'file:///ws/src', minScore: 0.3 }), { folder: 'file:///ws/src', minScore: 0.3, hybridWeight: undefined });
    assert.deepEqual(validateSearchScope({ query: 'q' }), { folder: undefined, minScore: undefined, hybridWeight: undefined });
    for (const bad of [{ folder: '/ws/src' }, { folder: 'https://x/y' }, { folder: 3 }, { minScore: 2 }, { minScore: '0.3' }, { minScore: Number.NaN }]) {
      assert.throws(() => validateSearchScope({ query: 'q', ...bad }), /folder|minScore/, JSON.stringify(bad));
    }
  });
});
