/**
 * @file File table content in columns (the whole table, or one change record of its log: fileTable.ts): a small JSON header (files, skip reasons, names), then per
 * chunk its numbers (text and symbol lengths, range) as uint32, its kind, language and flags as bytes,
 * its hash as 16 raw bytes, and the texts in UTF-8 one after another; a sha256 of everything at the end.
 * At 100k chunks JSON.parse of the same table took ~400 ms and 380 bytes a chunk; this reads in about a
 * quarter of that (one hex encode, a decode per text, plain object creation) at ~200 bytes a chunk.
 * Chunk fields this codec does not know are kept in the header as JSON, so a new field is never lost.
 */
import type { Chunk } from '../chunker';
import type { SectionKind } from '../types';
import { sha256 } from './atomicFile';

const MAGIC = 0x54463554; // "T5FT"
const CODEC_VERSION = 2;
const HASH_BYTES = 16;
const NUMBERS = 6; // text and symbol length in UTF-8 bytes (symbol NONE when absent), start line, start char, end line, end char
const NONE = 0xffffffff;
const KNOWN = new Set(['hash', 'text', 'kind', 'symbol', 'language', 'range', 'tiny', 'boilerplate']);

export interface TableContent<E, S> {
  folder: string;
  saveId?: string;
  files: Map<string, E>;
  skipped: Map<string, S>;
  /** Files this content removes (a change record of the table's log, fileTable.ts). */
  deleted?: string[];
}

type EntryHead = { size: number; mtimeMs: number; contentHash: string };

interface Header<S> {
  version: number;
  folder: string;
  saveId?: string;
  /** relPath, size, mtimeMs, contentHash, chunk count. */
  files: [string, number, number, string, number][];
  skipped: [string, S][];
  deleted?: string[];
  kinds: string[];
  languages: string[];
  /** Unknown chunk fields by chunk number. */
  extras: Record<number, Record<string, unknown>>;
  count: number;
}

