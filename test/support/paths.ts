/** @file Where tests find the repo, the shared golden data and the generated models. */
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const goldenDir = (name: 'tiny-st5' | 'tiny-t5v11') => join(sharedDir, 'golden', name);
export const generatedModelDir = (name: string) => join(repoRoot, '.cache', 'models', name);
