/**
 * @file Writes safetensors files: an 8-byte little-endian header length, a compact JSON header
 * (`__metadata__` first, then each tensor with `data_offsets` in insertion order) padded with spaces to a
 * multiple of 8, then the raw little-endian data. Written to a temp file and renamed into place.
 * Tensor data may be a function, so huge models are generated and written one tensor at a time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

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
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, safetensorsHeader(tensors, metadata));
    for (const [name, t] of Object.entries(tensors)) {
      const data = typeof t.data === 'function' ? t.data() : t.data;
      const count = t.shape.reduce((n, d) => n * d, 1);
      if (data.length !== count) throw new Error(`Tensor ${name}: ${data.length} values for shape [${t.shape.join(', ')}]`);
      const raw = t.dtype === 'F16' ? float32ToFloat16Array(data) : data;
      writeAll(fd, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of `value` rounded to nearest, ties to even (overflow → ±Inf, NaN kept). */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp32 = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp32 === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const exp = exp32 - 127 + 15;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is still correct
  return h;
}

/** The float value of binary16 `bits`. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function float32ToFloat16Array(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = float32ToFloat16Bits(data[i]!);
  return out;
}
