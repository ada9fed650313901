import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeFlac, encodeSilentAac, encodeSilentMp3, encodeSilentOpus, encodeWav, sineTone, synthesize, wavComment } from "./_audio.js";
import { crc32 } from "./_crc32.js";
import { alawToLinear, decodeMulaw, encodeMulaw, linearToAlaw, linearToMulaw, mulawToLinear } from "./_g711.js";
import { mp4TopLevelBoxes, renderMp4 } from "./_mp4.js";
import { pngSize, renderPng } from "./_png.js";

function pngChunks(png: Buffer): { type: string; data: Buffer; crcOk: boolean }[] {
  const out = [];
  for (let p = 8; p < png.length; ) {
    const len = png.readUInt32BE(p);
    const type = png.toString("latin1", p + 4, p + 8);
    out.push({ type, data: png.subarray(p + 8, p + 8 + len), crcOk: crc32(png.subarray(p + 4, p + 8 + len)) === png.readUInt32BE(p + 8 + len) });
    p += 12 + len;
  }
  return out;
}

/** Finds a box by path (e.g. moov/trak/mdia) inside an ISO-BMFF buffer. */
function findBox(buf: Buffer, path: string[], start = 0, end = buf.length): Buffer | undefined {
  for (let p = start; p + 8 <= end; ) {
    const size = buf.readUInt32BE(p);
    if (buf.toString("latin1", p + 4, p + 8) === path[0]) return path.length === 1 ? buf.subarray(p, p + size) : findBox(buf, path.slice(1), p + 8, p + size);
    p += size;
  }
  return undefined;
}

