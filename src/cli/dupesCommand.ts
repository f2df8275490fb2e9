/**
 * @file `t5-semantic dupes <folder>`: indexes the folder (incrementally), finds near-duplicate groups and
 * prints them as text, JSON (`--json`) or SARIF 2.1.0 (`--sarif`), optionally writes an HTML report
 * (`--html <file>`) and the calibration histograms (`--histogram`). For CI, `--max-groups <n>` exits with
 * LIMIT_EXIT_CODE when more unsuppressed groups than n are found; with `--baseline <earlier report>` only
 * groups with a copy whose text is not in the baseline count (and the limit defaults to 0).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { version } from '../../package.json';
import { DuplicateDetector } from '../server/duplicates/detector';
import { groupInfos } from '../server/duplicates/diagnostics';
import { similarityHistogram } from '../server/duplicates/histogram';
import { readSuppressions } from '../server/duplicates/suppressions';
import { isGeneratedModel } from '../server/model/generatedMarker';
import { htmlReport } from '../shared/duplicatesHtml';
import { FINGERPRINT_KEY, isGroupSuppressed, jsonReport, reportTool, sarifReport, type ReportInput } from '../shared/duplicatesReport';
import { histogramReportText } from '../shared/histogramText';
import type { DuplicateGroupInfo } from '../shared/protocol';
import { DEFAULT_SETTINGS, type DuplicateSeverity, type DuplicatesSettingsShared } from '../shared/settings';
import { duplicationShare, percentFlag } from './duplicationShare';
import { folderArg, openIndex, parseIndexArgs, progressBar, type IndexFlags } from './indexCommands';
import { integer, loadEngine, UsageError } from './options';

/** Exit code when the groups exceed `--max-groups`: apart from 1 (error) and 2 (usage), so CI can tell. */
export const LIMIT_EXIT_CODE = 3;

const SEVERITIES: readonly DuplicateSeverity[] = ['error', 'warning', 'information', 'hint'];
const GRADES = ['exact', 'near', 'paraphrase'] as const;

function fraction(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new UsageError(`${flag} must be a number from 0 to 1; got "${value}".`);
  return n;
}

/** `--severity near=error` (repeatable) over the defaults. */
function severities(values: readonly string[] | undefined): DuplicatesSettingsShared['severity'] {
  const out = { ...DEFAULT_SETTINGS.duplicates.severity };
  for (const v of values ?? []) {
    const [grade, level] = v.split('=');
    if (!(GRADES as readonly string[]).includes(grade) || !(SEVERITIES as readonly string[]).includes(level)) {
      throw new UsageError(`--severity must be <grade>=<level> with grade ${GRADES.join('|')} and level ${SEVERITIES.join('|')}; got "${v}".`);
    }
    out[grade as (typeof GRADES)[number]] = level as DuplicateSeverity;
  }
  return out;
}

/** Every dupes flag checked before the model loads, so a typo fails in milliseconds. */
function dupesFlags(values: IndexFlags) {
  const defaults = DEFAULT_SETTINGS.duplicates;
  if (values.json && values.sarif) throw new UsageError('--json and --sarif both write to stdout: choose one.');
  if (values.histogram && values.sarif) throw new UsageError('--histogram prints text or, with --json, JSON; it cannot go into SARIF.');
  if (values.html !== undefined && !values.html.trim()) throw new UsageError('--html needs a file name.');
  const baseline = values.baseline === undefined ? undefined : readBaseline(values.baseline);
  return {
    options: {
      nearThreshold: fraction(values['near-threshold'], '--near-threshold', defaults.nearThreshold),
      paraphraseThreshold: fraction(values['paraphrase-threshold'], '--paraphrase-threshold', defaults.paraphraseThreshold),
      maxFiles: values['max-files'] === undefined ? defaults.maxFiles : integer(values['max-files'], '--max-files', 2),
      minWords: values['dupes-min-words'] === undefined ? defaults.minWords : integer(values['dupes-min-words'], '--dupes-min-words', 1),
    },
    severity: severities(values.severity),
    maxDuplication: percentFlag(values['max-duplication'], '--max-duplication'),
    maxGroups: values['max-groups'] === undefined ? (baseline ? 0 : undefined) : integer(values['max-groups'], '--max-groups', 0),
    baseline,
    html: values.html === undefined ? undefined : resolve(values.html),
  };
}

