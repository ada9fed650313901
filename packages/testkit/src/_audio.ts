/**
 * Audio containers written without native encoders.
 *
 * Real signal (a sine tone): `wav` (RIFF PCM s16le), `pcm` (raw s16le, 24 kHz mono, the API's
 * format) and `flac` (valid FLAC with VERBATIM subframes, i.e. uncompressed but lossless).
 * Real but silent (valid frames any decoder accepts, carrying silence of the same duration):
 * `mp3` (MPEG-1 Layer III, 48 kHz mono, 128 kbit/s), `opus` (Ogg Opus with CELT silence
 * packets and correct page CRCs), `aac` (ADTS AAC-LC silent frames). Encoding a tone in
 * those needs a psychoacoustic encoder, which is out of scope for a test server.
 */
export type AudioFormat = "mp3" | "opus" | "aac" | "flac" | "wav" | "pcm";

/** Sample rate of the API's `pcm`/`wav` output. */
export const SPEECH_SAMPLE_RATE = 24_000;

/** Content-Type the emulator sends for each format. */
export const AUDIO_CONTENT_TYPES: Record<AudioFormat, string> = {
  mp3: "audio/mpeg",
  opus: "audio/ogg",
  aac: "audio/aac",
  flac: "audio/flac",
  wav: "audio/wav",
  pcm: "audio/pcm",
};

/** A mono s16 sine tone: `seconds` long at `rate` Hz, `freq` Hz, amplitude ~0.3 full scale. */
export function sineTone(seconds: number, freq: number, rate = SPEECH_SAMPLE_RATE): Int16Array {
  const n = Math.max(1, Math.round(seconds * rate));
  const out = new Int16Array(n);
  const w = (2 * Math.PI * freq) / rate;
  for (let i = 0; i < n; i++) out[i] = Math.round(Math.sin(w * i) * 10_000);
  return out;
}

/** Raw little-endian s16 bytes. */
export function pcm16le(samples: Int16Array): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i]!, i * 2);
  return b;
}

/**
 * A RIFF/WAVE file (PCM 16-bit mono). `comment` goes into a LIST/INFO `ICMT` chunk, which
 * the emulator's transcription endpoint reads back so speech → transcription round-trips.
 */
export function encodeWav(samples: Int16Array, rate = SPEECH_SAMPLE_RATE, comment?: string): Buffer {
  const data = pcm16le(samples);
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2); // mono
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * 2, 8);
  fmt.writeUInt16LE(2, 12);
  fmt.writeUInt16LE(16, 14);
  const chunks = [riffChunk("fmt ", fmt)];
  if (comment !== undefined) {
    chunks.push(riffChunk("LIST", Buffer.concat([Buffer.from("INFO"), riffChunk("ICMT", Buffer.from(`${comment}\0`, "utf8"))])));
  }
  chunks.push(riffChunk("data", data));
  const body = Buffer.concat([Buffer.from("WAVE"), ...chunks]);
  const head = Buffer.alloc(8);
  head.write("RIFF", 0, "latin1");
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function riffChunk(id: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, "latin1");
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat(data.length % 2 ? [head, data, Buffer.alloc(1)] : [head, data]);
}

/** Reads the ICMT comment of a WAV written by {@link encodeWav}; undefined otherwise. */
export function wavComment(wav: Buffer): string | undefined {
  if (wav.length < 12 || wav.toString("latin1", 0, 4) !== "RIFF" || wav.toString("latin1", 8, 12) !== "WAVE") return undefined;
  const at = wav.indexOf("ICMT", 12, "latin1");
  if (at < 0 || at + 8 > wav.length) return undefined;
  const len = wav.readUInt32LE(at + 4);
  return wav.toString("utf8", at + 8, Math.min(wav.length, at + 8 + len)).replace(/\0+$/, "");
}

// ---- FLAC -------------------------------------------------------------------------------

function crc8(data: Uint8Array): number {
  let c = 0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}

const CRC16_TABLE = /* @__PURE__ */ (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

function crc16(data: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < data.length; i++) c = ((c << 8) ^ CRC16_TABLE[((c >> 8) ^ data[i]!) & 0xff]!) & 0xffff;
  return c;
}

/** FLAC's UTF-8-like variable-length integer (frame numbers). */
function flacUtf8(v: number): number[] {
  if (v < 0x80) return [v];
  if (v < 0x800) return [0xc0 | (v >> 6), 0x80 | (v & 0x3f)];
  if (v < 0x10000) return [0xe0 | (v >> 12), 0x80 | ((v >> 6) & 0x3f), 0x80 | (v & 0x3f)];
  return [0xf0 | (v >> 18), 0x80 | ((v >> 12) & 0x3f), 0x80 | ((v >> 6) & 0x3f), 0x80 | (v & 0x3f)];
}

const FLAC_BLOCK = 4096;