const hasFfprobe = (() => {
  try {
    execFileSync("ffprobe", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("PNG", () => {
  it("has valid chunk CRCs, inflates to exactly height*(1+3*width) bytes, and is deterministic", () => {
    const png = renderPng(37, 5, "seed");
    expect(pngSize(png)).toEqual({ width: 37, height: 5 });
    const chunks = pngChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    expect(inflateSync(chunks[1]!.data).length).toBe(5 * (1 + 37 * 3));
    expect(renderPng(37, 5, "seed").equals(png)).toBe(true);
    expect(renderPng(37, 5, "other").equals(png)).toBe(false);
    expect(() => renderPng(0, 5)).toThrow(RangeError);
  });
});

describe("MP4", () => {
  it("has ftyp/moov/mdat with a complete sample table whose chunk offset points at an H.264 IDR", () => {
    const mp4 = renderMp4({ width: 64, height: 48, seconds: 8, seed: "x" });
    expect(mp4TopLevelBoxes(mp4)).toEqual(["ftyp", "moov", "mdat"]);
    expect(mp4.toString("latin1", 8, 12)).toBe("isom");
    const mvhd = findBox(mp4, ["moov", "mvhd"])!;
    expect(mvhd.readUInt32BE(24) / mvhd.readUInt32BE(20)).toBe(8); // duration / timescale
    const tkhd = findBox(mp4, ["moov", "trak", "tkhd"])!;
    expect([tkhd.readUInt32BE(tkhd.length - 8) >>> 16, tkhd.readUInt32BE(tkhd.length - 4) >>> 16]).toEqual([64, 48]);
    const stbl = ["moov", "trak", "mdia", "minf", "stbl"];
    expect(findBox(mp4, [...stbl, "stsd"])!.toString("latin1", 20, 24)).toBe("avc1");
    const stco = findBox(mp4, [...stbl, "stco"])!;
    const offset = stco.readUInt32BE(16);
    const size = findBox(mp4, [...stbl, "stsz"])!.readUInt32BE(20);
    expect(offset + size).toBe(mp4.length);
    expect(mp4[offset + 4]! & 0x1f).toBe(5); // NAL type 5: IDR slice
    expect(mp4.readUInt32BE(offset)).toBe(size - 4);
  });

  it.skipIf(!hasFfprobe)("decodes with ffprobe/ffmpeg when they are installed", () => {
    const dir = mkdtempSync(join(tmpdir(), "tk-mp4-"));
    try {
      const file = join(dir, "v.mp4");
      writeFileSync(file, renderMp4({ width: 320, height: 240, seconds: 4 }));
      const out = execFileSync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", file]).toString().trim();
      expect(out).toBe("h264,320,240");
      execFileSync("ffmpeg", ["-v", "error", "-xerror", "-i", file, "-f", "null", "-"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("audio containers", () => {
  it("writes a WAV with correct header fields and an embedded comment", () => {
    const wav = encodeWav(sineTone(0.5, 440), 24000, "hi there");
    expect(wav.toString("latin1", 0, 4)).toBe("RIFF");
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.readUInt32LE(24)).toBe(24000);
    expect(wavComment(wav)).toBe("hi there");
    const at = wav.indexOf("data", 12, "latin1");
    expect(wav.readUInt32LE(at + 4)).toBe(12000 * 2);
  });

  it("writes FLAC frames whose CRC-16 verifies and whose samples are the input", () => {
    const samples = sineTone(0.3, 300);
    const flac = encodeFlac(samples);
    expect(flac.toString("latin1", 0, 4)).toBe("fLaC");
    const frameStart = 4 + 4 + 34;
    const frameLen = 7 + 1 + 1 + 4096 * 2 + 2; // header (1-byte frame number, 16-bit block size) + crc8 + subframe header + samples + crc16
    const frame = flac.subarray(frameStart, frameStart + frameLen);
    let c = 0;
    for (const b of frame.subarray(0, -2)) {
      c ^= b << 8;
      for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    }
    expect(frame.readUInt16BE(frame.length - 2)).toBe(c);
    expect(frame.readInt16BE(9 + 2 * 100)).toBe(samples[100]);
  });

  it("writes MP3, AAC and Ogg Opus streams with valid framing", () => {
    const mp3 = encodeSilentMp3(1);
    expect(mp3.length % 384).toBe(0);
    expect(mp3.length / 384).toBe(42); // ceil(48000 / 1152)
    const aac = encodeSilentAac(1);
    expect([aac[0], aac[1]]).toEqual([0xff, 0xf1]);
    const frameLen = ((aac[3]! & 3) << 11) | (aac[4]! << 3) | (aac[5]! >> 5);
    expect(aac.length % frameLen).toBe(0);
    const ogg = encodeSilentOpus(1);
    // Every page's CRC (computed with the CRC field zeroed) matches.
    let pages = 0;
    for (let p = 0; p < ogg.length; pages++) {
      expect(ogg.toString("latin1", p, p + 4)).toBe("OggS");
      const segs = ogg[p + 26]!;
      const bodyLen = [...ogg.subarray(p + 27, p + 27 + segs)].reduce((a, b) => a + b, 0);
      const page = Buffer.from(ogg.subarray(p, p + 27 + segs + bodyLen));
      const expected = page.readUInt32LE(22);
      page.writeUInt32LE(0, 22);
      let c = 0;
      for (const b of page) {
        c ^= b << 24;
        for (let k = 0; k < 8; k++) c = c & 0x80000000 ? ((c << 1) ^ 0x04c11db7) >>> 0 : (c << 1) >>> 0;
      }
      expect(c >>> 0).toBe(expected);
      p += page.length;
    }
    expect(pages).toBe(3);
    expect(ogg.subarray(28, 36).toString("latin1")).toBe("OpusHead");
  });

  it.skipIf(!hasFfprobe)("every speech format decodes with ffmpeg when it is installed", () => {
    const dir = mkdtempSync(join(tmpdir(), "tk-audio-"));
    try {
      for (const f of ["mp3", "opus", "aac", "flac", "wav"] as const) {
        const file = join(dir, `a.${f === "opus" ? "ogg" : f}`);
        writeFileSync(file, synthesize(f, 0.7, 440));
        execFileSync("ffmpeg", ["-v", "error", "-xerror", "-i", file, "-f", "null", "-"]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("G.711", () => {
  it("matches reference values and round-trips within the codec's quantisation error", () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(mulawToLinear(0xff)).toBe(0);
    expect(linearToMulaw(-32768)).toBe(0x00);
    expect(linearToAlaw(0)).toBe(0xd5);
    for (const v of [-30000, -1000, -5, 3, 200, 8000, 32000]) {
      expect(Math.abs(mulawToLinear(linearToMulaw(v)) - v)).toBeLessThanOrEqual(Math.max(8, Math.abs(v) / 16));
      expect(Math.abs(alawToLinear(linearToAlaw(v)) - v)).toBeLessThanOrEqual(Math.max(16, Math.abs(v) / 16));
    }
    const tone = sineTone(0.01, 440, 8000);
    expect(decodeMulaw(encodeMulaw(tone)).length).toBe(tone.length);
  });

  it("encodes every int16 value bit for bit like sox (rounding to 14/13 bits, not truncating)", () => {
    // Digests of `sox -D -t raw -r 8000 -b 16 -e signed -c 1 ramp.s16 -t raw -e u-law|a-law out`
    // where ramp.s16 holds -32768..32767 in order (SoX v14.4.2).
    const mu = Buffer.alloc(65536);
    const a = Buffer.alloc(65536);
    for (let i = 0; i < 65536; i++) {
      mu[i] = linearToMulaw(i - 32768);
      a[i] = linearToAlaw(i - 32768);
    }
    expect(createHash("sha256").update(mu).digest("hex")).toBe("cd03795221187036041e2c68724ebbcc497e1844823ff4ab4ac6e61bc5948fb3");
    expect(createHash("sha256").update(a).digest("hex")).toBe("9ad77510792fe7c8192acff6bf30d3fe660e5644727b703881516fa61dbabdeb");
    // Where truncation and rounding differ: 2 rounds up to the first μ-law step, -3 away from zero.
    expect([2, -2, -3, 100, -100, 31612, 32767].map(linearToMulaw)).toEqual([0xfe, 0xff, 0x7e, 0xf2, 0x72, 0x80, 0x80]);
    expect([-31611, 31612, 32767, -32768, 100, -100].map(linearToAlaw)).toEqual([0x2b, 0xab, 0xaa, 0x2a, 0xd3, 0x50]);
  });
});
