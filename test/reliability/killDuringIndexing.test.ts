/**
 * Fault injection: the sidecar is SIGKILLed at seeded random moments while it indexes, round after round.
 * After every kill the index on disk is opened as a restart would open it: no damaged file may be found
 * (writes are temp-then-rename), and every stored vector must equal a fresh embedding of its chunk's text.
 * The last start must finish the work without embedding anything a previous round had already stored.
 *
 * Rounds: 5 in CI, 25 with `T5_RELIABILITY_LONG=1` (or `T5_RELIABILITY_ROUNDS=n`); seed `T5_RELIABILITY_SEED`.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { EmbedRequest, IndexDetailsRequest } from '../../src/shared/protocol';
import { goldenDir } from '../support/paths';
import { maxAbsDiff, readStoredIndex, rounds, SEED, seededRandom, sleep, waitFor } from '../support/reliability';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { makeWorkspace } from '../support/workspaceFixture';
import { sentence } from '../support/generatedWorkspace';
import { tempDir } from '../support/tempDir';

const ROUNDS = rounds(5, 25);
const FILES = 3000;
const settings = { model: goldenDir('tiny-st5'), offline: true, threads: 1, precision: 'fp32' as const };
const indexSettings = { ...settings, index: { enabled: true, include: ['**/*'], exclude: [], useIgnoreFiles: true, maxFileBytes: 1_000_000, includeGenerated: [], minWords: 4, quantization: 'fp32' as const, pauseWhenUnfocused: false } };
/** fp32 storage: a stored vector must equal a fresh embedding up to batch-shape rounding. */
const TOLERANCE = 1e-4;

describe('SIGKILL at random points during indexing', { timeout: 170_000 }, () => {
  let oracle: Sidecar;
  const fresh = new Map<string, Float32Array>();
  before(async () => {
    // A second sidecar without a workspace computes the reference embeddings.
    oracle = await startSidecar(settings);
    assert.equal((await oracle.settled()).state, 'ready');
  });
  after(() => oracle.stop());

  /** Fresh embeddings of the texts not seen before, by hash. */
  async function embedFresh(chunks: Map<string, string>): Promise<void> {
    const todo = [...chunks].filter(([h]) => !fresh.has(h));
    for (let i = 0; i < todo.length; i += 256) {
      const part = todo.slice(i, i + 256);
      const { vectors } = await oracle.connection.sendRequest(EmbedRequest, { texts: part.map(([, t]) => t) });
      part.forEach(([h], j) => fresh.set(h, Float32Array.from(vectors![j])));
    }
  }

  it(`keeps the index consistent and resumes without redoing work (${ROUNDS} rounds, seed ${SEED})`, async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) files[`notes/n${i}.md`] = `# Note ${i}\n\n${sentence(i)} ${sentence(i + 7e5)}\n`;
    const root = makeWorkspace(files);
    const storage = tempDir('t5-kill-rounds-');
    const random = seededRandom(SEED);
    const log: string[] = [];
    let killedMidWay = 0;
    let persisted = 0;
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const sidecar = await startSidecar(indexSettings, storage, { folders: [root], trusted: true });
        await waitFor(() => sidecar.indexStatuses.some((s) => s.state === 'indexing') || sidecar.statuses.some((s) => s.state === 'error'), 60_000, 'indexing to start');
        // Kill points spread over the whole run: round r dies somewhere in the r-th slice of the files,
        // plus up to half a second so some kills land inside a flush.
        const target = Math.floor((FILES * (round - 1 + random.next())) / ROUNDS);
        await waitFor(() => (sidecar.indexStatuses.at(-1)?.filesIndexed ?? 0) >= target || sidecar.indexStatuses.some((s) => s.state === 'idle'), 120_000, `${target} files indexed`);
        const delay = random.int(0, 500);
        await sleep(delay);
        const finished = sidecar.indexStatuses.some((s) => s.state === 'idle');
        const exited = new Promise((r) => sidecar.process.once('exit', (_c, signal) => r(signal)));
        sidecar.process.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
        await sidecar.stop();
        if (!finished) killedMidWay++;

        const stored = readStoredIndex(storage, root);
        assert.deepEqual(stored.warnings, [], `round ${round}: a restart found a damaged file`);
        await embedFresh(stored.chunks);
        let worst = 0;
        for (const [hash, vector] of stored.vectors) worst = Math.max(worst, maxAbsDiff(vector, fresh.get(hash)!));
        assert.ok(worst < TOLERANCE, `round ${round}: a stored vector differs from a fresh embedding by ${worst}`);
        assert.ok(stored.vectors.size >= persisted, `round ${round}: stored vectors went from ${persisted} to ${stored.vectors.size}`);
        persisted = stored.vectors.size;
        log.push(`round ${round}: killed at ${target}+ files and ${delay} ms${finished ? ' (already idle)' : ''}; ${stored.files} files, ${stored.vectors.size}/${stored.chunks.size} vectors on disk, max diff ${worst.toExponential(1)}`);
      }

      // The last start finishes the job, embedding only what no round had stored.
      const last = await startSidecar(indexSettings, storage, { folders: [root], trusted: true });
      let details;
      try {
        assert.equal((await last.indexSettled()).state, 'idle');
        details = await last.connection.sendRequest(IndexDetailsRequest);
      } finally {
        await last.stop();
      }
      const final = readStoredIndex(storage, root);
      assert.equal(final.files, FILES);
      assert.equal(final.vectors.size, final.chunks.size, 'every chunk has its vector');
      assert.equal(details.embeddedThisSession, final.chunks.size - persisted, 'the last start embedded exactly what was missing');
      await embedFresh(final.chunks);
      for (const [hash, vector] of final.vectors) assert.ok(maxAbsDiff(vector, fresh.get(hash)!) < TOLERANCE);
      console.log(log.join('\n'));
      console.log(
        `SIGKILL rounds: ${ROUNDS} run, ${ROUNDS} survived (${killedMidWay} mid-indexing); ${persisted} of ${final.chunks.size} vectors kept across kills; ` +
          `final start embedded ${details.embeddedThisSession}`,
      );
      assert.ok(killedMidWay >= Math.ceil(ROUNDS / 2), `most kills should land mid-indexing (${killedMidWay} of ${ROUNDS})`);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(storage, { recursive: true, force: true });
    }
  });
});
