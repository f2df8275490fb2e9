/**
 * @file File name → VS Code language id (as VS Code's own associations give it: `.h` is C++), for the
 * files extraction reads.
 */

const BY_EXTENSION: Readonly<Record<string, string>> = Object.freeze({
  ts: 'typescript', mts: 'typescript', cts: 'typescript',
  tsx: 'typescriptreact',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript',
  jsx: 'javascriptreact',
  py: 'python', pyi: 'python', pyw: 'python',
  rs: 'rust',
  go: 'go',
  java: 'java',
  c: 'c', i: 'c',
  cc: 'cpp', cpp: 'cpp', cxx: 'cpp', 'c++': 'cpp', h: 'cpp', hh: 'cpp', hpp: 'cpp', hxx: 'cpp', 'h++': 'cpp', ipp: 'cpp', tpp: 'cpp', ino: 'cpp',
  cs: 'csharp',
  rb: 'ruby', rake: 'ruby', gemspec: 'ruby', ru: 'ruby',
  php: 'php', phtml: 'php',
  sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', ksh: 'shellscript',
  kt: 'kotlin', kts: 'kotlin',
  swift: 'swift',
  scala: 'scala', sc: 'scala', sbt: 'scala',
  lua: 'lua',
  sql: 'sql',
  yaml: 'yaml', yml: 'yaml',
  toml: 'toml',
  html: 'html', htm: 'html', xhtml: 'html',
  xml: 'xml', xsd: 'xml', xsl: 'xml', xslt: 'xml', xaml: 'xml', csproj: 'xml', vbproj: 'xml', fsproj: 'xml', props: 'xml', targets: 'xml', plist: 'xml', svg: 'xml',
  css: 'css',
  scss: 'scss',
  md: 'markdown', markdown: 'markdown', mdown: 'markdown', mkd: 'markdown', mkdn: 'markdown',
  mdx: 'mdx',
  rst: 'restructuredtext',
  adoc: 'asciidoc', asciidoc: 'asciidoc',
  txt: 'plaintext', text: 'plaintext',
  ipynb: 'jupyter',
});

const BY_NAME: Readonly<Record<string, string>> = Object.freeze({
  rakefile: 'ruby', gemfile: 'ruby', podfile: 'ruby', vagrantfile: 'ruby', brewfile: 'ruby',
  '.bashrc': 'shellscript', '.bash_profile': 'shellscript', '.profile': 'shellscript', '.zshrc': 'shellscript', '.zprofile': 'shellscript', pkgbuild: 'shellscript',
  // Prose files that by custom have no extension. LICENSE/COPYING are left out: legal text, not docs.
  readme: 'plaintext', changelog: 'plaintext', changes: 'plaintext', history: 'plaintext', news: 'plaintext',
  authors: 'plaintext', contributors: 'plaintext', contributing: 'plaintext', notice: 'plaintext', todo: 'plaintext',
  install: 'plaintext', thanks: 'plaintext',
});

/** `#!/usr/bin/env python3` → python, for scripts without an extension. */
const SHEBANGS: readonly [RegExp, string][] = [
  [/\b(ba|z|k|da)?sh\b/, 'shellscript'],
  [/\bpython[\d.]*\b/, 'python'],
  [/\bnode\b|\bdeno\b|\bbun\b/, 'javascript'],
  [/\bruby\b/, 'ruby'],
  [/\blua(jit)?\b/, 'lua'],
  [/\bphp\b/, 'php'],
];

export function languageOf(relPath: string): string | undefined {
  const name = relPath.slice(relPath.replace(/\\/g, '/').lastIndexOf('/') + 1).toLowerCase();
  if (BY_NAME[name]) return BY_NAME[name];
  const dot = name.lastIndexOf('.');
  if (dot > 0) return BY_EXTENSION[name.slice(dot + 1)];
  return undefined;
}

export function languageFromShebang(content: string): string | undefined {
  if (!content.startsWith('#!')) return undefined;
  const line = content.slice(0, Math.min(200, content.search(/\r|\n|$/)));
  return SHEBANGS.find(([re]) => re.test(line))?.[1];
}

export const EXTENSION_LANGUAGES = Object.freeze([...new Set([...Object.values(BY_EXTENSION), ...Object.values(BY_NAME)])]);
