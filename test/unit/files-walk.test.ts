import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileRules } from '../../src/server/indexing/files/index';
import { tempDir } from '../support/tempDir';

/** 20 top folders x 25 subfolders x 40 files = 20,000 files, each top folder with its own .gitignore. */
const TOP = 20;
const SUB = 25;
const PER_DIR = 40;
/** node_modules: 500 packages x 2 folders x 50 files = 50,000 files that must be pruned. */
const PACKAGES = 500;

/** tmpfs where there is one: making 70,000 files on a busy disk can take a minute, walking them does not. */
function tempBase(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

describe('FileRules.walk on a large tree', () => {
  let root: string;
  let expected = 0;

  before(() => {
    const started = performance.now();
    root = tempDir('files-walk-', undefined, tempBase());
    fs.writeFileSync(path.join(root, '.gitignore'), '*.tmp\n');
    for (let t = 0; t < TOP; t++) {
      const top = path.join(root, `pkg${t}`);
      fs.mkdirSync(top);
      fs.writeFileSync(path.join(top, '.gitignore'), '# nested\nscratch/\n');
      for (let s = 0; s < SUB; s++) {
        const dir = path.join(top, `mod${s}`);
        fs.mkdirSync(dir);
        for (let f = 0; f < PER_DIR; f++) {
          // Every tenth file is ignored by the root .gitignore, so the ignore rules run on every file.
          fs.writeFileSync(path.join(dir, f % 10 === 9 ? `f${f}.tmp` : `f${f}.ts`), '// x\n');
          if (f % 10 !== 9) expected++;
        }
      }
    }
    expected += TOP + 1; // the .gitignore files
    for (let p = 0; p < PACKAGES; p++) {
      for (const sub of ['lib', 'src']) {
        const dir = path.join(root, 'node_modules', `dep${p}`, sub);
        fs.mkdirSync(dir, { recursive: true });
        for (let f = 0; f < 50; f++) fs.writeFileSync(path.join(dir, `m${f}.js`), '');
      }
    }
    console.log(`built the tree (${TOP * SUB * PER_DIR + PACKAGES * 100} files) in ${root} in ${Math.round(performance.now() - started)} ms`);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('walks 20,000 files and prunes a 50,000-file node_modules quickly', async () => {
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      const rules = new FileRules(root, { searchExclude: { '**/node_modules': true, '**/bower_components': true } });
      const started = performance.now();
      let count = 0;
      const skipped: string[] = [];
      for await (const f of rules.walk(undefined, (rel) => skipped.push(rel))) {
        assert.ok(!f.relPath.includes('node_modules'));
        count++;
      }
      times.push(performance.now() - started);
      assert.equal(count, expected);
      assert.deepEqual(skipped.filter((s) => !s.endsWith('.tmp')), ['node_modules'], 'node_modules is reported once and never entered');
    }
    console.log(`walk of the 20,000-file tree (${expected} yielded, node_modules pruned): ${times.map((t) => `${Math.round(t)} ms`).join(', ')} (cold FileRules each run)`);
    assert.ok(Math.max(...times) < 10_000, `walk took ${Math.round(Math.max(...times))} ms`);
  });
});
