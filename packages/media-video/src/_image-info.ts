import { imageMime, readImageInfo as readImageHeader } from "@genesis/core";

/** What the Videos API needs to know about a reference image. */
export interface ImageInfo {
  mime: "image/png" | "image/jpeg" | "image/webp";
  width: number;
  height: number;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/**
 * Type and pixel size of a PNG, JPEG or WebP, read from its header bytes (core's reader, with
 * the MIME type the Videos API upload needs). Undefined for anything else or a damaged header.
 */
export function readImageInfo(bytes: Uint8Array): ImageInfo | undefined {
  const info = readImageHeader(bytes);
  return info && { mime: imageMime(info.format), width: info.width, height: info.height };
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
