import { createHash } from "node:crypto";
import { encodeIdrFrame } from "./_h264.js";

/** Builds an ISO-BMFF box: 32-bit size, 4-char type, payload. */
function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
}

/** A "full box" has a version byte and 24 flag bits before its payload. */
function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...payload);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, i * 2));
  return b;
}

// Identity transformation matrix shared by mvhd and tkhd.
const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);
const TIMESCALE = 1000;

/** Options for {@link renderMp4}. */
export interface Mp4Options {
  width: number;
  height: number;
  /** Duration in seconds (default 4, like sora-2's shortest clip). */
  seconds?: number;
  /** Seeds the frame's colours (e.g. the prompt), so output is deterministic. */
  seed?: string;
}

/**
 * Renders a real MP4 (ISO BMFF, `isom`/`avc1` brands, moov before mdat) with one H.264
 * video track holding a single decodable IDR frame that lasts the whole duration.
 * Frame content is a colour gradient derived from `seed`.
 */
export function renderMp4(options: Mp4Options): Buffer {
  const { width, height } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 || width % 2 || height % 2 || width > 4096 || height > 4096) {
    throw new RangeError(`MP4 size must be even and 2..4096 on each side, got ${width}x${height}`);
  }
  const duration = Math.round((options.seconds ?? 4) * TIMESCALE);
  const h = createHash("sha256").update(options.seed ?? "").digest();
  const mbw = Math.ceil(width / 16);
  const mbh = Math.ceil(height / 16);
  const frame = encodeIdrFrame(width, height, (x, y) => [
    40 + (180 * (x + y)) / Math.max(1, mbw + mbh - 2),
    h[0]! / 2 + 64,
    h[1]! / 2 + 64,
  ]);
  const sampleLen = Buffer.alloc(4);
  sampleLen.writeUInt32BE(frame.idr.length, 0);
  const sample = Buffer.concat([sampleLen, frame.idr]);

  const ftyp = box("ftyp", Buffer.from("isom", "latin1"), u32(0x200), Buffer.from("isomiso2avc1mp41", "latin1"));
  const build = (chunkOffset: number): Buffer => {
    const mvhd = fullBox("mvhd", 0, 0, u32(0, 0, TIMESCALE, duration, 0x00010000), u16(0x0100, 0), u32(0, 0), MATRIX, Buffer.alloc(24), u32(2));
    const tkhd = fullBox("tkhd", 0, 3, u32(0, 0, 1, 0, duration, 0, 0), u16(0, 0, 0, 0), MATRIX, u32(width << 16, height << 16));
    const mdhd = fullBox("mdhd", 0, 0, u32(0, 0, TIMESCALE, duration), u16(0x55c4, 0)); // language "und"
    const hdlr = fullBox("hdlr", 0, 0, u32(0), Buffer.from("vide", "latin1"), u32(0, 0, 0), Buffer.from("VideoHandler\0", "latin1"));
    const vmhd = fullBox("vmhd", 0, 1, u16(0, 0, 0, 0));
    const dinf = box("dinf", fullBox("dref", 0, 0, u32(1), fullBox("url ", 0, 1)));
    const avcC = box(
      "avcC",
      Buffer.from([1, frame.sps[1]!, frame.sps[2]!, frame.sps[3]!, 0xff, 0xe1]),
      u16(frame.sps.length),
      frame.sps,
      Buffer.from([1]),
      u16(frame.pps.length),
      frame.pps,
    );
    const compressor = Buffer.alloc(32);
    compressor.write("\x07genesis", 0, "latin1");
    const avc1 = box(
      "avc1",
      Buffer.alloc(6),
      u16(1), // data_reference_index
      Buffer.alloc(16),
      u16(width, height),
      u32(0x00480000, 0x00480000, 0),
      u16(1), // frame_count
      compressor,
      u16(0x0018, 0xffff),
      avcC,
    );
    const stbl = box(
      "stbl",
      fullBox("stsd", 0, 0, u32(1), avc1),
      fullBox("stts", 0, 0, u32(1, 1, duration)),
      fullBox("stss", 0, 0, u32(1, 1)),
      fullBox("stsc", 0, 0, u32(1, 1, 1, 1)),
      fullBox("stsz", 0, 0, u32(0, 1, sample.length)),
      fullBox("stco", 0, 0, u32(1, chunkOffset)),
    );
    const minf = box("minf", vmhd, dinf, stbl);
    return box("moov", mvhd, box("trak", tkhd, box("mdia", mdhd, hdlr, minf)));
  };
  // moov's size does not depend on the offset value, so measure once then build for real.
  const moovLen = build(0).length;
  const moov = build(ftyp.length + moovLen + 8);
  return Buffer.concat([ftyp, moov, box("mdat", sample)]);
}

/** Top-level box types in order, for structural checks (e.g. `["ftyp","moov","mdat"]`). */
export function mp4TopLevelBoxes(data: Buffer): string[] {
  const types: string[] = [];
  for (let pos = 0; pos + 8 <= data.length; ) {
    const size = data.readUInt32BE(pos);
    types.push(data.toString("latin1", pos + 4, pos + 8));
    if (size < 8) break;
    pos += size;
  }
  return types;
}