export function encodeTable<E extends EntryHead & { chunks: Chunk[] }, S>(content: TableContent<E, S>): Buffer {
  const kinds: string[] = [];
  const languages: string[] = [];
  const indexOf = (list: string[], value: string) => {
    let i = list.indexOf(value);
    if (i < 0) i = list.push(value) - 1;
    return i;
  };
  const chunks = [...content.files.values()].flatMap((e) => e.chunks);
  const count = chunks.length;
  const numbers = new Uint32Array(NUMBERS * count);
  const bytes = new Uint8Array(3 * count);
  const hashes = Buffer.alloc(HASH_BYTES * count);
  const texts: Buffer[] = [];
  const extras: Header<S>['extras'] = {};
  chunks.forEach((c, i) => {
    const r = c.range;
    const text = Buffer.from(c.text);
    const symbol = c.symbol === undefined ? undefined : Buffer.from(c.symbol);
    numbers.set([text.length, symbol === undefined ? NONE : symbol.length, r.startLine, r.startCharacter, r.endLine, r.endCharacter], NUMBERS * i);
    bytes[3 * i] = indexOf(kinds, c.kind);
    bytes[3 * i + 1] = indexOf(languages, c.language);
    bytes[3 * i + 2] = (c.tiny ? 1 : 0) | (c.boilerplate === 'license' ? 2 : 0);
    hashes.write(c.hash, HASH_BYTES * i, HASH_BYTES, 'hex');
    texts.push(text);
    if (symbol) texts.push(symbol);
    const unknown = Object.keys(c).filter((k) => !KNOWN.has(k));
    if (unknown.length || (c.boilerplate !== undefined && c.boilerplate !== 'license')) {
      extras[i] = Object.fromEntries(unknown.map((k) => [k, (c as unknown as Record<string, unknown>)[k]]));
      if (c.boilerplate !== undefined && c.boilerplate !== 'license') extras[i].boilerplate = c.boilerplate;
    }
  });
  if (kinds.length > 255 || languages.length > 255) throw new Error('too many kinds or languages for the table codec');
  const header: Header<S> = {
    version: CODEC_VERSION,
    folder: content.folder,
    saveId: content.saveId,
    files: [...content.files].map(([rel, e]) => [rel, e.size, e.mtimeMs, e.contentHash, e.chunks.length]),
    skipped: [...content.skipped],
    ...(content.deleted?.length ? { deleted: content.deleted } : {}),
    kinds,
    languages,
    extras,
    count,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const pad = (4 - ((12 + headerBytes.length) % 4)) % 4;
  const prefix = Buffer.alloc(12);
  prefix.writeUInt32LE(MAGIC, 0);
  prefix.writeUInt32LE(CODEC_VERSION, 4);
  prefix.writeUInt32LE(headerBytes.length + pad, 8);
  const body = Buffer.concat([prefix, headerBytes, Buffer.alloc(pad, 0x20), Buffer.from(numbers.buffer), bytes, hashes, ...texts]);
  return Buffer.concat([body, sha256(body)]);
}

export function isEncodedTable(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32LE(0) === MAGIC;
}

/** Decodes a table written by encodeTable; throws (with a reason) if it is damaged. */
export function decodeTable<E extends EntryHead & { chunks: Chunk[] }, S>(data: Buffer): TableContent<E, S> {
  if (data.length < 12 + 32) throw new Error('truncated');
  const body = data.subarray(0, data.length - 32);
  if (!sha256(body).equals(data.subarray(data.length - 32))) throw new Error('checksum mismatch');
  if (data.readUInt32LE(4) !== CODEC_VERSION) throw new Error('written by another version');
  const headerLength = data.readUInt32LE(8);
  const header = JSON.parse(data.toString('utf8', 12, 12 + headerLength)) as Header<S>;
  const count = header.count;
  let at = 12 + headerLength;
  const numbers = new Uint32Array(new Uint8Array(data.subarray(at, (at += 4 * NUMBERS * count))).buffer);
  const bytes = data.subarray(at, (at += 3 * count));
  const hex = data.toString('hex', at, (at += HASH_BYTES * count));
  // Each text decoded on its own: one non-Latin-1 character (a heading path's "›") would otherwise make
  // the whole blob, and every text sliced from it, two bytes a character.
  const chunks: Chunk[] = new Array(count);
  let t = at;
  for (let i = 0; i < count; i++) {
    const n = NUMBERS * i;
    const text = data.toString('utf8', t, (t += numbers[n]));
    const symbolLength = numbers[n + 1];
    const symbol = symbolLength === NONE ? undefined : data.toString('utf8', t, (t += symbolLength));
    const flags = bytes[3 * i + 2];
    const chunk: Chunk = {
      hash: hex.slice(2 * HASH_BYTES * i, 2 * HASH_BYTES * (i + 1)),
      text,
      kind: header.kinds[bytes[3 * i]] as SectionKind,
      ...(symbol === undefined ? {} : { symbol }),
      language: header.languages[bytes[3 * i + 1]],
      range: { startLine: numbers[n + 2], startCharacter: numbers[n + 3], endLine: numbers[n + 4], endCharacter: numbers[n + 5] },
      tiny: (flags & 1) !== 0,
      ...(flags & 2 ? { boilerplate: 'license' as const } : {}),
      ...header.extras[i],
    };
    chunks[i] = chunk;
  }
  if (t !== body.length) throw new Error('texts do not add up');
  const files = new Map<string, E>();
  let c = 0;
  for (const [rel, size, mtimeMs, contentHash, n] of header.files) {
    files.set(rel, { size, mtimeMs, contentHash, chunks: chunks.slice(c, (c += n)) } as E);
  }
  if (c !== count) throw new Error('chunk counts do not add up');
  return { folder: header.folder, saveId: header.saveId, files, skipped: new Map(header.skipped), deleted: header.deleted ?? [] };
}
