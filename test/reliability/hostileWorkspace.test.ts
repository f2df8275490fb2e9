/**
 * Hostile workspace content, indexed by the real sidecar: invalid UTF-8, UTF-16 with and without BOM, NUL
 * bytes, a 200 MB file (sparse: it must be skipped by size without being read), 1 MB single-line files,
 * many tiny files, 200 levels of folders, symlink loops and a link out of the workspace, files that vanish
 * or change while being read (and one replaced by a FIFO), a file without read permission and names with
 * newlines and odd Unicode.
 * The index must settle, the sidecar stay alive, every file be indexed or skipped with a reason, and
 * searches find what they should.
 *
 * As root, file modes do not stop reads, so the sidecar runs as `nobody` here (the unreadable-file case
 * would otherwise prove nothing). Tiny files: 10,000 in CI, 100,000 with `T5_RELIABILITY_LONG=1`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { IgnoreDuplicateRequest, IndexDetailsRequest, ModelInfoRequest, SearchRequest, WhyNotIndexedRequest, type IndexDetails } from '../../src/shared/protocol';
import { goldenDir, repoRoot } from '../support/paths';
import { LONG, seededRandom, SEED, sleep } from '../support/reliability';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { assertUserCanRead, pathsOutside, traceFiles, tracedPaths } from './fileTrace';
import { tempDir } from '../support/tempDir';

const TINY_FILES = LONG ? 100_000 : 10_000;
const asRoot = process.getuid?.() === 0;
const settings = { model: goldenDir('tiny-st5'), offline: true, threads: 1 };
const ODD_NAMES = ['odd\nname with newline.md', 'ünïcödé 文件 🚀.md', ' leading space.md', '-dash.md', 'back\\slash.md', '%2e%2e.md', 'hash#?.md', 'rtl\u202etxt.md'];
/** /proc/<pid>/io: bytes the process read through read() and friends. */
const bytesRead = (pid: number) => Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);

