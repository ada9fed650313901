/** Image formats Genesis reads and writes. */
export type ImageFormat = "png" | "jpeg" | "webp";

/** Format and pixel size of an encoded image. */
export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

const ascii = (b: Uint8Array, start: number, length: number): string => String.fromCharCode(...b.subarray(start, start + length));

/** Format by magic bytes, or undefined for anything that is not PNG/JPEG/WebP. */
export function sniffImageFormat(data: Uint8Array): ImageFormat | undefined {
  if (data.length >= 8 && data[0] === 0x89 && ascii(data, 1, 7) === "PNG\r\n\x1a\n") return "png";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "jpeg";
  if (data.length >= 12 && ascii(data, 0, 4) === "RIFF" && ascii(data, 8, 4) === "WEBP") return "webp";
  return undefined;
}

// Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegSize(b: Uint8Array, view: DataView): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 4 <= b.length) {
    if (b[offset] !== 0xff) return undefined;
    const marker = b[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2; // markers without a length
      continue;
    }
    const length = view.getUint16(offset + 2);
    if (SOF.has(marker)) return offset + 9 <= b.length ? { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) } : undefined;
    if (marker === 0xd9 || length < 2) return undefined;
    offset += 2 + length;
  }
  return undefined;
}

function webpSize(b: Uint8Array, view: DataView): { width: number; height: number } | undefined {
  const chunk = b.length >= 16 ? ascii(b, 12, 4) : "";
  // Lossy: 14-bit sizes after the 3-byte frame tag and the 9d 01 2a start code.
  if (chunk === "VP8 " && b.length >= 30) return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (chunk === "VP8L" && b.length >= 25 && b[20] === 0x2f) {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X" && b.length >= 30) {
    const u24 = (at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
    return { width: u24(24) + 1, height: u24(27) + 1 };
  }
  return undefined;
}

/**
 * Format and pixel size of a PNG, JPEG or WebP, read from its header bytes (no decoding).
 * Undefined for anything else, or for a header too damaged to read.
 */
export function readImageInfo(data: Uint8Array): ImageInfo | undefined {
  const format = sniffImageFormat(data);
  if (!format) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let size: { width: number; height: number } | undefined;
  if (format === "png") size = data.length >= 24 && ascii(data, 12, 4) === "IHDR" ? { width: view.getUint32(16), height: view.getUint32(20) } : undefined;
  else if (format === "jpeg") size = jpegSize(data, view);
  else size = webpSize(data, view);
  if (!size || size.width < 1 || size.height < 1) return undefined;
  return { format, ...size };
}

/** MIME type of an image format (`image/png`, `image/jpeg`, `image/webp`). */
export function imageMime(format: ImageFormat): "image/png" | "image/jpeg" | "image/webp" {
  return `image/${format}`;
}
