import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeJpeg, jpegSize } from "./_jpeg.js";
import { gradientRgb, renderPng } from "./_png.js";

const hasFfmpeg = (() => {
  try {
    execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Entropy-coded data may hold 0xFF only as 0xFF00 (stuffing) or a marker; baseline has no RST. */
function markersAfterScan(jpeg: Buffer): number[] {
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const start = sos + 2 + jpeg.readUInt16BE(sos + 2);
  const found: number[] = [];
  for (let i = start; i < jpeg.length - 1; i++) if (jpeg[i] === 0xff && jpeg[i + 1] !== 0) found.push(jpeg[i + 1]!);
  return found;
}

describe("encodeJpeg", () => {
  it("writes a baseline JFIF file with the right size, stuffed entropy data and one EOI", () => {
    const jpeg = encodeJpeg(37, 21, gradientRgb(37, 21, "x"));
    expect([...jpeg.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
    expect(jpeg.toString("latin1", 6, 10)).toBe("JFIF");
    expect(jpegSize(jpeg)).toEqual({ width: 37, height: 21 });
    expect(markersAfterScan(jpeg)).toEqual([0xd9]);
    expect([...jpeg.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(jpegSize(renderPng(4, 4))).toBeUndefined();
  });

  it("is deterministic, and lower quality gives smaller files", () => {
    const rgb = gradientRgb(256, 128, "seed");
    expect(encodeJpeg(256, 128, rgb, 80).equals(encodeJpeg(256, 128, rgb, 80))).toBe(true);
    expect(encodeJpeg(256, 128, rgb, 10).length).toBeLessThan(encodeJpeg(256, 128, rgb, 100).length);
    expect(() => encodeJpeg(2, 2, new Uint8Array(5))).toThrow(RangeError);
    expect(() => encodeJpeg(0, 2, new Uint8Array(0))).toThrow(/1..65535/);
  });

  it.skipIf(!hasFfmpeg)("decodes with ffmpeg to the source picture (gradients and noise, small mean error)", () => {
    const dir = mkdtempSync(join(tmpdir(), "jpeg-"));
    try {
      // Noise has no repeated blocks (every block transformed); gradients mostly hit the cache.
      const noise = Uint8Array.from({ length: 40 * 24 * 3 }, (_, i) => (i * 2654435761) >>> 24);
      for (const [w, h, q] of [[64, 48, 100], [53, 29, 90], [40, 24, 100]] as const) {
        const rgb = w === 40 ? noise : gradientRgb(w, h, `ffmpeg ${w}`);
        const file = join(dir, `${w}.jpg`);
        writeFileSync(file, encodeJpeg(w, h, rgb, q));
        const out = execFileSync("ffmpeg", ["-v", "error", "-xerror", "-i", file, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { maxBuffer: 1 << 24 });
        expect(out.length).toBe(rgb.length);
        let err = 0;
        for (let i = 0; i < rgb.length; i++) err += Math.abs(out[i]! - rgb[i]!);
        expect(err / rgb.length, `${w}x${h}`).toBeLessThan(w === 40 ? 4 : 2);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
