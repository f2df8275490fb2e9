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

/** Reads every tensor in a safetensors file; throws ModelError naming the file on anything malformed. */
export function readSafetensors(path: string): Map<string, Tensor> {
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
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    throw new ModelError(`Weights file ${path} has an unreadable safetensors header (not JSON).`);
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, Tensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    const width = BYTES_PER_ELEMENT[entry.dtype];
    if (!width) throw new ModelError(`Tensor ${name} in ${path} has dtype ${entry.dtype}; expected F32, F16 or BF16.`);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = entry.data_offsets;
    if (end - begin !== count * width || dataStart + end > size || begin < 0) {
      throw new ModelError(`Tensor ${name} in ${path} is truncated or corrupt (offsets ${begin}..${end}, expected ${count * width} bytes).`);
    }
    tensors.set(name, { shape: entry.shape, data: decode(bytes, dataStart + begin, count, entry.dtype) });
  }
  return tensors;
}

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
