/** @file Small realistic workspaces for index tests: docs, commented source, ignored and binary files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from './tempDir';

export const FIXTURE_FILES: Readonly<Record<string, string>> = Object.freeze({
  'README.md': [
    '# Storage',
    '',
    'The index stores each chunk vector under a hash of its text, so identical paragraphs are embedded once.',
    '',
    '## Crash safety',
    '',
    'Every write goes to a temporary file that is renamed over the old one, so a crash never leaves half a file.',
    '',
  ].join('\n'),
  'docs/guide.md': [
    '# Guide',
    '',
    'Open the command palette and run the search command to find comments by meaning rather than by exact words.',
    '',
  ].join('\n'),
  'src/parser.ts': [
    '/**',
    ' * Parses an HTTP header line into its name and value.',
    ' * @param line the raw header line without the trailing newline',
    ' */',
    'export function parseHttpHeader(line: string): [string, string] {',
    '  // Split at the first colon only: values may contain colons themselves.',
    "  const i = line.indexOf(':');",
    '  return [line.slice(0, i), line.slice(i + 1).trim()];',
    '}',
    '',
  ].join('\n'),
  'src/util.py': [
    'def retry(times):',
    '    """Retry the wrapped call a number of times before giving up and raising the last error."""',
    '    pass',
    '',
  ].join('\n'),
  '.gitignore': 'ignored/\n*.log\n',
  'ignored/secret.md': '# Hidden\n\nThis paragraph lives in an ignored folder and must never be indexed by anyone.\n',
  'build.log': 'A log file that the ignore rules exclude from the index entirely, whatever it says.\n',
  'node_modules/pkg/README.md': '# Package\n\nA vendored package readme that the built-in rules keep out of the index.\n',
});

export function makeWorkspace(files: Readonly<Record<string, string | Buffer>> = FIXTURE_FILES): string {
  const root = tempDir('t5-ws-');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}
