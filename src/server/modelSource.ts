/**
 * @file Turns the `model` setting into a local folder: a folder path is used as is (offline and
 * air-gapped use); a hub repo id is downloaded once into the storage folder, pinned to a revision.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { modelContentKey } from './model/contentKey';
import { ensureModelSnapshot, isRepoId, HubError, type HubProgress } from './model/hub';
import { ModelError } from './model/modelError';
import type { EngineSettings } from '../shared/settings';

export interface ResolvedModel {
  folder: string;
  /** Stable id for cached vectors: `repo@commit`, or a local folder's content key (model/contentKey.ts). */
  id: string;
  /** Ids the same model's vectors were kept under before (a local folder's path): storage under them is adopted. */
  legacyIds?: readonly string[];
}

export async function resolveModel(
  settings: EngineSettings,
  storagePath: string,
  onProgress: (p: HubProgress) => void,
  signal: AbortSignal,
  log?: (message: string) => void,
): Promise<ResolvedModel> {
  const spec = settings.model.trim();
  if (!spec) throw new ModelError('The setting t5Semantic.model is empty; expected a Hugging Face repo id or a model folder.');
  if (!isRepoId(spec)) {
    const folder = spec.startsWith('~') ? join(homedir(), spec.slice(1)) : spec;
    if (!isAbsolute(folder)) {
      throw new ModelError(`The model folder "${spec}" is a relative path; t5Semantic.model needs an absolute folder path or a repo id.`);
    }
    const absolute = resolve(folder);
    const key = await modelContentKey(absolute, join(storagePath, 'cache', 'model-content-keys.json'), signal);
    if (key.hashed) log?.(`Hashed ${key.hashed} of ${key.files} files of ${absolute} for its content key ${key.id}.`);
    return { folder: absolute, id: key.id, legacyIds: [absolute] };
  }
  try {
    const { folder, commit } = await ensureModelSnapshot({
      repo: spec,
      revision: settings.modelRevision,
      hubUrl: settings.hubUrl,
      cacheDir: join(storagePath, 'models'),
      offline: settings.offline,
      onProgress,
      signal,
      log,
    });
    return { folder, id: `${spec}@${commit}` };
  } catch (e) {
    if (e instanceof HubError) throw new ModelError(e.message);
    throw e;
  }
}