/** A FLAC stream (16-bit mono, VERBATIM subframes) at 24 kHz. */
export function encodeFlac(samples: Int16Array, rate = SPEECH_SAMPLE_RATE): Buffer {
  if (rate !== 24_000) throw new RangeError("encodeFlac writes 24 kHz only");
  const info = Buffer.alloc(34);
  info.writeUInt16BE(FLAC_BLOCK, 0);
  info.writeUInt16BE(FLAC_BLOCK, 2);
  // 20 bits rate, 3 bits channels-1 (0), 5 bits bps-1 (15), 36 bits total samples.
  const total = samples.length;
  info[10] = (rate >> 12) & 0xff;
  info[11] = (rate >> 4) & 0xff;
  info[12] = ((rate & 0x0f) << 4) | (0 << 1) | (15 >> 4);
  info[13] = ((15 & 0x0f) << 4) | Math.floor(total / 2 ** 32) & 0x0f;
  info.writeUInt32BE(total >>> 0, 14);
  const parts: Buffer[] = [Buffer.from("fLaC", "latin1"), Buffer.from([0x80, 0, 0, 34]), info];
  for (let start = 0, frame = 0; start < total; start += FLAC_BLOCK, frame++) {
    const n = Math.min(FLAC_BLOCK, total - start);
    // Block size code 7 (16-bit size-1 follows), rate code 7 (24 kHz), mono, 16-bit.
    const head = Buffer.from([0xff, 0xf8, 0x77, 0x08, ...flacUtf8(frame), (n - 1) >> 8, (n - 1) & 0xff]);
    const body = Buffer.alloc(head.length + 1 + 1 + n * 2 + 2);
    head.copy(body, 0);
    body[head.length] = crc8(head);
    body[head.length + 1] = 0x02; // subframe: VERBATIM, no wasted bits
    for (let i = 0; i < n; i++) body.writeInt16BE(samples[start + i]!, head.length + 2 + i * 2);
    body.writeUInt16BE(crc16(body.subarray(0, body.length - 2)), body.length - 2);
    parts.push(body);
  }
  return Buffer.concat(parts);
}

// ---- MP3 / AAC (silent frames) ----------------------------------------------------------

/** MPEG-1 Layer III, 128 kbit/s, 48 kHz, mono: 384-byte frames of 1152 samples, all-zero side info = silence. */
export function encodeSilentMp3(seconds: number): Buffer {
  const frames = Math.max(1, Math.ceil((seconds * 48_000) / 1152));
  const frame = Buffer.alloc(384);
  frame.set([0xff, 0xfb, 0x94, 0xc0]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/** ADTS AAC-LC, 24 kHz mono: 1024-sample frames with an empty single-channel element. */
export function encodeSilentAac(seconds: number): Buffer {
  const frames = Math.max(1, Math.ceil((seconds * 24_000) / 1024));
  const payload = [0x01, 0x40, 0x20, 0x07]; // SCE, max_sfb=0, then END
  const len = 7 + payload.length;
  // syncword, MPEG-4, no CRC; profile LC(1), rate index 6 (24 kHz), 1 channel; fullness 0x7FF.
  const frame = Buffer.from([0xff, 0xf1, (1 << 6) | (6 << 2) | 0, (1 << 6) | (len >> 11), (len >> 3) & 0xff, ((len & 7) << 5) | 0x1f, 0xfc, ...payload]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

// ---- Ogg Opus (silence) -----------------------------------------------------------------

const OGG_CRC_TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(data: Uint8Array): number {
  let c = 0;
  for (const b of data) c = ((c << 8) ^ OGG_CRC_TABLE[((c >>> 24) ^ b) & 0xff]!) >>> 0;
  return c;
}

function oggPage(packets: Buffer[], headerType: number, granule: bigint, serial: number, seq: number): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let left = p.length; ; left -= 255) {
      lacing.push(Math.min(255, left));
      if (left < 255) break;
    }
  }
  const head = Buffer.alloc(27 + lacing.length);
  head.write("OggS", 0, "latin1");
  head[5] = headerType;
  head.writeBigInt64LE(granule, 6);
  head.writeUInt32LE(serial, 14);
  head.writeUInt32LE(seq, 18);
  head[26] = lacing.length;
  Buffer.from(lacing).copy(head, 27);
  const page = Buffer.concat([head, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** Ogg Opus, mono, 20 ms CELT silence packets (TOC 0xF8), 312-sample pre-skip. */
export function encodeSilentOpus(seconds: number): Buffer {
  const serial = 0x67656e65; // "gene"
  const preSkip = 312;
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(48_000, 12); // original input rate, informational
  const vendor = Buffer.from("genesis-testkit");
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write("OpusTags", 0, "latin1");
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  const pages = [oggPage([head], 0x02, 0n, serial, 0), oggPage([tags], 0, 0n, serial, 1)];
  const packets = Math.max(1, Math.ceil(seconds / 0.02));
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  const perPage = 50; // one second of audio per page
  for (let i = 0, seq = 2; i < packets; i += perPage, seq++) {
    const count = Math.min(perPage, packets - i);
    const granule = BigInt(preSkip + (i + count) * 960);
    const last = i + count >= packets;
    pages.push(oggPage(Array.from({ length: count }, () => silence), last ? 0x04 : 0, granule, serial, seq));
  }
  return Buffer.concat(pages);
}

/** Encodes `seconds` of audio for `text` in `format` (tone where real, silence otherwise). */
export function synthesize(format: AudioFormat, seconds: number, freq: number, comment?: string): Buffer {
  switch (format) {
    case "wav":
      return encodeWav(sineTone(seconds, freq), SPEECH_SAMPLE_RATE, comment);
    case "pcm":
      return pcm16le(sineTone(seconds, freq));
    case "flac":
      return encodeFlac(sineTone(seconds, freq));
    case "mp3":
      return encodeSilentMp3(seconds);
    case "aac":
      return encodeSilentAac(seconds);
    case "opus":
      return encodeSilentOpus(seconds);
  }
}
