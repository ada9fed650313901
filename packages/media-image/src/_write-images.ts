import { randomBytes } from "node:crypto";
import { link, mkdir, open, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ImageGenerationError } from "./image-errors.js";

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** A short file-name-safe slug of the prompt (ASCII letters and digits only). */
export function promptSlug(prompt: string): string {
  const slug = prompt.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return slug || "image";
}

/**
 * Write `data` into `dir` atomically under a name that collides with nothing already there:
 * the bytes go to a temp file first (flushed to disk), which is then hard-linked to the final
 * name (a link never replaces an existing file, so concurrent writers cannot clobber each
 * other), and the temp file is removed, also when a step fails (e.g. a full disk). Readers
 * never see a partial image.
 * @throws ImageGenerationError `image_write_failed` naming the folder and the system error code.
 */
export async function writeImageFile(dir: string, base: string, ext: string, data: Uint8Array): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${base}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temp, "wx", 0o644);
    try {
      try {
        await handle.writeFile(data);
        // On disk before it gets its name, so a crash cannot leave an empty or torn image behind.
        await handle.sync();
      } finally {
        await handle.close();
      }
      for (let n = 1; ; n++) {
        const path = join(dir, n === 1 ? `${base}.${ext}` : `${base}-${n}.${ext}`);
        try {
          await link(temp, path);
          return path;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST" || n > 9999) throw error;
        }
      }
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  } catch (error) {
    throw new ImageGenerationError("image_write_failed", `Could not write the image into ${dir} (${(error as NodeJS.ErrnoException).code ?? "error"}).`, {
      cause: error,
      hint: "Pass a writable outputDir, or check the permissions of $GENESIS_HOME/media/images.",
    });
  }
}

/** The base file name for image `index` of a call made at `nowMs`. */
export function imageBaseName(prompt: string, nowMs: number, index: number, total: number): string {
  return `${promptSlug(prompt)}-${stamp(nowMs)}${total > 1 ? `-${index + 1}` : ""}`;
}
