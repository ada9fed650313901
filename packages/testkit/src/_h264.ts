/**
 * A tiny H.264 (Baseline) encoder that can only do one thing: a single IDR frame made of
 * I_PCM macroblocks (raw samples, no prediction or transform). That is enough for a real,
 * decodable video frame without a native encoder. Each macroblock is one flat colour.
 */

class BitWriter {
  // A growable byte buffer: the slice data is large (385 bytes per macroblock), so avoid arrays of numbers.
  private buf: Buffer;
  private len = 0;
  private cur = 0;
  private n = 0;
  constructor(capacity = 64) {
    this.buf = Buffer.alloc(capacity);
  }
  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  bit(b: number): void {
    this.cur = (this.cur << 1) | (b & 1);
    if (++this.n === 8) {
      this.ensure(1);
      this.buf[this.len++] = this.cur & 0xff;
      this.cur = 0;
      this.n = 0;
    }
  }
  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) this.bit((value >>> i) & 1);
  }
  /** Unsigned Exp-Golomb. */
  ue(v: number): void {
    const x = v + 1;
    const len = 32 - Math.clz32(x);
    this.bits(0, len - 1);
    this.bits(x, len);
  }
  /** Signed Exp-Golomb. */
  se(v: number): void {
    this.ue(v > 0 ? 2 * v - 1 : -2 * v);
  }
  alignZero(): void {
    while (this.n !== 0) this.bit(0);
  }
  /** Appends `count` copies of `byte`; only valid when byte-aligned. */
  fill(byte: number, count: number): void {
    this.ensure(count);
    this.buf.fill(byte, this.len, this.len + count);
    this.len += count;
  }
  trailing(): Buffer {
    this.bit(1);
    this.alignZero();
    return this.buf.subarray(0, this.len);
  }
}

/** Inserts emulation-prevention bytes (00 00 0x → 00 00 03 0x for x ≤ 3). */
function escapeRbsp(rbsp: Buffer): Buffer {
  // Worst case one extra byte per two input bytes.
  const out = Buffer.alloc(rbsp.length + (rbsp.length >> 1) + 1);
  let len = 0;
  let zeros = 0;
  for (let i = 0; i < rbsp.length; i++) {
    const b = rbsp[i]!;
    if (zeros >= 2 && b <= 3) {
      out[len++] = 3;
      zeros = 0;
    }
    out[len++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, len);
}

function nal(header: number, rbsp: Buffer): Buffer {
  return Buffer.concat([Buffer.from([header]), escapeRbsp(rbsp)]);
}

/** The SPS, PPS and IDR slice NAL units (without start codes or length prefixes). */
export interface H264Frame {
  sps: Buffer;
  pps: Buffer;
  idr: Buffer;
}

/**
 * Encodes one frame. `width`/`height` must be even; they are padded to whole macroblocks
 * and cropped back in the SPS. `colour(mbx, mby)` returns [Y, Cb, Cr] for a macroblock.
 */
export function encodeIdrFrame(width: number, height: number, colour: (mbx: number, mby: number) => [number, number, number]): H264Frame {
  const mbw = Math.ceil(width / 16);
  const mbh = Math.ceil(height / 16);
  const sps = new BitWriter();
  sps.bits(66, 8); // profile_idc: Baseline
  sps.bits(0xc0, 8); // constraint_set0/1: constrained baseline
  sps.bits(mbw * mbh > 8192 ? 51 : 40, 8); // level_idc, by frame size in macroblocks
  sps.ue(0); // seq_parameter_set_id
  sps.ue(0); // log2_max_frame_num_minus4
  sps.ue(2); // pic_order_cnt_type 2: output order = decode order
  sps.ue(1); // max_num_ref_frames
  sps.bit(0); // gaps_in_frame_num_value_allowed_flag
  sps.ue(mbw - 1);
  sps.ue(mbh - 1);
  sps.bit(1); // frame_mbs_only_flag
  sps.bit(1); // direct_8x8_inference_flag
  const cropR = (mbw * 16 - width) / 2;
  const cropB = (mbh * 16 - height) / 2;
  if (cropR || cropB) {
    sps.bit(1);
    sps.ue(0);
    sps.ue(cropR);
    sps.ue(0);
    sps.ue(cropB);
  } else sps.bit(0);
  sps.bit(0); // vui_parameters_present_flag

  const pps = new BitWriter();
  pps.ue(0); // pic_parameter_set_id
  pps.ue(0); // seq_parameter_set_id
  pps.bit(0); // entropy_coding_mode_flag: CAVLC
  pps.bit(0); // bottom_field_pic_order_in_frame_present_flag
  pps.ue(0); // num_slice_groups_minus1
  pps.ue(0); // num_ref_idx_l0_default_active_minus1
  pps.ue(0); // num_ref_idx_l1_default_active_minus1
  pps.bit(0); // weighted_pred_flag
  pps.bits(0, 2); // weighted_bipred_idc
  pps.se(0); // pic_init_qp_minus26
  pps.se(0); // pic_init_qs_minus26
  pps.se(0); // chroma_qp_index_offset
  pps.bit(1); // deblocking_filter_control_present_flag
  pps.bit(0); // constrained_intra_pred_flag
  pps.bit(0); // redundant_pic_cnt_present_flag

  const slice = new BitWriter(mbw * mbh * 386 + 64);
  slice.ue(0); // first_mb_in_slice
  slice.ue(7); // slice_type: I (all slices)
  slice.ue(0); // pic_parameter_set_id
  slice.bits(0, 4); // frame_num
  slice.ue(0); // idr_pic_id
  slice.bit(0); // no_output_of_prior_pics_flag
  slice.bit(0); // long_term_reference_flag
  slice.se(0); // slice_qp_delta
  slice.ue(1); // disable_deblocking_filter_idc: off (PCM needs none)
  for (let y = 0; y < mbh; y++) {
    for (let x = 0; x < mbw; x++) {
      const [Y, Cb, Cr] = colour(x, y);
      slice.ue(25); // mb_type I_PCM
      slice.alignZero(); // pcm_alignment_zero_bit
      slice.fill(clampSample(Y), 256);
      slice.fill(clampSample(Cb), 64);
      slice.fill(clampSample(Cr), 64);
    }
  }
  return { sps: nal(0x67, sps.trailing()), pps: nal(0x68, pps.trailing()), idr: nal(0x65, slice.trailing()) };
}

/** Keeps samples in video range, which also keeps PCM bytes away from 0x00. */
function clampSample(v: number): number {
  return Math.min(235, Math.max(16, Math.round(v)));
}
