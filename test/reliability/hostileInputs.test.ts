/**
 * Hostile inputs through the bundled CLI (dist/cli.js), one per case of the security review: ignore files
 * and the suppressions file that are links to /dev/zero, /dev/stdin or an outside file; model folders whose
 * modules.json leaves the folder, whose safetensors header lists overlapping tensors, whose
 * max_seq_length is beyond the encoder graph, or whose tokenizer.json has a backtracking regex; and a hub
 * that redirects a download to another host (the fake hub, the other host on 127.0.0.2).
 * Each case must end quickly with the file refused (named in the message) and nothing read through a link.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startFakeHub } from '../support/fakeHub';
import { goldenDir, repoRoot } from '../support/paths';
import { tempDir } from '../support/tempDir';

const MODEL = goldenDir('tiny-st5');
const SECRET = 'SECRET-7f3a-do-not-index';
const temps: string[] = [];
const temp = (prefix: string) => {
  const d = tempDir(`t5-hostile-${prefix}-`);
  temps.push(d);
  return d;
};
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  millis: number;
}

/** Runs the CLI with stdin an open pipe that never sends anything (a read of /dev/stdin would wait forever). */
function cli(args: string[], input?: string, timeoutMs = 60_000): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(repoRoot, 'dist/cli.js'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  if (input !== undefined) child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      if (input === undefined) child.stdin.destroy();
      resolve({ code, stdout, stderr, millis: Date.now() - started });
    }),
  );
}

function outsideSecret(): string {
  const dir = temp('outside');
  writeFileSync(join(dir, 'secret.txt'), `${SECRET} aws_secret_access_key = abcdefghijklmnop\n`);
  return join(dir, 'secret.txt');
}

function workspace(): string {
  const root = temp('ws');
  writeFileSync(join(root, 'README.md'), '# Notes\n\nA paragraph about herons that is long enough to be indexed by the tool here.\n');
  return root;
}

describe('hostile ignore and suppressions files (CLI)', { timeout: 170_000 }, () => {
  it('ignore files linked to /dev/zero and /dev/stdin are not read: index ends at once', async () => {
    const root = workspace();
    for (const d of ['a', 'b', 'c', 'd']) {
      mkdirSync(join(root, d));
      symlinkSync('/dev/zero', join(root, d, '.gitignore'));
      writeFileSync(join(root, d, 'note.md'), `# ${d}\n\nA note about egrets in folder ${d} that is long enough to index.\n`);
    }
    symlinkSync('/dev/stdin', join(root, '.ignore'));
    symlinkSync(outsideSecret(), join(root, 'a', '.ignore'));
    const storage = temp('storage');
    const r = await cli(['index', root, '--model', MODEL, '--offline', '--storage', storage, '--json']);
    console.log(`index with linked ignore files: exit ${r.code} in ${r.millis} ms`);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.millis < 30_000, `took ${r.millis} ms`);
    const s = await cli(['search', root, 'egrets', '--model', MODEL, '--offline', '--storage', storage, '--mode', 'keyword', '--json']);
    assert.equal(s.code, 0, s.stderr);
    assert.equal((JSON.parse(s.stdout) as { path: string }[]).length ?? 0, 4, 'the notes are indexed (no ignore file was read)');
  });

  it('a suppressions file linked to an outside file or /dev/stdin is refused without quoting it', async () => {
    for (const target of [outsideSecret(), '/dev/stdin', '/dev/zero']) {
      const root = workspace();
      mkdirSync(join(root, '.vscode'));
      symlinkSync(target, join(root, '.vscode', 't5-semantic-ignore.json'));
      const r = await cli(['dupes', root, '--model', MODEL, '--offline', '--storage', temp('storage'), '--json']);
      console.log(`dupes with the suppressions file -> ${target}: exit ${r.code} in ${r.millis} ms`);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.millis < 30_000, `took ${r.millis} ms`);
      assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET), 'the outside file is not echoed');
      assert.match(r.stderr, /t5-semantic-ignore\.json is not read: .*symbolic link/);
    }
  });
});

