/**
 * @file Reads `.safetensors` files (Hugging Face's weight format) into float32 arrays.
 * fp16 and bf16 are widened to fp32 on read: onnxruntime's CPU kernels compute in fp32 anyway.
 */
import { readFileSync, statSync } from 'node:fs';
import { float16BitsToFloat32 } from './float16';
import { ModelError } from './modelError';

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = Object.freeze({ F32: 4, F16: 2, BF16: 2 });

/** More tensors than any T5 checkpoint has (t5-11b: ~1,000); a header listing more is not a weights file. */
const MAX_TENSORS = 100_000;

/**
 * Reads the tensors of a safetensors file that `wanted` selects (default: all). Model files are untrusted:
 * every entry's offsets are checked first (sorted, non-overlapping, inside the data, matching its shape)
 * without decoding anything, and only the selected tensors are decoded. Throws ModelError naming the file.
 */
export function readSafetensors(path: string, wanted: (name: string) => boolean = () => true): Map<string, Tensor> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new ModelError(`Weights file not found: ${path}`);
  }
  if (size < 8) throw new ModelError(`Weights file ${path} is truncated (${size} bytes); expected a safetensors file.`);
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength <= 0 || 8 + headerLength > size) {
    throw new ModelError(`Weights file ${path} is not a valid safetensors file (header length ${headerLength}, file ${size} bytes).`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    throw new ModelError(`Weights file ${path} has an unreadable safetensors header (not JSON).`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new ModelError(`Weights file ${path} has a safetensors header that is not a JSON object.`);
  const dataStart = 8 + headerLength;
  const entries = checkLayout(path, header, size - dataStart);
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of entries) {
    if (!wanted(name)) continue;
    const width = BYTES_PER_ELEMENT[entry.dtype];
    if (!width) throw new ModelError(`Tensor ${name} in ${path} has dtype ${entry.dtype}; expected F32, F16 or BF16.`);
    tensors.set(name, { shape: entry.shape, data: decode(bytes, dataStart + entry.data_offsets[0], elementCount(entry.shape), entry.dtype) });
  }
  return tensors;
}

/** Every entry's shape and offsets, checked: in the data, of the size the shape says, not overlapping. */
function checkLayout(path: string, header: Record<string, unknown>, dataLength: number): [string, HeaderEntry][] {
  const entries: [string, HeaderEntry][] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entries.length >= MAX_TENSORS) throw new ModelError(`Weights file ${path} lists more than ${MAX_TENSORS} tensors; not a model's weights.`);
    const e = raw as Partial<HeaderEntry> | null;
    const offsets = e?.data_offsets;
    const valid =
      e &&
      typeof e.dtype === 'string' &&
      Array.isArray(e.shape) &&
      e.shape.every((d) => Number.isSafeInteger(d) && d >= 0) &&
      Array.isArray(offsets) &&
      offsets.length === 2 &&
      offsets.every((o) => Number.isSafeInteger(o) && o >= 0);
    if (!valid) throw new ModelError(`Tensor ${name} in ${path} has a malformed header entry (expected dtype, shape and data_offsets).`);
    const [begin, end] = offsets!;
    const width = BYTES_PER_ELEMENT[e.dtype!] ?? DTYPE_WIDTHS[e.dtype!];
    const expected = width === undefined ? undefined : elementCount(e.shape!) * width;
    if (end < begin || end > dataLength || (expected !== undefined && end - begin !== expected)) {
      throw new ModelError(
        `Tensor ${name} in ${path} is truncated or corrupt (offsets ${begin}..${end}${expected !== undefined ? `, expected ${expected} bytes` : ''}, data ${dataLength} bytes).`,
      );
    }
    entries.push([name, e as HeaderEntry]);
  }
  const sorted = [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  for (let i = 1; i < sorted.length; i++) {
    const [prevName, prev] = sorted[i - 1]!;
    const [name, cur] = sorted[i]!;
    if (cur.data_offsets[0] < prev.data_offsets[1]) {
      throw new ModelError(`Tensors ${prevName} and ${name} in ${path} overlap (offsets ${prev.data_offsets.join('..')} and ${cur.data_offsets.join('..')}); the file is corrupt or hostile.`);
    }
  }
  return entries;
}

const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Widths of the other safetensors dtypes, so their entries' sizes are checked too (they are never decoded). */
const DTYPE_WIDTHS: Readonly<Record<string, number>> = Object.freeze({ F64: 8, I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1 });

function decode(bytes: Buffer, offset: number, count: number, dtype: string): Float32Array {
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    // Copy through a byte view: the data offset need not be 4-byte aligned in the Buffer pool.
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
    return out;
  }
  const halves = new Uint16Array(count);
  new Uint8Array(halves.buffer).set(bytes.subarray(offset, offset + count * 2));
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = halves[i] << 16;
    return out;
  }
  for (let i = 0; i < count; i++) out[i] = float16BitsToFloat32(halves[i]);
  return out;
}
