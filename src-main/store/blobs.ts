/**
 * Numbers kept as SQLite blobs: little-endian, whatever the machine, so a store (or a bundle
 * made from it) reads the same everywhere.
 */
export function encodeFloat32(values: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i], i * 4);
  return out;
}

export function encodeInt32(values: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeInt32LE(values[i], i * 4);
  return out;
}

export function decodeFloat32(bytes: Uint8Array): Float32Array {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(view.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.readFloatLE(i * 4);
  return out;
}

export function decodeInt32(bytes: Uint8Array): Int32Array {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(view.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.readInt32LE(i * 4);
  return out;
}
