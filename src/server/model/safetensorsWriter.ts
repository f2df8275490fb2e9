/**
 * @file Writes safetensors files: an 8-byte little-endian header length, a compact JSON header
 * (`__metadata__` first, then each tensor with `data_offsets` in insertion order) padded with spaces to a
 * multiple of 8, then the raw little-endian data. Written with the crash-safe writer (temp file, rename).
 * Tensor data may be a function, so huge models are generated and written one tensor at a time.
 */
import * as os from 'node:os';
import { writeFileAtomic } from '../fs/atomicWrite';
import { float32ToFloat16Bits } from './float16';

export type SafetensorsDtype = 'F32' | 'F16';

export interface TensorToWrite {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Values in row-major order; a function is called once, when the tensor is written. */
  data: Float32Array | (() => Float32Array);
}

const BYTES: Readonly<Record<SafetensorsDtype, number>> = Object.freeze({ F32: 4, F16: 2 });

/** The header bytes (length prefix included) for `tensors`, and the data length. */
export function safetensorsHeader(
  tensors: Record<string, Pick<TensorToWrite, 'dtype' | 'shape'>>,
  metadata: Record<string, string> = { format: 'pt' },
): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new Error('"__metadata__" is not a valid tensor name');
    const bytes = t.shape.reduce((n, d) => n * d, 1) * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const out = Buffer.alloc(8 + Buffer.byteLength(json));
  out.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  out.write(json, 8, 'utf8');
  return out;
}

export function writeSafetensors(file: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  if (os.endianness() !== 'LE') throw new Error('writeSafetensors needs a little-endian machine');
  writeFileAtomic(file, (write) => {
    write(safetensorsHeader(tensors, metadata));
    for (const [name, t] of Object.entries(tensors)) {
      const data = typeof t.data === 'function' ? t.data() : t.data;
      const count = t.shape.reduce((n, d) => n * d, 1);
      if (data.length !== count) throw new Error(`Tensor ${name}: ${data.length} values for shape [${t.shape.join(', ')}]`);
      const raw = t.dtype === 'F16' ? float32ToFloat16Array(data) : data;
      write(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
    }
  });
}

export function float32ToFloat16Array(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = float32ToFloat16Bits(data[i]!);
  return out;
}
