/**
 * The sidecar's duplicate host as the extension sees it (diagnostics and `duplicatesChanged`), with a fake
 * connection: a suppressions file edited outside the extension republishes at once, and so does an ignore
 * request; a change to any other file does not.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import type { Connection } from 'vscode-languageserver/node';
import { DuplicatesHost } from '../../src/server/duplicates/host';
import type { ChunkSource } from '../../src/server/duplicates/detector';
import { fingerprint } from '../../src/server/duplicates/normalize';
import { SUPPRESSIONS_FILE } from '../../src/server/duplicates/suppressions';
import { hashText, type Chunk } from '../../src/server/indexing/chunker';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { tempDir } from '../support/tempDir';

const TEXT = 'Every write goes to a temporary file that is renamed over the old one so a crash never leaves half a file behind for the next start.';

function fakeIndex(folder: string, files: string[]): ChunkSource {
  const vector = Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : 0));
  const chunk: Chunk = { hash: hashText(TEXT), text: TEXT, kind: 'comment', language: 'typescript', range: { startLine: 0, startCharacter: 0, endLine: 1, endCharacter: 0 }, tiny: false };
  return {
    *chunks() {
      for (const relPath of files) yield { folder, relPath, chunk };
    },
    vectors: { dims: 8, get: () => vector },
  };
}

function fakeConnection() {
  const diagnostics = new Map<string, number>();
  const notifications: string[] = [];
  const connection = {
    sendDiagnostics: async (p: { uri: string; diagnostics: unknown[] }) => void diagnostics.set(p.uri, p.diagnostics.length),
    sendNotification: async (type: { method: string }) => void notifications.push(type.method),
  } as unknown as Connection;
  return { connection, diagnostics, notifications };
}

async function setUp() {
  const folder = tempDir('t5-dupes-host-');
  const { connection, diagnostics, notifications } = fakeConnection();
  const host = new DuplicatesHost(connection, () => [folder], () => undefined);
  host.configure({ ...DEFAULT_SETTINGS.duplicates, enabled: true }, undefined);
  await host.indexUpdated(fakeIndex(folder, ['a.ts', 'b.ts']));
  const uris = ['a.ts', 'b.ts'].map((f) => pathToFileURL(join(folder, f)).href);
  return { folder, host, diagnostics, notifications, uris };
}

describe('DuplicatesHost republishing on suppression changes', () => {
  it('a suppressions file written by hand clears the diagnostics and notifies the client; other files do not', async () => {
    const { folder, host, diagnostics, notifications, uris } = await setUp();
    assert.deepEqual(uris.map((u) => diagnostics.get(u)), [1, 1], 'both copies are reported');
    const before = notifications.length;

    writeFileSync(join(folder, 'a.ts'), '// edited');
    await host.suppressionsChanged([join(folder, 'a.ts')]);
    assert.equal(notifications.length, before, 'an unrelated file changes nothing here');

    mkdirSync(join(folder, '.vscode'), { recursive: true });
    writeFileSync(join(folder, SUPPRESSIONS_FILE), JSON.stringify({ ignore: [fingerprint(TEXT)] }));
    await host.suppressionsChanged([join(folder, SUPPRESSIONS_FILE)]);
    assert.deepEqual(uris.map((u) => diagnostics.get(u)), [0, 0], 'both copies are ignored now');
    assert.equal(notifications.at(-1), 't5Semantic/duplicatesChanged');
    const groups = await host.groups({});
    assert.ok(groups.groups[0]!.members.every((m) => m.suppressed), 'the view learns they are ignored');

    writeFileSync(join(folder, SUPPRESSIONS_FILE), JSON.stringify({ ignore: [] }));
    await host.suppressionsChanged([join(folder, SUPPRESSIONS_FILE)]);
    assert.deepEqual(uris.map((u) => diagnostics.get(u)), [1, 1], 'removing the entry reports them again');
  });

  it('an ignore request republishes and notifies', async () => {
    const { host, diagnostics, notifications, uris } = await setUp();
    const before = notifications.length;
    const result = await host.ignore({ fingerprint: fingerprint(TEXT), uri: uris[0] });
    assert.equal(result.count, 1);
    assert.deepEqual(uris.map((u) => diagnostics.get(u)), [0, 0]);
    assert.equal(notifications.length, before + 1);
  });
});
