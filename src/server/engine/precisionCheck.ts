/**
 * @file The accuracy check that decides whether int8 inference is used ("auto"): the int8 graph must
 * give embeddings within MIN_COSINE of the fp32 graph on varied probe texts (prose, code, short, long).
 * The verdict is cached beside the int8 graph, so the check runs once per model.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../indexing/store/atomicFile';
import { cosine } from './pooling';

export const MIN_COSINE = 0.99;

export const PROBE_TEXTS: readonly string[] = Object.freeze([
  'Returns the index of the first element that matches the predicate, or -1 if none does.',
  'TODO: remove this workaround once the upstream bug is fixed.',
  '@param line the raw header line without the trailing newline',
  'Install the extension, open a folder, and run the search command from the palette.',
  'The cache is keyed by a hash of the text, so identical paragraphs are embedded once.',
  'SELECT name, count(*) FROM users GROUP BY name HAVING count(*) > 1;',
  'Raises ValueError if the timeout is negative.',
  'Copyright (c) Microsoft Corporation. Licensed under the MIT License.',
  'x',
  'Every write goes to a temporary file that is renamed over the old one, so a crash never leaves half a file. '.repeat(6),
]);

export interface PrecisionVerdict {
  minCosine: number;
  passed: boolean;
}

export function compareEmbeddings(reference: Float32Array[], candidate: Float32Array[]): PrecisionVerdict {
  const minCosine = Math.min(1, ...reference.map((a, i) => cosine(a, candidate[i])));
  return { minCosine, passed: minCosine >= MIN_COSINE };
}

export function readVerdict(graphPath: string): PrecisionVerdict | undefined {
  try {
    return JSON.parse(readFileSync(`${graphPath}.check.json`, 'utf8')) as PrecisionVerdict;
  } catch {
    return undefined;
  }
}

export function writeVerdict(graphPath: string, verdict: PrecisionVerdict): void {
  try {
    writeFileAtomic(`${graphPath}.check.json`, JSON.stringify(verdict));
  } catch {
    // Only a cache of the check: on a full or read-only disk it runs again next time.
  }
}
