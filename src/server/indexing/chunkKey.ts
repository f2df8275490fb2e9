/**
 * @file The one spelling of the index's keys: a file is `folder \0 path`, a chunk is `folder \0 path \0 i`
 * (its place in the file). NUL cannot occur in a path, so the parts split back without escaping. Keys
 * are built and read only here; everything else passes them around as opaque strings.
 */
import type { Chunk } from './chunker';

declare const fileKeyBrand: unique symbol;
declare const chunkKeyBrand: unique symbol;
export type FileKey = string & { readonly [fileKeyBrand]: true };
export type ChunkKey = string & { readonly [chunkKeyBrand]: true };

/** A file of the index: its workspace folder and its folder-relative path (with `/`). */
export interface FileRef {
  folder: string;
  relPath: string;
}

/** A chunk located in the workspace. */
export interface IndexedChunk extends FileRef {
  chunk: Chunk;
}

/** A chunk a query found: where it is, its key (for fusing rankings), and the ranking's score. */
export interface ChunkHit extends IndexedChunk {
  key: ChunkKey;
  score: number;
}

/** Keeps a chunk (by folder, relative path, chunk) or not. */
export type ChunkFilter = (folder: string, relPath: string, chunk: Chunk) => boolean;

const SEP = '\0';

export function fileKey(folder: string, relPath: string): FileKey {
  return `${folder}${SEP}${relPath}` as FileKey;
}

export function chunkKey(folder: string, relPath: string, index: number): ChunkKey {
  return `${folder}${SEP}${relPath}${SEP}${index}` as ChunkKey;
}

export function parseFileKey(key: FileKey): FileRef {
  const at = key.indexOf(SEP);
  return { folder: key.slice(0, at), relPath: key.slice(at + 1) };
}

/** The file key and the chunk's index in its file. */
export function splitChunkKey(key: ChunkKey): { file: FileKey; index: number } {
  const at = key.lastIndexOf(SEP);
  return { file: key.slice(0, at) as FileKey, index: Number(key.slice(at + 1)) };
}

/** A chunk key cut for compact storage: the head (file key and separator, shared by a file's chunks) and the tail. */
export function cutChunkKey(key: ChunkKey): { head: string; tail: string } {
  const at = key.lastIndexOf(SEP) + 1;
  return { head: key.slice(0, at), tail: key.slice(at) };
}

export function joinChunkKey(head: string, tail: string): ChunkKey {
  return (head + tail) as ChunkKey;
}

/** The keys of a file's first `count` chunks (its keyword documents). */
export function chunkKeysOf(folder: string, relPath: string, count: number): ChunkKey[] {
  return Array.from({ length: count }, (_, i) => chunkKey(folder, relPath, i));
}

/** A sort key in workspace order: folder, path, then the given zero-padded positions. */
export function workspaceOrder(folder: string, relPath: string, ...positions: number[]): string {
  return [fileKey(folder, relPath), ...positions.map((p) => String(p).padStart(9, '0'))].join(SEP);
}