function buildWorkspace(root: string): void {
  const write = (rel: string, data: string | Buffer) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), data);
  };
  write('README.md', '# Hostile\n\nA workspace written to break indexers, with one ordinary paragraph about zebras.\n');
  // Encodings.
  write('enc/latin1.md', Buffer.concat([Buffer.from('# Caf'), Buffer.from([0xe9]), Buffer.from('\n\nA stray Latin-1 byte in otherwise plain text about giraffes and caf'), Buffer.from([0xe9, 0x0a])]));
  write('enc/garbage.md', Buffer.from(Array.from({ length: 4000 }, (_, i) => 0x80 + (i % 64))));
  write('enc/utf16le-bom.md', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# Wide\n\nUTF-16 text about pelicans.\n', 'utf16le')]));
  write('enc/utf16be.ts', Buffer.from('// UTF-16 big endian comment about walruses\n', 'utf16le').swap16());
  write('enc/utf8-bom.md', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# Bom\n\nA byte order mark before a paragraph about flamingos and herons.\n')]));
  write('enc/nul.py', Buffer.concat([Buffer.from('# comment about otters\n'), Buffer.from([0, 0, 0]), Buffer.from('x = 1\n')]));
  write('enc/lone-surrogates.md', '# Lone\n\nBroken \ud800 surrogates \udfff in a paragraph about ibexes and chamois.\n');
  // Size.
  writeFileSync(join(root, 'huge.md'), '');
  truncateSync(join(root, 'huge.md'), 200 * 1024 * 1024); // sparse: instant, and reading it would show in rchar
  write('oneline.md', `${Array.from({ length: 120_000 }, (_, i) => `w${i % 1000}`).join(' ')} narwhal`.slice(0, 990_000));
  write('oneline-nospace.ts', `// ${'x'.repeat(990_000)}\n// a comment about manatees after a giant one\n`);
  // Many tiny files.
  for (let i = 0; i < TINY_FILES; i++) {
    if (i % 1000 === 0) mkdirSync(join(root, 'tiny', `p${i / 1000}`), { recursive: true });
    writeFileSync(join(root, 'tiny', `p${Math.floor(i / 1000)}`, `t${i}.md`), `# T${i}\n\nTiny note number ${i} about sparrows.\n`);
  }
  // Deep nesting.
  const deep = join('deep', ...Array.from({ length: 200 }, () => 'd'));
  write(join(deep, 'bottom.md'), '# Bottom\n\nThe deepest paragraph of the workspace talks about anglerfish.\n');
  // Symlinks: loops and a way out.
  mkdirSync(join(root, 'links/a'), { recursive: true });
  symlinkSync('.', join(root, 'links/self'));
  symlinkSync('../a', join(root, 'links/a/up'));
  symlinkSync('/etc', join(root, 'links/escape'));
  symlinkSync('/etc/passwd', join(root, 'links/passwd.md'));
  symlinkSync('missing-target.md', join(root, 'links/dangling.md'));
  // Odd names.
  ODD_NAMES.forEach((name, i) => write(join('odd', name), `# Odd ${i}\n\nA file with an odd name, paragraph about oddword${i}x here.\n`));
  // No read permission (chmod below, after ownership is settled).
  write('secret/unreadable.md', '# Secret\n\nNobody may read this paragraph about tapirs.\n');
}

describe('hostile workspace content', { timeout: 170_000 }, () => {
  let root: string;
  let storage: string;
  let sidecar: Sidecar;
  let details: IndexDetails;
  let churned = 0;
  let millis = 0;

  before(async () => {
    root = tempDir('t5-hostile-');
    storage = tempDir('t5-hostile-storage-');
    const made = Date.now();
    buildWorkspace(root);
    const building = Date.now() - made;
    if (asRoot) {
      spawnSync('chown', ['-R', '65534:65534', root, storage]);
      assertUserCanRead(65534, 65534, [root, storage, join(repoRoot, 'dist/server.js'), goldenDir('tiny-st5')]);
    }
    chmodSync(join(root, 'secret/unreadable.md'), 0o000);
    const started = Date.now();
    sidecar = await startSidecar(settings, storage, { folders: [root], trusted: true, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });

    // Files that vanish, reappear and change while the index reads them.
    const random = seededRandom(SEED + 4);
    mkdirSync(join(root, 'churn'), { recursive: true });
    if (asRoot) spawnSync('chown', ['65534:65534', join(root, 'churn')]);
    let churning = true;
    const churn = (async () => {
      while (churning) {
        const path = join(root, 'churn', `c${random.int(0, 19)}.md`);
        try {
          if (random.next() < 0.4) unlinkSync(path);
          else writeFileSync(path, `# Churn\n\nVersion ${churned} of a file about lemurs${'.'.repeat(random.int(0, 5000))}\n`);
        } catch {
          // already gone
        }
        churned++;
        sidecar.filesChanged([{ path, type: 2 }]);
        await sleep(random.int(0, 5));
      }
    })();
    const status = await sidecar.indexSettled();
    churning = false;
    await churn;
    assert.equal(status.state, 'idle', status.message);
    // Settle once more after the last churn events.
    await sleep(600);
    while (sidecar.indexStatuses.at(-1)?.state !== 'idle') await sleep(50);
    millis = Date.now() - started;
    details = await sidecar.connection.sendRequest(IndexDetailsRequest);
    console.log(`built the workspace in ${building} ms; indexed in ${millis} ms`);
  });
  after(async () => {
    await sidecar?.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  const skipped = (path: string) => details.folders[0].skipped.find((s) => s.path === path);
  /** Why a path is not indexed: from the index's skip list, else asked (the walk's own skips are not listed). */
  const whyNot = async (path: string) =>
    skipped(path) ?? (await sidecar.connection.sendRequest(WhyNotIndexedRequest, { uri: pathToFileURL(join(root, path)).href }));
  const search = (query: string) => sidecar.connection.sendRequest(SearchRequest, { query, mode: 'keyword', topK: 5 });

  it('settles with the sidecar alive, and never read the 200 MB file', async () => {
    assert.ok((await sidecar.connection.sendRequest(ModelInfoRequest)).dimensions > 0);
    const read = bytesRead(sidecar.process.pid!);
    assert.ok(read < 150e6, `the sidecar read ${(read / 1e6).toFixed(0)} MB in all`);
    assert.match((await whyNot('huge.md')).rule ?? '', /larger than|size|MB/i);
    const files = details.folders[0].files;
    console.log(
      `hostile workspace: ${files} files indexed, ${details.folders[0].skipped.length} skipped with a reason, ${details.folders[0].chunks} chunks; ` +
        `${TINY_FILES} tiny files; churn events ${churned}; sidecar read ${(read / 1e6).toFixed(1)} MB in total (the sparse 200 MB file not read)`,
    );
    console.log(`skipped: ${details.folders[0].skipped.filter((s) => !s.path.startsWith('tiny/')).map((s) => `${JSON.stringify(s.path)} (${s.rule})`).join('; ')}`);
  });

  it('indexes every tiny file and the bottom of 200 nested folders', async () => {
    const tiny = (await sidecar.connection.sendRequest(SearchRequest, { query: 'sparrows', mode: 'keyword', topK: 1000, perFile: 1 })).hits;
    assert.equal(tiny.length, 1000, 'tiny files are searchable');
    assert.ok(details.folders[0].files >= TINY_FILES, `${details.folders[0].files} files`);
    const bottom = (await search('anglerfish')).hits[0];
    assert.equal(bottom?.path, `deep/${'d/'.repeat(200)}bottom.md`);
  });

  it('handles broken encodings: readable text indexed, binary-looking files skipped with a reason', async () => {
    assert.equal((await search('giraffes')).hits[0]?.path, 'enc/latin1.md');
    assert.equal((await search('ibexes')).hits[0]?.path, 'enc/lone-surrogates.md');
    const bom = (await search('flamingos')).hits[0];
    assert.equal(bom?.path, 'enc/utf8-bom.md');
    assert.ok(!bom.text.includes('\ufeff'), 'the BOM is not part of the text');
    for (const path of ['enc/garbage.md', 'enc/utf16le-bom.md', 'enc/utf16be.ts', 'enc/nul.py']) {
      const found = skipped(path) ?? (await search(path.includes('utf16le') ? 'pelicans' : path.includes('be') ? 'walruses' : 'otters')).hits.find((h) => h.path === path);
      assert.ok(found, `${path} is indexed or skipped with a reason`);
      if ('rule' in found) assert.match(found.rule, /binary/);
    }
  });

  it('indexes 1 MB single-line files (with and without whitespace)', async () => {
    assert.equal((await search('narwhal')).hits[0]?.path, 'oneline.md');
    assert.equal((await search('manatees')).hits[0]?.path, 'oneline-nospace.ts');
  });

  it('never follows symlinks: no loop, nothing from outside the workspace', async () => {
    const chunksFromLinks = (await sidecar.connection.sendRequest(SearchRequest, { query: 'root', mode: 'keyword', topK: 100 })).hits.filter((h) => h.path.startsWith('links/'));
    assert.deepEqual(chunksFromLinks, []);
    for (const path of ['links/self', 'links/a/up', 'links/escape', 'links/passwd.md', 'links/dangling.md']) {
      assert.match((await whyNot(path)).rule ?? '', /symbolic link/i, path);
    }
  });

  it(`reads unreadable files as an error it reports${asRoot ? ' (sidecar run as nobody: root reads any file)' : ''}`, async () => {
    assert.match(skipped('secret/unreadable.md')?.rule ?? '', /unreadable.*EACCES/);
    assert.deepEqual((await search('tapirs')).hits, []);
  });

  it('finds files with odd names by their exact name', async () => {
    for (const [i, name] of ODD_NAMES.entries()) {
      const hit = (await search(`oddword${i}x`)).hits[0];
      assert.equal(hit?.path, `odd/${name}`, JSON.stringify(name));
      assert.ok(decodeURIComponent(new URL(hit.uri).pathname).endsWith(`/odd/${name}`), hit.uri);
    }
  });

  it('a FIFO put in place of a file (reported by the watcher) does not hang the index', async () => {
    // It used to: readFile on a FIFO without a writer blocks forever, and every later update queued behind it.
    spawnSync('mkfifo', [join(root, 'enc/pipe.md')]);
    sidecar.filesChanged([{ path: join(root, 'enc/pipe.md'), type: 1 }]);
    await sleep(1000);
    writeFileSync(join(root, 'after-pipe.md'), '# After\n\nWritten after the pipe, a paragraph about capybaras.\n');
    sidecar.filesChanged([{ path: join(root, 'after-pipe.md'), type: 1 }]);
    let hit;
    // Long mode's 100,000 files make each update slower (file table and keyword saves): wait by the clock.
    for (const end = Date.now() + (LONG ? 300_000 : 30_000); Date.now() < end && !hit; ) {
      await sleep(100);
      hit = (await search('capybaras')).hits[0];
    }
    assert.equal(hit?.path, 'after-pipe.md', 'updates after the FIFO are indexed');
    const why = await whyNot('enc/pipe.md');
    assert.match(why.rule ?? '', /not a regular file/);
  });

  it('ends with the churned files as they are on disk', async () => {
    for (let n = 0; n < 20; n++) {
      const rel = `churn/c${n}.md`;
      let text: string | undefined;
      try {
        text = readFileSync(join(root, rel), 'utf8');
      } catch {
        text = undefined;
      }
      const version = text && /Version (\d+)/.exec(text)?.[1];
      const hits = (await search(`Version ${version ?? 'none'} lemurs`)).hits.filter((h) => h.path === rel);
      if (version) assert.ok(hits.some((h) => h.text.includes(`Version ${version} `)), `${rel} holds version ${version}`);
      else assert.deepEqual(hits, [], `${rel} was deleted`);
    }
  });

  it('links made after the first scan (the watcher reports them) and hostile suppression writes: nothing read or written through a link', async (t) => {
    const SECRET = 'SECRETLATE9b1 aws_secret_access_key';
    const outside = tempDir('t5-hostile-outside-');
    const traceDir = tempDir('t5-hostile-trace-');
    try {
      writeFileSync(join(outside, 'credentials.md'), `# Credentials\n\n${SECRET} = a paragraph of secret text that is long enough to index.\n`);
      writeFileSync(join(outside, 'victim.txt'), 'untouched\n');
      // Readable by the sidecar's user: a followed link would succeed, so refusing it is what is tested.
      if (asRoot) spawnSync('chown', ['-R', '65534:65534', outside]);
      const tracer = traceFiles(sidecar.process.pid!, join(traceDir, 'trace.txt'));
      if (tracer) await sleep(500); // strace attaches to every thread
      const late = join(root, 'late');
      mkdirSync(join(late, 'sub'), { recursive: true });
      symlinkSync(join(outside, 'credentials.md'), join(late, 'new.md'));
      symlinkSync(join(outside, 'credentials.md'), join(late, 'copy.md'));
      symlinkSync('/dev/zero', join(late, 'zero.md'));
      symlinkSync('/dev/stdin', join(late, 'stdin.md'));
      symlinkSync('/dev/zero', join(late, 'sub', '.gitignore'));
      symlinkSync('/dev/stdin', join(late, '.ignore'));
      symlinkSync(outside, join(late, 'linked'));
      if (asRoot) spawnSync('chown', ['-hR', '65534:65534', late]);
      const reported = ['new.md', 'copy.md', 'zero.md', 'stdin.md', 'sub/.gitignore', '.ignore', 'linked', 'linked/credentials.md'];
      sidecar.filesChanged(reported.map((r) => ({ path: join(late, r), type: 1 as const })));
      writeFileSync(join(root, 'after-links.md'), '# After links\n\nWritten after the links, a paragraph about okapis.\n');
      sidecar.filesChanged([{ path: join(root, 'after-links.md'), type: 1 }]);
      let hit;
      for (const end = Date.now() + (LONG ? 300_000 : 60_000); Date.now() < end && !hit; ) {
        await sleep(100);
        hit = (await search('okapis')).hits[0];
      }
      assert.equal(hit?.path, 'after-links.md', 'updates after the links are indexed (nothing hung)');
      assert.deepEqual((await search('SECRETLATE9b1')).hits, [], 'the linked secret is not indexed');
      for (const r of ['new.md', 'copy.md', 'zero.md', 'stdin.md', 'linked/credentials.md']) {
        assert.match((await whyNot(`late/${r}`)).rule ?? '', /symbolic link/i, `explain agrees for late/${r}`);
      }

      // Suppressions: a planted temp-file link, a suppressions file linked outside, a linked .vscode.
      const vscode = join(root, '.vscode');
      mkdirSync(vscode, { recursive: true });
      if (asRoot) spawnSync('chown', ['65534:65534', vscode]);
      for (const name of [`t5-semantic-ignore.json.${sidecar.process.pid}.tmp`, 't5-semantic-ignore.json.tmp']) symlinkSync(join(outside, 'victim.txt'), join(vscode, name));
      const ignore = (fingerprint: string) => sidecar.connection.sendRequest(IgnoreDuplicateRequest, { fingerprint, uri: pathToFileURL(join(root, 'README.md')).href });
      assert.equal((await ignore('abcdef0123456789')).count, 1);
      assert.equal(readFileSync(join(outside, 'victim.txt'), 'utf8'), 'untouched\n', 'a planted temp link is not written through');
      assert.ok(lstatSync(join(vscode, 't5-semantic-ignore.json')).isFile());
      assert.ok(!readFileSync(join(vscode, 't5-semantic-ignore.json'), 'utf8').includes('SECRETLATE'), 'no secret in the committed file');

      rmSync(join(vscode, 't5-semantic-ignore.json'));
      symlinkSync(join(outside, 'credentials.md'), join(vscode, 't5-semantic-ignore.json'));
      await assert.rejects(ignore('abcdef0123456780'), /t5-semantic-ignore\.json is not read: .*symbolic link/);
      assert.ok(!sidecar.logs.some((l) => l.includes('SECRETLATE')), 'the linked file is not echoed into the log');

      rmSync(vscode, { recursive: true, force: true });
      symlinkSync(outside, vscode);
      await assert.rejects(ignore('abcdef0123456781'), /(Refusing to write|is not read).*symbolic link/);
      assert.equal(existsSync(join(outside, 't5-semantic-ignore.json')), false, 'nothing written through a linked .vscode');
      rmSync(vscode);

      if (!tracer) return t.diagnostic('strace is not installed: the file access check did not run');
      tracer.kill('SIGINT');
      await new Promise((r) => tracer.once('exit', r));
      const traced = tracedPaths(join(traceDir, 'trace.txt'));
      const outsidePaths = pathsOutside(traced, [root, storage, goldenDir('tiny-st5'), repoRoot, '/proc/', '/sys/', '/dev/']);
      const viaLinks = traced.filter((p) => p.resolved !== p.path).length;
      console.log(`file access after the first scan: ${traced.length} distinct paths traced and resolved (${viaLinks} lead elsewhere than their string), ${outsidePaths.length} outside`);
      assert.deepEqual(outsidePaths, []);
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(traceDir, { recursive: true, force: true });
    }
  });
});