describe('hostile model folders (CLI embed)', { timeout: 170_000 }, () => {
  const modelCopy = (change: (dir: string) => void): string => {
    const dir = temp('model');
    cpSync(MODEL, dir, { recursive: true });
    change(dir);
    return dir;
  };
  // --verbose: the cap is reported on the log, which the CLI prints only when asked.
  const embed = (model: string, texts: string[] = ['a sentence about herons'], timeoutMs?: number) =>
    cli(['embed', '--model', model, '--storage', temp('storage'), '--verbose'], JSON.stringify(texts), timeoutMs);

  it('refuses a modules.json path that leaves the model folder', async () => {
    const model = modelCopy((dir) => {
      const modules = JSON.parse(readFileSync(join(dir, 'modules.json'), 'utf8'));
      modules[1].path = '../../../../etc/ssl';
      writeFileSync(join(dir, 'modules.json'), JSON.stringify(modules));
    });
    const r = await embed(model);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /modules\.json lists a module path "\.\.\/\.\.\/\.\.\/\.\.\/etc\/ssl"; expected a folder name inside the model folder/);
    assert.doesNotMatch(r.stderr, /etc\/ssl\/config\.json/);
  });

  it('refuses a safetensors header whose 400 tensors share the same bytes, before decoding any', async () => {
    const model = modelCopy((dir) => {
      const header: Record<string, unknown> = {};
      for (let i = 0; i < 400; i++) header[`t${i}`] = { dtype: 'F32', shape: [1024, 1024], data_offsets: [0, 4 * 1024 * 1024] };
      const json = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      writeFileSync(join(dir, '2_Dense', 'model.safetensors'), Buffer.concat([len, json, Buffer.alloc(4 * 1024 * 1024)]));
    });
    const r = await embed(model);
    console.log(`overlapping safetensors: exit ${r.code} in ${r.millis} ms`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Tensors t\d+ and t\d+ in .*2_Dense\/model\.safetensors overlap/);
  });

  it('caps max_seq_length at what the graph supports, with a log line, and embeds a long text', async () => {
    const model = modelCopy((dir) => writeFileSync(join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 100_000 })));
    const r = await embed(model, [Array.from({ length: 6000 }, (_, i) => `w${i}`).join(' ')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /max_seq_length 100000 .* more than the encoder graph supports; using 4096 tokens/);
    assert.equal((JSON.parse(r.stdout) as number[][]).length, 1);
  });

  it('refuses a tokenizer.json with a catastrophic-backtracking pre-tokenizer regex, quickly', async () => {
    const model = modelCopy((dir) => {
      const tok = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
      tok.pre_tokenizer = { type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false };
      writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok));
    });
    const r = await embed(model, ['a'.repeat(26) + '!'], 30_000);
    console.log(`backtracking tokenizer regex: exit ${r.code} in ${r.millis} ms`);
    assert.notEqual(r.code, null, 'did not hang');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /tokenizer\.json has a regular expression that can take exponential time/);
  });
});

describe('a hub that redirects elsewhere (CLI, fake hub)', { timeout: 60_000 }, () => {
  it('does not follow a redirect to a second host, and names it', async () => {
    const second = await startFakeHub(MODEL, { repo: 'fake/tiny-st5', host: '127.0.0.2' });
    const hub = await startFakeHub(MODEL, { repo: 'fake/tiny-st5', redirect: { 'model.safetensors': `${second.url}/fake/tiny-st5/resolve/main/model.safetensors` } });
    try {
      const r = await cli(['embed', '--model', 'fake/tiny-st5', '--hub-url', hub.url, '--storage', temp('storage')], '["x"]');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /redirected model\.safetensors .* to http:\/\/127\.0\.0\.2:\d+, which is neither the hub/);
      assert.deepEqual(second.requests, [], 'the second host was never contacted');
    } finally {
      await hub.close();
      await second.close();
    }
  });
});
