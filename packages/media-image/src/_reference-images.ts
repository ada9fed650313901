import { readFile, stat } from "node:fs/promises";
import { basename, isAbsolute, resolve } from "node:path";
import { ImageRequestError } from "./image-errors.js";
import { readImageInfo, type ImageInfo } from "./_image-bytes.js";

/** A reference image read from disk and checked by magic bytes. */
export interface ReferenceImage extends ImageInfo {
  path: string;
  filename: string;
  data: Buffer;
}

/** The Images API limit per input file. */
const MAX_REFERENCE_BYTES = 50 * 1024 * 1024;

/**
 * Read the edit-mode reference images (relative paths resolve against `cwd`). Each must exist,
 * be a file of at most 50 MB, and be PNG, JPEG or WebP by its bytes (not its extension).
 * @throws ImageRequestError naming `image[i]`.
 */
export async function loadReferenceImages(paths: readonly string[], cwd: string): Promise<ReferenceImage[]> {
  const out: ReferenceImage[] = [];
  for (const [i, raw] of paths.entries()) {
    const field = paths.length === 1 ? "image" : `image[${i}]`;
    const path = isAbsolute(raw) ? raw : resolve(cwd, raw);
    let data: Buffer;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new ImageRequestError(field, `${path} is not a file`, "Pass the path of a PNG, JPEG or WebP file.");
      if (info.size > MAX_REFERENCE_BYTES) throw new ImageRequestError(field, `${path} is larger than 50 MB`, "Downscale or recompress the reference image.");
      data = await readFile(path);
    } catch (error) {
      if (error instanceof ImageRequestError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new ImageRequestError(field, code === "ENOENT" ? `${path} does not exist` : `cannot read ${path} (${code ?? "error"})`, "Check the path (relative paths resolve against the session's working directory).", { cause: error });
    }
    const info = readImageInfo(data);
    if (!info) {
      throw new ImageRequestError(field, `${path} is not a PNG, JPEG or WebP image`, "Convert the reference to PNG, JPEG or WebP; the file's content decides, not its extension.");
    }
    out.push({ ...info, path, filename: basename(path), data });
  }
  return out;
}
