/**
 * @file The file by which a model made by this project's generator (src/tools/generateModel.ts) says so.
 * Its weights are seeded random numbers: the pipeline is real, but similarities between different texts
 * mean nothing, so the duplicate detector reports no paraphrases for it (calibration.ts).
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GENERATED_MARKER_FILE = 't5-semantic-generated.json';

export interface GeneratedMarker {
  generator: 't5-semantic';
  generatorVersion: number;
  seed: number;
  note: string;
}

export function generatedMarker(generatorVersion: number, seed: number): GeneratedMarker {
  return { generator: 't5-semantic', generatorVersion, seed, note: 'Seeded random weights made by t5-semantic generate-model: similarities between different texts mean nothing.' };
}

/** True when `folder` holds the generator's marker (a regular file, not a link; unreadable counts as absent). */
export function isGeneratedModel(folder: string): boolean {
  const path = join(folder, GENERATED_MARKER_FILE);
  try {
    if (!lstatSync(path).isFile()) return false;
    const marker = JSON.parse(readFileSync(path, 'utf8')) as Partial<GeneratedMarker>;
    return marker.generator === 't5-semantic';
  } catch {
    return false;
  }
}
