/** @file Large generated workspaces for scale tests and benchmarks: varied prose in Markdown, TS and Python. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './tempDir';

const WORDS = (
  'index vector chunk token model search query result file folder cache storage write rename crash ' +
  'parser header request response retry timeout error message setting option default value user editor ' +
  'panel command palette keyboard theme color layout window process thread memory disk network download'
).split(' ');

/** Deterministic pseudo-random prose: the same `seed` always gives the same sentence. */
export function sentence(seed: number, words = 14): string {
  let x = seed * 2654435761 + 1;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(WORDS[x % WORDS.length]);
  }
  return `${out.join(' ')} ${seed}.`.replace(/^./, (c) => c.toUpperCase());
}

/** `count` files spread over folders of 100, a third each Markdown, TypeScript and Python. */
export function generateWorkspace(count: number, base = tempDir('t5-gen-', undefined, existsShm() ? '/dev/shm' : tmpdir())): string {
  for (let i = 0; i < count; i++) {
    const dir = join(base, `pkg${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const kind = i % 3;
    if (kind === 0) writeFileSync(join(dir, `doc${i}.md`), `# Topic ${i}\n\n${sentence(i)} ${sentence(i + 1e6)}\n`);
    else if (kind === 1) writeFileSync(join(dir, `mod${i}.ts`), `/** ${sentence(i)} */\nexport function f${i}(): number {\n  // ${sentence(i + 2e6)}\n  return ${i};\n}\n`);
    else writeFileSync(join(dir, `mod${i}.py`), `def g${i}():\n    """${sentence(i)}"""\n    return ${i}\n`);
  }
  return base;
}

function existsShm(): boolean {
  try {
    mkdirSync('/dev/shm', { recursive: true });
    return true;
  } catch {
    return false;
  }
}
