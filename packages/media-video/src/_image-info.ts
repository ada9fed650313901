/** What the Videos API needs to know about a reference image. */
export interface ImageInfo {
  mime: "image/png" | "image/jpeg" | "image/webp";
  width: number;
  height: number;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

function png(bytes: Uint8Array, view: DataView): ImageInfo | undefined {
  // Signature (8) + IHDR length (4) + "IHDR" (4), then width and height as big-endian u32.
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== "IHDR") return undefined;
  return { mime: "image/png", width: view.getUint32(16), height: view.getUint32(20) };
}

// Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(bytes: Uint8Array, view: DataView): ImageInfo | undefined {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2; // markers without a length
      continue;
    }
    const length = view.getUint16(offset + 2);
    if (SOF.has(marker)) {
      if (offset + 9 > bytes.length) return undefined;
      return { mime: "image/jpeg", height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    if (marker === 0xd9 || length < 2) return undefined;
    offset += 2 + length;
  }
  return undefined;
}

function webp(bytes: Uint8Array, view: DataView): ImageInfo | undefined {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === "VP8 " && bytes.length >= 30) {
    // Lossy: 14-bit sizes after the 3-byte frame tag and the 9d 01 2a start code.
    return { mime: "image/webp", width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === "VP8L" && bytes.length >= 25 && bytes[20] === 0x2f) {
    const bits = view.getUint32(21, true);
    return { mime: "image/webp", width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X" && bytes.length >= 30) {
    const u24 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    return { mime: "image/webp", width: u24(24) + 1, height: u24(27) + 1 };
  }
  return undefined;
}

/**
 * Type and pixel size of a PNG, JPEG or WebP, read from its header bytes (no decoding).
 * Returns `undefined` for anything else or for a header too damaged to read.
 */
export function readImageInfo(bytes: Uint8Array): ImageInfo | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 3) === "PNG") return png(bytes, view);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpeg(bytes, view);
  if (bytes.length >= 16 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return webp(bytes, view);
  return undefined;
}

/** True when `bytes` starts like an ISO-BMFF (MP4) file: a box whose type is `ftyp`. */
export function isMp4(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 4, 4) === "ftyp";
}

/** File extension for a downloaded thumbnail, from its magic bytes (the API sends WebP; proxies may not). */
export function imageExtension(bytes: Uint8Array): string {
  const info = readImageInfo(bytes);
  if (info?.mime === "image/png" || (bytes[0] === 0x89 && ascii(bytes, 1, 3) === "PNG")) return ".png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return ".jpg";
  return ".webp";
}
