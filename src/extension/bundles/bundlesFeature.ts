/**
 * @file Index bundles and the remote encoder in VS Code: the Export/Import Index Bundle… and Set Embeddings
 * API Key… commands, and what each engine start reads for this machine: the user-level
 * `t5Semantic.index.bundles` and `t5Semantic.embeddingsUrl` and the API key from SecretStorage. A change
 * to any of them restarts the engine (the sidecar reads them once, at start).
 */
import { workspace } from 'vscode';
import { BUNDLES_SETTING, EMBEDDINGS_URL_SETTING, MACHINE_SETTINGS } from '../../shared/machineOptions';
import type { MachineInputs } from '../../client/createClient';
import type { Ctx } from '../core/ctx';
import type { Feature } from '../core/feature';
import { exportBundle, importBundle, setApiKey } from './bundleCommands';
import { API_KEY_SECRET, userLevelOptions } from './bundleText';

export function createBundlesFeature(ctx: Ctx): Feature {
  const secrets = ctx.extension.secrets;
  const reported = new Set<string>();
  const read = async (): Promise<MachineInputs> => {
    const config = workspace.getConfiguration();
    const problems: string[] = [];
    const options = userLevelOptions(config.inspect(BUNDLES_SETTING), config.inspect(EMBEDDINGS_URL_SETTING), problems);
    for (const p of problems) if (!reported.has(p) && reported.add(p)) ctx.log.warn(p);
    // The key is read only when an endpoint is set: nothing secret reaches a process that has no use for it.
    const apiKey = options.embeddingsUrl ? await secrets.get(API_KEY_SECRET) : undefined;
    return { options, apiKey: apiKey || undefined };
  };
  ctx.setMachineInputs(read);
  return {
    commands: {
      't5Semantic.exportBundle': () => exportBundle(ctx),
      't5Semantic.importBundle': (resource) => importBundle(ctx, resource),
      't5Semantic.setEmbeddingsApiKey': () => setApiKey(ctx, secrets),
    },
    disposables: [
      workspace.onDidChangeConfiguration((event) => {
        if (!MACHINE_SETTINGS.some((s) => event.affectsConfiguration(s))) return;
        ctx.log.info('The bundle or embeddings endpoint settings changed: restarting the engine.');
        void ctx.restart();
      }),
      secrets.onDidChange((event) => {
        if (event.key !== API_KEY_SECRET || !workspace.getConfiguration().get(EMBEDDINGS_URL_SETTING)) return;
        ctx.log.info('The embeddings API key changed: restarting the engine.');
        void ctx.restart();
      }),
    ],
  };
}
