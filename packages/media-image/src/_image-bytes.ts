// The header readers live in core (media-video reads reference images the same way); this
// module keeps the package's own import path for them.
export { readImageInfo, sniffImageFormat } from "@genesis/core";
export type { ImageFormat, ImageInfo } from "@genesis/core";
