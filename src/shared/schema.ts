/**
 * @file The one validation approach for everything that crosses a trust boundary (protocol requests,
 * settings, webview messages): valibot schemas whose every message is the "expected" phrase, and one
 * formatter that turns the first issue into "`field` must be `expected`; got `value`." Imports only
 * valibot (tree-shaken), so the browser bundle can use it too.
 */
import * as v from 'valibot';

export { v };

/** A schema's first failure as one sentence, e.g. `texts[1] must be a string; got null.` */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** How a received value is shown in an error: its kind and a short excerpt, never the whole thing. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  if (typeof value === 'string' && value.length > 40) return `a string of ${value.length} characters`;
  return `${typeof value} ${JSON.stringify(typeof value === 'bigint' ? String(value) : value).slice(0, 40)}`;
}

/** `"a", "b" or "c"` */
export function choices(values: readonly string[]): string {
  const quoted = values.map((c) => `"${c}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : quoted.join('');
}

/** The dotted path of an issue below `root` (`texts[1]`, `search.range.endLine`). */
function issuePath(issue: v.BaseIssue<unknown>, root: string): string {
  let path = root;
  for (const item of issue.path ?? []) {
    const key = (item as { key?: unknown }).key;
    if (typeof key === 'number') path += `[${key}]`;
    else path += path ? `.${String(key)}` : String(key);
  }
  return path || 'the value';
}

/** The first issue as a sentence. An unknown key of a strict object reads "`parent` has unexpected fields (`key`)". */
export function formatIssue(issue: v.BaseIssue<unknown>, root = ''): string {
  if (issue.type === 'strict_object' && issue.expected === 'never' && issue.path?.length) {
    const parentPath = issuePath({ ...issue, path: issue.path.slice(0, -1) as typeof issue.path }, root);
    const key = String((issue.path[issue.path.length - 1] as { key?: unknown }).key);
    return `${parentPath} has unexpected fields (${JSON.stringify(key).slice(0, 40)})`;
  }
  return `${issuePath(issue, root)} must be ${issue.message}; got ${describeValue(issue.input)}`;
}

/** Checks `input` against `schema`, stopping at the first problem; `root` names the value in the message. */
export function check<S extends v.GenericSchema>(schema: S, input: unknown, root = ''): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  // valibot reports a missing key with the parent object's message; say what the field itself expects.
  const missing = issue.input === undefined && (issue.type === 'object' || issue.type === 'strict_object') && issue.path?.length;
  const field = missing ? schemaAt(schema, issue.path!) : undefined;
  const own = field ? v.safeParse(field, undefined) : undefined;
  return { ok: false, reason: formatIssue(own && !own.success ? { ...own.issues[0], path: issue.path } : issue, root) };
}

/** The schema that checks the value at `path` below `schema`, if it can be followed (objects, arrays, wrappers). */
function schemaAt(schema: v.GenericSchema, path: readonly unknown[]): v.GenericSchema | undefined {
  let at: unknown = schema;
  for (const item of path) {
    const key = (item as { key?: unknown }).key;
    const s = at as { entries?: Record<string, unknown>; item?: unknown };
    if (s.entries && typeof key === 'string') at = s.entries[key];
    else if (s.item && typeof key === 'number') at = s.item;
    else return undefined;
    while ((at as { wrapped?: unknown })?.wrapped) at = (at as { wrapped: unknown }).wrapped;
  }
  return at as v.GenericSchema | undefined;
}

// ---- small building blocks with the project's wording ----------------------------------------------

/** An integer from `min` to `max` (either end optional). */
export function integer(min?: number, max?: number): v.GenericSchema<unknown, number> {
  const expected =
    min !== undefined && max !== undefined ? `an integer from ${min} to ${max}` : min !== undefined ? `an integer ≥ ${min}` : 'an integer';
  return v.pipe(
    v.number(expected),
    v.integer(expected),
    v.minValue(min ?? Number.MIN_SAFE_INTEGER, expected),
    v.maxValue(max ?? Number.MAX_SAFE_INTEGER, expected),
  );
}

/** One of `values`, named in the message as `"a", "b" or "c"` (or `expected` when given). */
export function oneOf<const T extends readonly string[]>(values: T, expected = choices(values)): v.GenericSchema<unknown, T[number]> {
  return v.picklist(values, expected) as unknown as v.GenericSchema<unknown, T[number]>;
}

/** Compile-time check that a schema's output is exactly a declared type (protocol.ts, settings.ts). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
