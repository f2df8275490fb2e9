/**
 * Fault injection on the file table's log (store/fileTable.ts): a process saving edits round after round,
 * appending records and now and then rewriting the log whole, is SIGKILLed at seeded random moments. After
 * every kill the table must open without a warning, hold every file, and hold at least every save the
 * process had reported done (a record cut short is the save that did not happen, never damage).
 *
 * Rounds: 8 in CI, 40 with `T5_RELIABILITY_LONG=1` (or `T5_RELIABILITY_ROUNDS=n`); seed `T5_RELIABILITY_SEED`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileTable } from '../../src/server/indexing/store/fileTable';
import { rounds, SEED, seededRandom, sleep, waitFor } from '../support/reliability';
import { tempDir } from '../support/tempDir';

const ROUNDS = rounds(8, 40);
const FILES = 3000;
const PER_ROUND = 150;

describe('SIGKILL while the file table log is written', { timeout: 170_000 }, () => {
  it(`opens cleanly with every reported save after each kill (${ROUNDS} rounds, seed ${SEED})`, async () => {
    const path = join(tempDir('t5-kill-log-'), 'table.log');
    const random = seededRandom(SEED);
    const lines: string[] = [];
    let lastDone = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'tableLogWriter.ts'), path, String(FILES), String(PER_ROUND)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let done = 0;
      let stderr = '';
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const complete = buffered.split('\n');
        buffered = complete.pop()!;
        for (const line of complete) done = Number(line);
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (code, signal) => r(signal ?? (code === null ? null : (`exit ${code}` as NodeJS.Signals)))));
      await waitFor(() => done > lastDone || child.exitCode !== null, 60_000, 'a first save');
      assert.equal(child.exitCode, null, `the writer stopped by itself: ${stderr}`);
      const first = done;
      await sleep(random.int(0, 1500));
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL', stderr);
      const warnings: string[] = [];
      const table = FileTable.open(path, '/ws', (m) => void warnings.push(m));
      assert.deepEqual(warnings, [], `round ${round}: the log was reported damaged`);
      assert.equal(table.files.size, FILES, `round ${round}: every file is there`);
      const newest = Math.max(...[...table.files.values()].map((e) => Number(e.contentHash)));
      assert.ok(newest >= done, `round ${round}: save ${done} was reported done but the newest on disk is ${newest}`);
      for (const [rel, entry] of table.files) assert.equal(entry.chunks[0].text, `file ${rel.slice(7, -3)} written in round ${entry.contentHash} `.repeat(4));
      lines.push(`round ${round}: saves ${first}..${done} reported, newest on disk ${newest}, log ${statSync(path).size} bytes`);
      lastDone = done;
    }
    console.log(lines.join('\n'));
    // Each save appends ~PER_ROUND files' records: without the rewrites the log would grow by all of them.
    const bound = 4 * FileTable.open(path, '/ws', assert.fail).files.size * 400;
    assert.ok(statSync(path).size < bound, `the log is rewritten as it grows (${statSync(path).size} bytes after ${lastDone} saves)`);
    console.log(`table log kill rounds: ${ROUNDS} survived; ${lastDone} saves in all; log ${statSync(path).size} bytes at the end`);
  });
});
