import { describe, expect, it } from "vitest";
import { encodeJpeg, renderPng } from "@genesis/testkit";
import { readImageInfo, sniffImageFormat } from "./_image-bytes.js";

function webpVp8x(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write("RIFF", 0, "latin1");
  b.writeUInt32LE(22, 4);
  b.write("WEBP", 8, "latin1");
  b.write("VP8X", 12, "latin1");
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}

describe("image bytes", () => {
  it("reads PNG and JPEG sizes from real encoder output", () => {
    expect(readImageInfo(renderPng(320, 176, "seed"))).toEqual({ format: "png", width: 320, height: 176 });
    const rgb = new Uint8Array(48 * 32 * 3).fill(128);
    expect(readImageInfo(encodeJpeg(48, 32, rgb, 80))).toEqual({ format: "jpeg", width: 48, height: 32 });
  });
  it("reads WebP (VP8X) headers", () => {
    expect(readImageInfo(webpVp8x(1536, 1024))).toEqual({ format: "webp", width: 1536, height: 1024 });
  });
  it("rejects non-images and truncated headers", () => {
    expect(sniffImageFormat(Buffer.from("GIF89a......"))).toBeUndefined();
    expect(readImageInfo(Buffer.from("%PDF-1.7 not an image"))).toBeUndefined();
    expect(readImageInfo(renderPng(10, 10).subarray(0, 12))).toBeUndefined();
    expect(readImageInfo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 2]))).toBeUndefined();
  });
});
