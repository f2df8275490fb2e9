/**
 * @file What one sidecar start carries for this machine: the bundle list and the endpoint go in
 * `initializationOptions`; the embeddings API key (from SecretStorage) goes only in the process
 * environment, never in a message the sidecar could log or a settings file. No `vscode` import, so the
 * split is unit-tested.
 */
import { API_KEY_ENV, type MachineInitOptions } from '../shared/protocol';

export interface MachineInputs {
  options: MachineInitOptions;
  /** Passed in the server process's environment (API_KEY_ENV), never in a message or a settings file. */
  apiKey?: string;
}

export function machineLaunch(machine: MachineInputs | undefined): { env?: Record<string, string>; options: MachineInitOptions } {
  const options: MachineInitOptions = {};
  // Only the known fields: whatever else an options object carries does not reach the message.
  if (machine?.options.bundles) options.bundles = [...machine.options.bundles];
  if (machine?.options.embeddingsUrl) options.embeddingsUrl = machine.options.embeddingsUrl;
  // The client merges this into its own environment; no key means the variable is not set at all.
  return { env: machine?.apiKey ? { [API_KEY_ENV]: machine.apiKey } : undefined, options };
}
