import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { encodeJpeg, renderMp4, renderPng } from "@genesis/testkit";
import { imageExtension, isMp4, readImageInfo } from "./_image-info.js";

/** Flat mid-grey RGB pixels for the JPEG encoder. */
const grey = (width: number, height: number) => new Uint8Array(width * height * 3).fill(128);

function riff(chunk: string, payload: number[]): Uint8Array {
  const body = [...Buffer.from("WEBP"), ...Buffer.from(chunk), ...[payload.length, 0, 0, 0], ...payload];
  return new Uint8Array([...Buffer.from("RIFF"), ...[body.length & 0xff, 0, 0, 0], ...body]);
}

describe("readImageInfo", () => {
  it("reads PNG and JPEG sizes from real encoder output", () => {
    expect(readImageInfo(renderPng(1280, 720))).toEqual({ mime: "image/png", width: 1280, height: 720 });
    expect(readImageInfo(encodeJpeg(48, 80, grey(48, 80)))).toEqual({ mime: "image/jpeg", width: 48, height: 80 });
  });

  it("reads the three WebP headers", () => {
    // VP8X: 24-bit width-1 / height-1 at offsets 24 and 27.
    const vp8x = riff("VP8X", [0, 0, 0, 0, ...[1791 & 0xff, 1791 >> 8, 0], ...[1023 & 0xff, 1023 >> 8, 0]]);
    expect(readImageInfo(vp8x)).toEqual({ mime: "image/webp", width: 1792, height: 1024 });
    // VP8L: signature 0x2f, then 14-bit width-1 and height-1.
    const bits = (720 - 1) | ((1280 - 1) << 14);
    const vp8l = riff("VP8L", [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff]);
    expect(readImageInfo(vp8l)).toEqual({ mime: "image/webp", width: 720, height: 1280 });
    // VP8: frame tag (3), start code 9d 01 2a, then 14-bit width and height.
    const vp8 = riff("VP8 ", [0, 0, 0, 0x9d, 0x01, 0x2a, 1280 & 0xff, 1280 >> 8, 720 & 0xff, 720 >> 8]);
    expect(readImageInfo(vp8)).toEqual({ mime: "image/webp", width: 1280, height: 720 });
  });

  it("returns undefined for other or damaged bytes, never throws", () => {
    expect(readImageInfo(new TextEncoder().encode("hello world, not an image"))).toBeUndefined();
    expect(readImageInfo(renderPng(4, 4).subarray(0, 20))).toBeUndefined();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const info = readImageInfo(bytes);
      return info === undefined || (Number.isInteger(info.width) && Number.isInteger(info.height));
    }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
      readImageInfo(new Uint8Array([0xff, 0xd8, ...tail]));
      return true;
    }));
  });
});

describe("isMp4 / imageExtension", () => {
  it("recognises the emulator's MP4 by its ftyp box and refuses JSON", () => {
    expect(isMp4(renderMp4({ width: 64, height: 64, seconds: 1, seed: "x" }))).toBe(true);
    expect(isMp4(new TextEncoder().encode('{"not":"a video"}'))).toBe(false);
  });
  it("names thumbnails after their real type", () => {
    expect(imageExtension(renderPng(2, 2))).toBe(".png");
    expect(imageExtension(encodeJpeg(8, 8, grey(8, 8)))).toBe(".jpg");
    expect(imageExtension(riff("VP8L", [0x2f, 0, 0, 0, 0]))).toBe(".webp");
  });
});
