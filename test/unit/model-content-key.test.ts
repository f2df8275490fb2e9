/**
 * A local model's key is made from its files, not its path: the same model in two folders gets one key
 * (so a bundle made from one imports into the other), a changed weight file another, the second open hashes
 * nothing; and storage kept under the old path key is taken over (vectors, file tables) with nothing lost
 * and nothing embedded again, by opening the index and by `t5-semantic import`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, openSync, readdirSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONTENT_KEY_PREFIX, modelContentKey } from '../../src/server/model/contentKey';
import { resolveModel } from '../../src/server/modelSource';
import { WorkspaceIndex, type IndexEngine } from '../../src/server/indexing/workspaceIndex';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { goldenDir } from '../support/paths';
import { sentence } from '../support/generatedWorkspace';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = tempDir(prefix);
  temps.push(dir);
  return dir;
};
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copyModel(): string {
  const dir = join(temp('t5-key-model-'), 'model');
  cpSync(goldenDir('tiny-st5'), dir, { recursive: true });
  return dir;
}

describe('content key of a local model', () => {
  it('is the same for the same model in two folders and hashes nothing on the second open', async () => {
    const [a, b] = [copyModel(), copyModel()];
    const cache = join(temp('t5-key-cache-'), 'keys.json');
    const first = await modelContentKey(a, cache);
    assert.ok(first.id.startsWith(CONTENT_KEY_PREFIX), first.id);
    assert.ok(first.hashed >= 3, 'config, tokenizer and weights were hashed');
    assert.equal(first.hashed, first.files);
    const other = await modelContentKey(b, cache);
    assert.equal(other.id, first.id, 'the path is not part of the key');
    const again = await modelContentKey(a, cache);
    assert.deepEqual({ id: again.id, hashed: again.hashed }, { id: first.id, hashed: 0 });
  });

  it('changes when a weight file changes, even with the same size and time', async () => {
    const dir = copyModel();
    const cache = join(temp('t5-key-cache-'), 'keys.json');
    const before = await modelContentKey(dir, cache);
    const weights = join(dir, 'model.safetensors');
    const st = statSync(weights);
    const fd = openSync(weights, 'r+');
    writeSync(fd, Buffer.from([0x3f]), 0, 1, st.size - 3);
    closeSync(fd);
    // A new mtime is what tells the cache to hash again; a copy elsewhere (no cache entry) is hashed anyway.
    utimesSync(weights, st.atime, new Date(st.mtimeMs + 5000));
    const after = await modelContentKey(dir, cache);
    assert.notEqual(after.id, before.id);
    assert.equal(after.hashed, 1, 'only the changed file was hashed again');
  });

  it('is what resolveModel gives a folder, with the path as the legacy id', async () => {
    const dir = copyModel();
    const storage = temp('t5-key-storage-');
    const resolved = await resolveModel({ ...DEFAULT_SETTINGS, model: dir }, storage, () => {}, new AbortController().signal);
    assert.equal(resolved.id, (await modelContentKey(dir, join(storage, 'cache', 'model-content-keys.json'))).id);
    assert.deepEqual(resolved.legacyIds, [dir]);
    assert.ok(existsSync(join(storage, 'cache', 'model-content-keys.json')));
  });
});

/** Vectors from the text's sha256: deterministic, no model needed. */
function fakeEngine(id: string, legacyIds?: string[]): IndexEngine & { embedded: number } {
  const engine = {
    info: { id, dimensions: 16, maxTokens: 256, precision: 'fp32', ...(legacyIds ? { legacyIds } : {}) },
    embedded: 0,
    countTokens: (t: string) => t.split(/\s+/).length,
    embed: async (texts: readonly string[]) => {
      engine.embedded += texts.length;
      return { vectors: texts.map((t) => Float32Array.from(createHash('sha256').update(t).digest().subarray(0, 16), (b) => b / 255 - 0.5)) };
    },
  };
  return engine;
}

describe('storage kept under the old path key', () => {
  const open = (root: string, storage: string, engine: IndexEngine) =>
    new WorkspaceIndex([root], engine, join(storage, 'index'), { ...DEFAULT_SETTINGS.index, filesExclude: {}, searchExclude: {}, pooling: DEFAULT_SETTINGS.pooling, layer: undefined }, () => {});
  const workspace = () => {
    const root = makeWorkspace(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`d${i}.md`, `# Part ${i}\n\n${sentence(i + 1, 20)}\n`])));
    temps.push(root);
    return root;
  };

  it('is taken over when the index opens: every vector kept, nothing embedded again', async () => {
    const root = workspace();
    const storage = temp('t5-key-legacy-');
    const path = '/models/my-t5';
    const old = open(root, storage, fakeEngine(path));
    await old.update();
    const vectors = old.vectors.size;
    assert.ok(vectors >= 12);
    const before = readdirSync(join(storage, 'index', 'vectors'));
    const engine = fakeEngine(`${CONTENT_KEY_PREFIX}abc`, [path]);
    const index = open(root, storage, engine);
    assert.equal(index.vectors.size, vectors, 'the old store was adopted');
    assert.deepEqual(readdirSync(join(storage, 'index', 'vectors')).length, before.length, 'renamed, not copied');
    await index.update();
    assert.equal(engine.embedded, 0, 'nothing embedded again');
    assert.equal(index.vectors.size, vectors);
    // Opened again under the new key only: the adopted store is the store now.
    const later = fakeEngine(`${CONTENT_KEY_PREFIX}abc`);
    const reopened = open(root, storage, later);
    await reopened.update();
    assert.equal(later.embedded, 0);
    assert.equal(reopened.vectors.size, vectors);
  });

  it('is not taken over when the new key already has a store (nothing overwritten)', async () => {
    const root = workspace();
    const storage = temp('t5-key-both-');
    const a = open(root, storage, fakeEngine('/models/a'));
    await a.update();
    const b = open(root, storage, fakeEngine(`${CONTENT_KEY_PREFIX}b`));
    await b.update();
    const folders = readdirSync(join(storage, 'index', 'vectors')).sort();
    open(root, storage, fakeEngine(`${CONTENT_KEY_PREFIX}b`, ['/models/a']));
    assert.deepEqual(readdirSync(join(storage, 'index', 'vectors')).sort(), folders, 'both stores are still there');
  });
});
