import { BackpropError } from '../errors.js';

/**
 * The safetensors format, written and read here (it is small and fully documented): an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype, shape and byte range
 * within the data part, then the raw little-endian data. Reading checks every claim the header
 * makes against the bytes that follow, so a truncated file or a header that lies is refused
 * with one line naming the file.
 */

/** A tensor to write: float32 values, row-major. */
export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** A tensor read back: its shape and its values (float32 and float64 data alike, as doubles). */
export interface TensorRead {
  readonly dtype: 'F32' | 'F64';
  readonly shape: number[];
  readonly values: Float64Array;
}

const BYTES = { F32: 4, F64: 8 } as const;
/** Headers beyond this are refused as damaged (the reference reader allows 100 MB). */
const MAX_HEADER = 100_000_000;

/** The tensors as safetensors bytes (float32), with optional string metadata. */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) {
      throw new BackpropError('shape', `safetensors: tensor '${t.name}' has ${t.values.length} values, but its shape [${t.shape.join(', ')}] holds ${size}`);
    }
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  // The data part starts on an 8-byte boundary: the header is padded with spaces, as the format allows.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++, at += 4) view.setFloat32(at, t.values[i], true);
  }
  return out;
}

/** The header's metadata (its "__metadata__" strings) and tensors of safetensors bytes; `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source = 'model.safetensors'): { metadata: Record<string, string>; tensors: Map<string, TensorRead> } {
  const fail = (what: string): never => {
    throw new BackpropError('model', `${source}: ${what}`);
  };
  if (bytes.length < 8) fail(`is ${bytes.length} bytes long, too short for the 8-byte header length of a safetensors file (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(Math.min(bytes.length - 8, MAX_HEADER))) {
    fail(`the header length says ${length} bytes, but only ${bytes.length - 8} bytes follow it (truncated, or not a safetensors file)`);
  }
  const headerEnd = 8 + Number(length);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch (err) {
    fail(`the header is not valid JSON (damaged, or not a safetensors file): ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object of tensors');
  const dataLength = bytes.length - headerEnd;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorRead>();
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      Object.assign(metadata, entry as Record<string, string>);
      continue;
    }
    const { dtype, shape, begin, end } = tensorEntry(name, entry, fail);
    const size = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    if (end - begin !== size) {
      fail(`tensor '${name}' is ${dtype} of shape [${shape.join(', ')}], ${size} bytes, but its data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
    }
    if (end > dataLength) {
      fail(`tensor '${name}' needs bytes ${begin} to ${end} of the data, but the file holds only ${dataLength} bytes of data (truncated?)`);
    }
    spans.push([begin, end, name]);
    const values = new Float64Array(size / BYTES[dtype]);
    const start = headerEnd + begin;
    for (let i = 0; i < values.length; i++) {
      values[i] = dtype === 'F32' ? view.getFloat32(start + 4 * i, true) : view.getFloat64(start + 8 * i, true);
    }
    tensors.set(name, { dtype, shape, values });
  }
  // The tensors tile the data part: no gap, no overlap, nothing after the last one.
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== covered) fail(`tensor '${name}' starts at byte ${begin} of the data, expected ${covered}: the header's offsets leave a gap or overlap`);
    covered = end;
  }
  if (covered !== dataLength) fail(`the header's tensors cover ${covered} bytes of data, but the file holds ${dataLength}`);
  return { metadata, tensors };
}

function tensorEntry(name: string, entry: unknown, fail: (what: string) => never) {
  const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (e === null || typeof e !== 'object') fail(`tensor '${name}' has no description in the header`);
  const dtype = e!.dtype;
  if (dtype !== 'F32' && dtype !== 'F64') {
    fail(`tensor '${name}' has dtype ${JSON.stringify(dtype)}: expected F32 or F64 (convert it with tensor.float() before saving)`);
  }
  const whole = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  const shape = e!.shape;
  if (!Array.isArray(shape) || !shape.every(whole)) fail(`tensor '${name}' has shape ${JSON.stringify(shape)}: expected a list of whole numbers`);
  const offsets = e!.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(whole) || offsets[1] < offsets[0]) {
    fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}: expected [begin, end] with begin ≤ end`);
  }
  return { dtype: dtype as 'F32' | 'F64', shape: shape as number[], begin: (offsets as number[])[0], end: (offsets as number[])[1] };
}
