/**
 * @file The machine-scoped settings the sidecar gets in `initializationOptions` (never from a workspace):
 * `t5Semantic.index.bundles` and `t5Semantic.embeddingsUrl`, checked the same way by the extension (before
 * sending) and the sidecar (on receipt). No `vscode` import.
 */
import type { MachineInitOptions } from './protocol';

export const BUNDLES_SETTING = 't5Semantic.index.bundles';
export const EMBEDDINGS_URL_SETTING = 't5Semantic.embeddingsUrl';
/** Settings whose change needs a new sidecar (they are read once, at its start). */
export const MACHINE_SETTINGS: readonly string[] = Object.freeze([BUNDLES_SETTING, EMBEDDINGS_URL_SETTING]);
const MAX_LOCATIONS = 64;
const MAX_LENGTH = 4096;

/** A bundle location: an absolute path (POSIX or Windows), an https URL, or an http URL of this machine. */
export function isBundleLocation(s: string): boolean {
  if (s.length > MAX_LENGTH || s.includes('\0')) return false;
  if (/^https?:\/\/[^/]/i.test(s)) {
    try {
      const url = new URL(s);
      const local = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(url.hostname);
      return (url.protocol === 'https:' || local) && !url.username && !url.password;
    } catch {
      return false;
    }
  }
  return s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\');
}

/** The valid part of `raw`; each value dropped is described in `problems` (by setting name, with what was expected). */
export function checkMachineOptions(raw: unknown, problems: string[] = []): MachineInitOptions {
  const out: MachineInitOptions = {};
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (o.bundles !== undefined) {
    if (!Array.isArray(o.bundles)) problems.push(`${BUNDLES_SETTING} must be a list of absolute paths or https URLs; got ${typeof o.bundles}.`);
    else {
      const good: string[] = [];
      for (const item of o.bundles.slice(0, MAX_LOCATIONS)) {
        const s = typeof item === 'string' ? item.trim() : item;
        if (typeof s === 'string' && isBundleLocation(s)) good.push(s);
        else problems.push(`${BUNDLES_SETTING}: ${JSON.stringify(item)?.slice(0, 200)} is neither an absolute path nor an https URL; it is skipped.`);
      }
      if (o.bundles.length > MAX_LOCATIONS) problems.push(`${BUNDLES_SETTING} lists ${o.bundles.length} bundles; only the first ${MAX_LOCATIONS} are used.`);
      if (good.length) out.bundles = good;
    }
  }
  if (o.embeddingsUrl !== undefined && o.embeddingsUrl !== '') {
    const u = typeof o.embeddingsUrl === 'string' ? o.embeddingsUrl.trim() : undefined;
    if (u && /^https?:\/\/[^/]/i.test(u) && u.length <= MAX_LENGTH) out.embeddingsUrl = u;
    else problems.push(`${EMBEDDINGS_URL_SETTING} must be an http(s) URL of an OpenAI-compatible /v1/embeddings endpoint, or empty; got ${JSON.stringify(o.embeddingsUrl)?.slice(0, 200)}.`);
  }
  return out;
}
