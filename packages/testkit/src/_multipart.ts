/**
 * A binary-safe multipart/form-data parser (RFC 7578) for the emulator's upload endpoints.
 * The body is already fully buffered by the server, so this works on one Buffer and slices
 * parts out of it without copying file contents.
 */

/** One file part of a multipart body. */
export interface MultipartFile {
  /** Form field name, e.g. `image[]`. */
  field: string;
  /** `filename` from Content-Disposition (may be empty). */
  filename: string;
  /** The part's Content-Type; `application/octet-stream` when absent. */
  contentType: string;
  /** The raw bytes (a view into the original body). */
  data: Buffer;
}

/** Parsed multipart body: text fields (repeated names become arrays) and files in order. */
export interface MultipartBody {
  fields: Record<string, string | string[]>;
  files: MultipartFile[];
}

/** Limits; defaults are generous enough for the image endpoints (16 files of 50 MB). */
export interface MultipartLimits {
  /** Maximum number of parts (default 64). */
  maxParts?: number;
  /** Maximum bytes of one file (default 50 MiB). */
  maxFileBytes?: number;
  /** Maximum bytes of one text field (default 1 MiB). */
  maxFieldBytes?: number;
}

/** Thrown for a malformed or oversized body; `status` is the HTTP status to answer with. */
export class MultipartError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = "MultipartError";
    this.status = status;
  }
}

/** Extracts the boundary from a Content-Type header, or undefined when it is not multipart. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType.trim())) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  return b && b.length <= 70 ? b : undefined;
}

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

/**
 * Parses `body` using the boundary from `contentType`.
 * @throws MultipartError when the content type has no boundary, the framing is broken,
 *   or a limit is exceeded (413).
 */
export function parseMultipart(body: Buffer, contentType: string | undefined, limits: MultipartLimits = {}): MultipartBody {
  const boundary = multipartBoundary(contentType);
  if (!boundary) throw new MultipartError("Expected a multipart/form-data body with a boundary.");
  const maxParts = limits.maxParts ?? 64;
  const maxFile = limits.maxFileBytes ?? 50 * 1024 * 1024;
  const maxField = limits.maxFieldBytes ?? 1024 * 1024;
  const delimiter = Buffer.from(`--${boundary}`);
  // Every delimiter after the first is preceded by CRLF, which belongs to the delimiter.
  const innerDelimiter = Buffer.from(`\r\n--${boundary}`);
  const out: MultipartBody = { fields: {}, files: [] };

  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError("Multipart body does not contain its boundary.");
  pos += delimiter.length;
  let parts = 0;
  for (;;) {
    // After a delimiter: "--" closes the body, otherwise (optional whitespace) CRLF starts a part.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return out;
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body.indexOf(CRLF, pos) !== pos) throw new MultipartError("Malformed multipart delimiter line.");
    pos += 2;
    const headerEnd = body.indexOf(HEADER_END, pos);
    // A part with no headers at all starts directly with the blank line.
    const headersText = body.indexOf(CRLF, pos) === pos ? "" : headerEnd < 0 ? null : body.toString("latin1", pos, headerEnd);
    if (headersText === null) throw new MultipartError("Multipart part headers are not terminated.");
    const dataStart = headersText === "" ? pos + 2 : headerEnd + 4;
    const next = body.indexOf(innerDelimiter, dataStart);
    if (next < 0) throw new MultipartError("Multipart body is truncated (no closing boundary).");
    if (++parts > maxParts) throw new MultipartError(`Too many multipart parts (limit ${maxParts}).`, 413);
    addPart(out, parseHeaders(headersText), body.subarray(dataStart, next), maxFile, maxField);
    pos = next + innerDelimiter.length;
  }
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** Reads a Content-Disposition parameter, honouring quotes and RFC 5987 `name*=` forms. */
function dispositionParam(disposition: string, key: string): string | undefined {
  const star = new RegExp(`;\\s*${key}\\*=(?:[\\w-]+)?'[^']*'([^;]+)`, "i").exec(disposition);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain form */
    }
  }
  const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, "i").exec(disposition);
  if (!m) return undefined;
  // Headers were decoded as latin1 to stay byte-exact; names are UTF-8 on the wire.
  const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? "").trim();
  return Buffer.from(raw, "latin1").toString("utf8");
}

