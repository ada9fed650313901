import { describe, expect, it } from "vitest";
import { imageMime, readImageInfo, sniffImageFormat } from "./image-info.js";

// Headers built by hand from the format specs; the media packages test real encoder output.
function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "latin1");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

function jpeg(width: number, height: number): Buffer {
  // SOI, an APP0 segment to skip, then SOF0 with the frame size.
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

function webpLossless(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write("RIFF", 0, "latin1");
  b.write("WEBP", 8, "latin1");
  b.write("VP8L", 12, "latin1");
  b[20] = 0x2f;
  b.writeUInt32LE(((height - 1) << 14) | (width - 1), 21);
  return b;
}

describe("readImageInfo", () => {
  it("reads PNG, JPEG and WebP sizes from their headers", () => {
    expect(readImageInfo(png(1536, 864))).toEqual({ format: "png", width: 1536, height: 864 });
    expect(readImageInfo(jpeg(1280, 720))).toEqual({ format: "jpeg", width: 1280, height: 720 });
    expect(readImageInfo(webpLossless(640, 480))).toEqual({ format: "webp", width: 640, height: 480 });
  });

  it("returns undefined for other bytes and damaged headers, never throws", () => {
    expect(readImageInfo(Buffer.from("GIF89a......"))).toBeUndefined();
    expect(readImageInfo(png(0, 10))).toBeUndefined();
    expect(readImageInfo(png(10, 10).subarray(0, 20))).toBeUndefined();
    expect(readImageInfo(jpeg(10, 10).subarray(0, 12))).toBeUndefined();
    expect(readImageInfo(new Uint8Array())).toBeUndefined();
  });

  it("sniffs the format and names its MIME type", () => {
    expect(sniffImageFormat(jpeg(1, 1))).toBe("jpeg");
    expect(sniffImageFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(imageMime("jpeg")).toBe("image/jpeg");
    expect(imageMime("webp")).toBe("image/webp");
  });
});
