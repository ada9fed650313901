import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { crc32 } from "./_crc32.js";

/** Largest side the emulator renders (gpt-image-2 accepts up to 3840x2160). */
export const MAX_PNG_SIDE = 4096;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Builds one PNG chunk: length, type, data, CRC over type+data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function assertSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE) {
    throw new RangeError(`Image size must be 1..${MAX_PNG_SIDE} on each side, got ${width}x${height}`);
  }
}

/**
 * The emulator's picture as raw RGB (width·height·3 bytes, row-major): a diagonal gradient
 * whose two end colours derive from a SHA-256 of `seed`, so the same prompt always yields the
 * same image (PNG and JPEG answers show the same picture).
 */
export function gradientRgb(width: number, height: number, seed = ""): Uint8Array {
  assertSize(width, height);
  const h = createHash("sha256").update(seed).digest();
  const rgb = new Uint8Array(width * height * 3);
  const span = Math.max(1, width + height - 2);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      const t = (x + y) / span;
      rgb[o] = h[0]! + (h[3]! - h[0]!) * t;
      rgb[o + 1] = h[1]! + (h[4]! - h[1]!) * t;
      rgb[o + 2] = h[2]! + (h[5]! - h[2]!) * t;
    }
  }
  return rgb;
}

/**
 * Encodes raw RGB as a valid 8-bit PNG. Rows use the Sub filter, which turns a smooth gradient
 * into near-constant bytes that deflate compresses well even at 4K.
 */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  assertSize(width, height);
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    const base = y * stride;
    raw[base] = 1; // Sub filter
    raw[base + 1] = rgb[row]!;
    raw[base + 2] = rgb[row + 1]!;
    raw[base + 3] = rgb[row + 2]!;
    for (let i = 3; i < width * 3; i++) raw[base + 1 + i] = (rgb[row + i]! - rgb[row + i - 3]!) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    SIGNATURE,
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw, { level: 6 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Renders the emulator's gradient for `seed` (see {@link gradientRgb}) as a PNG of `width`x`height`. */
export function renderPng(width: number, height: number, seed = ""): Buffer {
  return encodePng(width, height, gradientRgb(width, height, seed));
}

/** Reads width/height from a PNG's IHDR; undefined when the bytes are not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } | undefined {
  if (png.length < 24 || !png.subarray(0, 8).equals(SIGNATURE) || png.toString("latin1", 12, 16) !== "IHDR") return undefined;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