/** Fingerprints of every copy in an earlier `--json` or `--sarif` report. */
export function readBaseline(path: string): Set<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--baseline ${path} could not be read as JSON (${(e as Error).message}).`);
  }
  const d = doc as { groups?: { members?: { fingerprint?: unknown }[] }[]; runs?: { results?: { partialFingerprints?: Record<string, unknown>; properties?: { fingerprints?: unknown } }[] }[] };
  const out = new Set<string>();
  const add = (x: unknown) => typeof x === 'string' && out.add(x);
  if (Array.isArray(d.groups)) for (const g of d.groups) for (const m of g.members ?? []) add(m.fingerprint);
  else if (Array.isArray(d.runs)) {
    for (const r of d.runs.flatMap((run) => run.results ?? [])) {
      add(r.partialFingerprints?.[FINGERPRINT_KEY]);
      if (Array.isArray(r.properties?.fingerprints)) r.properties.fingerprints.forEach(add);
    }
  } else throw new UsageError(`--baseline ${path} is neither a dupes --json nor a --sarif report.`);
  return out;
}

/** Groups that count against the limit: unsuppressed, and with a copy the baseline does not have. */
export function countedGroups(groups: readonly DuplicateGroupInfo[], baseline?: ReadonlySet<string>): DuplicateGroupInfo[] {
  return groups.filter((g) => !isGroupSuppressed(g) && (!baseline || g.members.some((m) => !baseline.has(m.fingerprint))));
}

export async function dupesCommand(args: string[]): Promise<unknown> {
  const { values, positionals } = parseIndexArgs(args);
  const folder = folderArg(positionals, 'dupes');
  const flags = dupesFlags(values);
  const warn = (m: string) => process.stderr.write(`${m}\n`);
  const engine = await loadEngine(values);
  try {
    const index = openIndex(folder, engine, values, progressBar());
    await index.update();
    if (process.stderr.isTTY) process.stderr.write('\n');
    const generatedModel = isGeneratedModel(engine.info.folder);
    const detector = new DuplicateDetector(index, { ...flags.options, generatedModel });
    await detector.refresh();
    const groups = groupInfos(detector.groups, await readSuppressions([folder], warn));
    const input: ReportInput = {
      groups,
      folders: [{ name: basename(folder), uri: pathToFileURL(folder).href }],
      severity: flags.severity,
      tool: reportTool(version),
      thresholds: flags.options,
      stats: detector.stats,
      ...(detector.calibration ? { calibration: detector.calibration } : {}),
    };
    const histogram = values.histogram ? await similarityHistogram(index, flags.options, { generatedModel }) : undefined;
    if (flags.html) writeFileSync(flags.html, htmlReport(input));
    const duplication = duplicationShare(index.chunks(), groups);
    if (flags.maxDuplication !== undefined && duplication.percent > flags.maxDuplication) {
      warn(`t5-semantic: ${duplication.percent}% of the indexed text is in duplicate groups, more than --max-duplication ${flags.maxDuplication}%.`);
      process.exitCode = LIMIT_EXIT_CODE;
    }
    if (flags.maxGroups !== undefined) {
      const counted = countedGroups(groups, flags.baseline).length;
      if (counted > flags.maxGroups) {
        warn(`t5-semantic: ${counted} ${flags.baseline ? 'new ' : ''}duplicate groups, more than --max-groups ${flags.maxGroups}.`);
        process.exitCode = LIMIT_EXIT_CODE;
      }
    }
    if (values.sarif) {
      const sarif = sarifReport(input);
      const run = sarif.runs[0] as { properties?: Record<string, unknown> };
      run.properties = { ...run.properties, duplication };
      return sarif;
    }
    if (values.json) return { ...jsonReport(input), duplication, ...(histogram ? { histogram } : {}) };
    printGroups(groups, detector.stats);
    process.stdout.write(`${duplication.percent}% of the indexed text is in duplicate groups.\n`);
    if (detector.calibration) process.stdout.write(`${detector.calibration.reason}\n`);
    if (histogram) process.stdout.write(`\n${histogramReportText(histogram)}`);
    if (flags.html) process.stdout.write(`HTML report written to ${flags.html}\n`);
    return undefined;
  } finally {
    await engine.dispose();
  }
}

function printGroups(groups: readonly DuplicateGroupInfo[], stats: DuplicateDetector['stats']): void {
  for (const g of groups) {
    process.stdout.write(`${g.grade} · ${g.members.length} copies · ${Math.floor(g.similarity * 100)}%${isGroupSuppressed(g) ? ' (suppressed)' : ''}\n`);
    for (const m of g.members) {
      const label = m.grade === 'exact' ? 'exact' : `${m.grade} ${Math.floor(m.similarity * 100)}%`;
      const notes = `${m.leader ? ' (leader)' : ''}${m.suppressed ? ' (suppressed)' : ''}`;
      process.stdout.write(`  ${m.path}:${m.range.startLine + 1}  ${label}${notes}\n      ${m.text.split('\n')[0].slice(0, 100)}\n`);
    }
  }
  process.stdout.write(`${groups.length} groups among ${stats.copies} texts (${stats.forms} distinct) in ${stats.millis} ms.\n`);
}