function addPart(out: MultipartBody, headers: Map<string, string>, data: Buffer, maxFile: number, maxField: number): void {
  const disposition = headers.get("content-disposition");
  if (!disposition || !/^form-data\b/i.test(disposition)) {
    throw new MultipartError("Multipart part lacks a form-data Content-Disposition.");
  }
  const field = dispositionParam(disposition, "name");
  if (field === undefined) throw new MultipartError("Multipart part lacks a field name.");
  const filename = dispositionParam(disposition, "filename");
  if (filename !== undefined) {
    if (data.length > maxFile) throw new MultipartError(`File in field '${field}' exceeds ${maxFile} bytes.`, 413);
    out.files.push({ field, filename, contentType: headers.get("content-type") ?? "application/octet-stream", data });
    return;
  }
  if (data.length > maxField) throw new MultipartError(`Field '${field}' exceeds ${maxField} bytes.`, 413);
  const value = data.toString("utf8");
  const prev = out.fields[field];
  if (prev === undefined) out.fields[field] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else out.fields[field] = [prev, value];
}

/** All values of a field (repeated or single), in order. */
export function fieldValues(body: MultipartBody, name: string): string[] {
  const v = body.fields[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The first value of a field, or undefined. */
export function fieldValue(body: MultipartBody, name: string): string | undefined {
  return fieldValues(body, name)[0];
}

/** Files whose field is any of `names` (e.g. `image` and `image[]`), in order. */
export function filesOf(body: MultipartBody, ...names: string[]): MultipartFile[] {
  return body.files.filter((f) => names.includes(f.field));
}

const FILE_PLACEHOLDER = /^<file .*, \d+ bytes>$/s;

/** The string a file part becomes in {@link formObject}: readable in error messages, recognisable by {@link isFilePlaceholder}. */
export function filePlaceholder(file: MultipartFile): string {
  return `<file ${file.filename || "(unnamed)"}, ${file.data.length} bytes>`;
}

/** True for a value {@link formObject} made from a file part (the spec's `format: binary`). */
export function isFilePlaceholder(value: unknown): boolean {
  return typeof value === "string" && FILE_PLACEHOLDER.test(value);
}

/**
 * The body as the object the API's form schema describes, the way OpenAI's SDKs encode it:
 * `name[]` parts (and a name repeated without brackets) collect into an array, `name[key]`
 * parts into a nested object, and file parts become {@link filePlaceholder} strings. Text
 * values stay strings; the validator coerces them to the schema's number/boolean types.
 */
export function formObject(body: MultipartBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const put = (name: string, value: string): void => {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(name);
    if (!m) {
      // A plain name sent twice is a list (FormData.append of each item).
      if (seen.has(name)) out[name] = Array.isArray(out[name]) ? [...(out[name] as unknown[]), value] : [out[name], value];
      else out[name] = value;
      seen.add(name);
      return;
    }
    const keys = [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((k) => k[1]!)];
    let node: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const last = i === keys.length - 1;
      const nextIsList = keys[i + 1] === "";
      if (Array.isArray(node)) {
        // In a list every key (`[]` or an index) adds an element; `a[][b]` starts a new nested one.
        if (last) {
          node.push(value);
          return;
        }
        const child: Record<string, unknown> | unknown[] = nextIsList ? [] : {};
        node.push(child);
        node = child;
        continue;
      }
      const obj: Record<string, unknown> = node;
      if (last) {
        obj[key] = value;
        return;
      }
      const existing = obj[key];
      const fits = nextIsList ? Array.isArray(existing) : typeof existing === "object" && existing !== null && !Array.isArray(existing);
      if (!fits) obj[key] = nextIsList ? [] : {};
      node = obj[key] as Record<string, unknown> | unknown[];
    }
  };
  for (const [name, value] of Object.entries(body.fields)) for (const v of Array.isArray(value) ? value : [value]) put(name, v);
  for (const file of body.files) put(file.field, filePlaceholder(file));
  return out;
}
