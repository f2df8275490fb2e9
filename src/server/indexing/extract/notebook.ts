/**
 * @file Jupyter notebooks: every markdown cell is read as Markdown (one section per heading), kind
 * 'notebook'. Since the file is JSON, positions point into the JSON text: each line of a cell's source is
 * a string in the cell's `source` array (nbformat writes one per line), so a section's `lineMap` gives, for
 * each line, the JSON line of the string it came from, and its range runs from the opening quote of its
 * first line's string to the closing quote of its last line's. A cell whose `source` is one string maps
 * all its lines to that string's line.
 */
// The ESM build: esbuild cannot follow the UMD build's dynamic requires.
import { parseTree, type Node as JsonNode } from 'jsonc-parser/lib/esm/main.js';
import type { Section } from '../types';
import { extractMarkdown } from './markdown';
import { LineIndex } from './sections';

export function extractNotebook(content: string, language: string): Section[] {
  const root = parseTree(content, [], { allowTrailingComma: true });
  const cells = root && objectProperty(root, 'cells');
  if (cells?.type !== 'array') return [];
  const index = new LineIndex(content);
  const sections: Section[] = [];
  for (const cell of cells.children ?? []) {
    if (objectProperty(cell, 'cell_type')?.value !== 'markdown') continue;
    const source = objectProperty(cell, 'source');
    // One JSON string node per cell line.
    const strings = source?.type === 'array' ? (source.children ?? []).filter((s) => s.type === 'string') : source?.type === 'string' ? [source] : [];
    if (!strings.length) continue;
    const text = strings.map((s) => String(s.value)).join('');
    // The JSON string each cell line starts in.
    const lineNodes: JsonNode[] = [];
    let line = 0;
    for (const s of strings) {
      const value = String(s.value);
      lineNodes[line] ??= s;
      for (const m of value.matchAll(/\r\n?|\n/g)) {
        line++;
        if (m.index + m[0].length < value.length) lineNodes[line] = s;
      }
    }
    for (const section of extractMarkdown(text, language, { kind: 'notebook' })) {
      const nodeOf = (cellLine: number) => lineNodes[Math.min(cellLine, lineNodes.length - 1)]!;
      const first = nodeOf(section.range.startLine);
      const last = nodeOf(section.range.endLine);
      sections.push({
        ...section,
        range: index.range(first.offset, last.offset + last.length),
        lineMap: section.lineMap.map((l) => index.lineOf(nodeOf(l).offset)),
      });
    }
  }
  return sections;
}

function objectProperty(node: JsonNode, key: string): JsonNode | undefined {
  if (node.type !== 'object') return undefined;
  const prop = node.children?.find((p) => p.children?.[0]?.value === key);
  return prop?.children?.[1];
}
