/**
 * CLI manners: a progress line on stderr only when it is a terminal, with files, chunks, rate and time
 * left; `--help` lists every option the README's command-line section shows; internal log lines only
 * with `--verbose`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { logger } from '../../src/cli/options';
import { clock, progressLine, progressText } from '../../src/cli/progress';
import { repoRoot } from '../support/paths';

const progress = (filesIndexed: number, filesTotal: number, chunks: number) => ({ state: 'indexing' as const, filesIndexed, filesTotal, filesWithKeywords: filesIndexed, chunks });

describe('CLI progress line', () => {
  it('shows files, chunks, rate and time left', () => {
    assert.equal(progressText(progress(400, 2000, 3210), 20), '400/2,000 files (20%) · 3,210 chunks · 20 files/s · 1:20 left');
    assert.equal(progressText(progress(0, 0, 0), 0), '0/0 files · 0 chunks');
    assert.equal(clock(3725), '1:02:05');
  });

  it('draws on a terminal (throttled, rewritten in place) and writes nothing when piped', () => {
    let t = 0;
    const tty: string[] = [];
    const line = progressLine({ isTTY: true, write: (s) => tty.push(s) }, () => t);
    t = 1000;
    line.onProgress(progress(10, 100, 50));
    t = 1050;
    line.onProgress(progress(11, 100, 55)); // within the redraw interval: skipped
    t = 2000;
    line.onProgress(progress(20, 100, 90));
    assert.equal(tty.length, 2);
    assert.ok(tty.every((s) => s.startsWith('\r')));
    assert.match(tty[1], /20\/100 files \(20%\) · 90 chunks · 10 files\/s · 0:08 left/);
    const piped: string[] = [];
    const quiet = progressLine({ isTTY: false, write: (s) => piped.push(s) });
    quiet.onProgress(progress(10, 100, 50));
    quiet.done();
    assert.deepEqual(piped, []);
  });

  it('logs internal lines only with --verbose', () => {
    const original = process.stderr.write.bind(process.stderr);
    const seen: string[] = [];
    process.stderr.write = ((s: string) => (seen.push(s), true)) as typeof process.stderr.write;
    try {
      logger({})('The saved keyword index was older than the file tables: 0 files brought up to date.');
      logger({ verbose: false })('quiet');
      logger({ verbose: true })('loud');
    } finally {
      process.stderr.write = original;
    }
    assert.deepEqual(seen, ['loud\n']);
  });
});

describe('CLI --help', () => {
  it('lists every option the README shows for the command line', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), '--help'], { encoding: 'utf8', cwd: repoRoot });
    assert.equal(r.status, 0, r.stderr);
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('\n## ', readme.indexOf('## Command line') + 5));
    const options = [...new Set(section.match(/--[a-z][a-z-]+/g))];
    assert.ok(options.includes('--precision') && options.length > 10, options.join(' '));
    for (const o of options) assert.ok(r.stdout.includes(o), `--help lists ${o}`);
  });
});
