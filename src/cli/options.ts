/**
 * @file Command-line options every t5-semantic command shares (which model, where to keep it) and the
 * one way commands load the engine, so the CLI and the sidecar resolve models identically.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../server/engine/engine';
import { resolveModel } from '../server/modelSource';
import { DEFAULT_SETTINGS } from '../shared/settings';

export class UsageError extends Error {}

export const MODEL_OPTIONS = {
  model: { type: 'string' },
  threads: { type: 'string', default: '0' },
  'max-tokens': { type: 'string' },
  revision: { type: 'string', default: DEFAULT_SETTINGS.modelRevision },
  'hub-url': { type: 'string', default: DEFAULT_SETTINGS.hubUrl },
  offline: { type: 'boolean', default: false },
  precision: { type: 'string', default: 'fp32' },
  /** Internal log lines (model load, index maintenance) on stderr; without it only results and errors. */
  verbose: { type: 'boolean', default: false },
  /** Models, built graphs and indexes live here; pass the extension's storage folder to share them. */
  storage: { type: 'string', default: process.env.T5_SEMANTIC_CACHE ?? join(homedir(), '.cache', 't5-semantic') },
} as const;

export interface ModelFlags {
  model?: string;
  threads?: string;
  'max-tokens'?: string;
  revision?: string;
  'hub-url'?: string;
  offline?: boolean;
  storage?: string;
  precision?: string;
  verbose?: boolean;
}

/** Where internal log lines go: stderr with --verbose, nowhere without. */
export function logger(flags: { verbose?: boolean }): (m: string) => void {
  return flags.verbose ? (m) => process.stderr.write(`${m}\n`) : () => {};
}

export function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min}; got "${value}".`);
  return n;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}".`);
  return value as T;
}

/** Resolves --model (folder or repo id, downloading if needed) and loads the engine. */
export async function loadEngine(flags: ModelFlags): Promise<Engine> {
  if (!flags.model) throw new UsageError('--model is required: a model folder or a Hugging Face repo id.');
  const storage = flags.storage!;
  const model = await resolveModel(
    { ...DEFAULT_SETTINGS, model: flags.model, modelRevision: flags.revision!, hubUrl: flags['hub-url']!, offline: flags.offline! },
    storage,
    (p) => process.stderr.write(`\rDownloading ${p.file}: ${(p.doneBytes / 1e6).toFixed(1)} / ${(p.allBytes / 1e6).toFixed(1)} MB`),
    new AbortController().signal,
  );
  return Engine.load(model.folder, {
    cacheDir: join(storage, 'cache'),
    threads: integer(flags.threads ?? '0', '--threads', 0),
    precision: oneOf(flags.precision, ['fp32', 'int8', 'auto'] as const, '--precision'),
    batchTokenBudget: DEFAULT_SETTINGS.batchTokenBudget,
    modelId: model.id,
    legacyModelIds: model.legacyIds,
    maxTokens: flags['max-tokens'] === undefined ? undefined : integer(flags['max-tokens'], '--max-tokens', 2),
    log: logger(flags),
  });
}
