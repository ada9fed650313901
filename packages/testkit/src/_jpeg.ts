/**
 * A small baseline JPEG encoder (JFIF, 8-bit, three components at full resolution, one scan),
 * enough for the emulator's gradient images so `output_format: "jpeg"` answers real JPEG bytes
 * that any decoder reads. Huffman tables are flat, spec-valid codes (every symbol of a class
 * gets the same length) instead of the Annex K tables: slightly bigger files, no tables to
 * copy, and for smooth gradients almost every block is a DC value plus end-of-block anyway.
 */

/** Annex K.1 example quantization tables (row-major), scaled by quality like libjpeg does. */
const LUMA_Q = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];
const CHROMA_Q = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99];

/** ZIGZAG[k] = row-major index of the k-th coefficient in zigzag order. */
const ZIGZAG: number[] = (() => {
  const out: number[] = [];
  for (let s = 0; s < 15; s++) {
    for (let i = 0; i <= s; i++) {
      const r = s % 2 === 0 ? s - i : i;
      const c = s - r;
      if (r < 8 && c < 8) out.push(r * 8 + c);
    }
  }
  return out;
})();

/** COS[u * 8 + x] = C(u)/2 · cos((2x+1)uπ/16): one 1-D DCT pass; two passes give the 2-D FDCT. */
const COS = Float64Array.from({ length: 64 }, (_, i) => {
  const u = i >> 3;
  const x = i & 7;
  return (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

function scaledTable(base: readonly number[], quality: number): number[] {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - q * 2;
  return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/** A flat canonical Huffman code: `symbols` all get `length` bits; a symbol's code is its index. */
interface FlatCode {
  length: number;
  symbols: number[];
  /** code[symbol] (symbols are bytes). */
  code: Uint8Array;
}

function flatCode(symbols: number[], length: number): FlatCode {
  // Fewer than 2^length codes are used, so the all-ones code (forbidden by T.81) never occurs.
  const code = new Uint8Array(256);
  symbols.forEach((s, i) => (code[s] = i));
  return { length, symbols, code };
}

const DC_CODE = flatCode(Array.from({ length: 12 }, (_, i) => i), 4);
const AC_CODE = flatCode([0x00, 0xf0, ...Array.from({ length: 160 }, (_, i) => (((i / 10) | 0) << 4) | ((i % 10) + 1))], 8);

/** Packs bit fields MSB-first into a growing byte array, stuffing 0x00 after each 0xFF. */
class BitWriter {
  #buf: Uint8Array;
  #len = 0;
  #acc = 0;
  #n = 0;

  constructor(capacity: number) {
    this.#buf = new Uint8Array(Math.max(1024, capacity));
  }

  /** Appends the low `bits` (≤ 16) bits of `value`. */
  write(value: number, bits: number): void {
    this.#acc = (this.#acc << bits) | (value & ((1 << bits) - 1));
    this.#n += bits;
    while (this.#n >= 8) {
      this.#n -= 8;
      const byte = (this.#acc >>> this.#n) & 0xff;
      if (this.#len + 2 > this.#buf.length) {
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
      this.#buf[this.#len++] = byte;
      if (byte === 0xff) this.#buf[this.#len++] = 0;
    }
    this.#acc &= (1 << this.#n) - 1;
  }

  /** Pads the last byte with 1 bits, as T.81 requires, and returns the bytes. */
  finish(): Uint8Array {
    if (this.#n > 0) this.write(0xff, 8 - this.#n);
    return this.#buf.subarray(0, this.#len);
  }
}

function bitLength(v: number): number {
  return v === 0 ? 0 : 32 - Math.clz32(Math.abs(v));
}

function segment(marker: number, data: number[]): number[] {
  const len = data.length + 2;
  return [0xff, marker, len >> 8, len & 0xff, ...data];
}

function dht(tableClass: number, id: number, code: FlatCode): number[] {
  const counts = new Array<number>(16).fill(0);
  counts[code.length - 1] = code.symbols.length;
  return segment(0xc4, [(tableClass << 4) | id, ...counts, ...code.symbols]);
}

/**
 * Encodes `rgb` (width·height·3 bytes, row-major) as a baseline JPEG.
 * @param quality 1-100 (libjpeg scale), default 90.
 */
export function encodeJpeg(width: number, height: number, rgb: Uint8Array, quality = 90): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new RangeError(`JPEG size must be 1..65535 on each side, got ${width}x${height}`);
  }
  if (rgb.length !== width * height * 3) throw new RangeError(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const tables = [scaledTable(LUMA_Q, quality), scaledTable(CHROMA_Q, quality)];
  const out = new BitWriter((width * height) >> 2);
  const pred = [0, 0, 0];
  const planes = [new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  const tmp = new Float64Array(64);
  /** Quantized DCT of `planes[comp]` into `coef` (row-major). */
  const transform = (comp: number, coef: Int32Array): void => {
    const block = planes[comp]!;
    for (let y = 0; y < 8; y++) {
      for (let u = 0; u < 8; u++) {
        let s = 0;
        for (let x = 0; x < 8; x++) s += COS[u * 8 + x]! * block[y * 8 + x]!;
        tmp[y * 8 + u] = s;
      }
    }
    const q = tables[comp === 0 ? 0 : 1]!;
    for (let v = 0; v < 8; v++) {
      for (let u = 0; u < 8; u++) {
        let s = 0;
        for (let y = 0; y < 8; y++) s += COS[v * 8 + y]! * tmp[y * 8 + u]!;
        coef[v * 8 + u] = Math.round(s / q[v * 8 + u]!);
      }
    }
  };
  const emit = (comp: number, coef: Int32Array): void => {
    const diff = coef[0]! - pred[comp]!;
    pred[comp] = coef[0]!;
    const dcSize = bitLength(diff);
    out.write(DC_CODE.code[dcSize]!, DC_CODE.length);
    if (dcSize) out.write(diff < 0 ? diff + (1 << dcSize) - 1 : diff, dcSize);
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const c = coef[ZIGZAG[k]!]!;
      if (c === 0) {
        run++;
        continue;
      }
      for (; run > 15; run -= 16) out.write(AC_CODE.code[0xf0]!, AC_CODE.length);
      const size = bitLength(c);
      out.write(AC_CODE.code[(run << 4) | size]!, AC_CODE.length);
      out.write(c < 0 ? c + (1 << size) - 1 : c, size);
      run = 0;
    }
    if (run > 0) out.write(AC_CODE.code[0x00]!, AC_CODE.length);
  };
  // Blocks with the same pixels get the same coefficients; the emulator's diagonal gradients
  // repeat along each anti-diagonal, so this turns O(blocks) transforms into O(width + height).
  // Entries are found by an FNV-1a hash of the 192 pixel bytes and confirmed byte for byte.
  const cache = new Map<number, { px: Uint8Array; coefs: Int32Array[] }[]>();
  let cached = 0;
  const px = new Uint8Array(192);
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      if (bx + 8 <= width && by + 8 <= height) {
        for (let j = 0; j < 8; j++) {
          const o = ((by + j) * width + bx) * 3;
          px.set(rgb.subarray(o, o + 24), j * 24);
        }
      } else {
        for (let i = 0; i < 64; i++) {
          // Edge blocks repeat the last row/column.
          const o = (Math.min(by + (i >> 3), height - 1) * width + Math.min(bx + (i & 7), width - 1)) * 3;
          px[i * 3] = rgb[o]!;
          px[i * 3 + 1] = rgb[o + 1]!;
          px[i * 3 + 2] = rgb[o + 2]!;
        }
      }
      let hash = 0x811c9dc5;
      for (let i = 0; i < 192; i++) hash = Math.imul(hash ^ px[i]!, 0x01000193);
      const bucket = cache.get(hash);
      let coefs = bucket?.find((e) => e.px.every((v, i) => v === px[i]))?.coefs;
      if (!coefs) {
        for (let i = 0; i < 64; i++) {
          const r = px[i * 3]!;
          const g = px[i * 3 + 1]!;
          const b = px[i * 3 + 2]!;
          // JFIF colour conversion; luma is level-shifted, chroma is already centred on 0.
          planes[0]![i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
          planes[1]![i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
          planes[2]![i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
        }
        coefs = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];
        for (let c = 0; c < 3; c++) transform(c, coefs[c]!);
        // Bounded memory for pictures without repeats.
        if (++cached > 4096) {
          cache.clear();
          cached = 1;
        }
        const entry = { px: px.slice(), coefs };
        if (bucket && cache.has(hash)) bucket.push(entry);
        else cache.set(hash, [entry]);
      }
      for (let c = 0; c < 3; c++) emit(c, coefs[c]!);
    }
  }
  const data = out.finish();
  const head = [
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xdb, [0, ...ZIGZAG.map((i) => tables[0]![i]!), 1, ...ZIGZAG.map((i) => tables[1]![i]!)]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]),
    ...dht(0, 0, DC_CODE),
    ...dht(1, 0, AC_CODE),
    ...segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]),
  ];
  return Buffer.concat([Buffer.from(head), data, Buffer.from([0xff, 0xd9])]);
}

/** Reads width/height from a baseline JPEG's SOF0; undefined when the bytes are not one. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  for (let o = 2; o + 9 < jpeg.length && jpeg[o] === 0xff; o += 2 + jpeg.readUInt16BE(o + 2)) {
    if (jpeg[o + 1] === 0xc0) return { width: jpeg.readUInt16BE(o + 7), height: jpeg.readUInt16BE(o + 5) };
  }
  return undefined;
}
