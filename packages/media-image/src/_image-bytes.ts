/** Image formats Genesis reads and writes. */
export type ImageFormat = "png" | "jpeg" | "webp";

/** Format and pixel size of an encoded image. */
export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Format by magic bytes, or undefined for anything that is not PNG/JPEG/WebP. */
export function sniffImageFormat(data: Uint8Array): ImageFormat | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") return "webp";
  return undefined;
}

function jpegDims(b: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    // Fill bytes and standalone markers carry no length.
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return undefined;
}

function webpDims(b: Buffer): { width: number; height: number } | undefined {
  const chunk = b.toString("latin1", 12, 16);
  if (chunk === "VP8X" && b.length >= 30) return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === "VP8 " && b.length >= 30) return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === "VP8L" && b.length >= 25) {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  return undefined;
}

/** Format and dimensions from the header, or undefined when the bytes are not a readable image. */
export function readImageInfo(data: Uint8Array): ImageInfo | undefined {
  const format = sniffImageFormat(data);
  if (!format) return undefined;
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let dims: { width: number; height: number } | undefined;
  if (format === "png") dims = b.length >= 24 && b.toString("latin1", 12, 16) === "IHDR" ? { width: b.readUInt32BE(16), height: b.readUInt32BE(20) } : undefined;
  else if (format === "jpeg") dims = jpegDims(b);
  else dims = webpDims(b);
  if (!dims || dims.width < 1 || dims.height < 1) return undefined;
  return { format, ...dims };
}

/** MIME type of a format. */
export function mimeOf(format: ImageFormat): string {
  return format === "jpeg" ? "image/jpeg" : `image/${format}`;
}
