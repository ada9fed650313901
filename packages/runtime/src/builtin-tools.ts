import { readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { ToolDefinition } from "./tool-registry.js";

/** Largest file `read_file` returns (bytes); longer files are cut with a note. */
export const READ_FILE_MAX_BYTES = 64 * 1024;

/** `get_time`: the current time as ISO 8601 (UTC) plus the host's time zone. */
export function createGetTimeTool(now: () => Date = () => new Date()): ToolDefinition {
  return {
    name: "get_time",
    description: "Get the current date and time (ISO 8601, UTC) and the local time zone.",
    parameters: { type: "object", properties: {}, required: [], additionalProperties: false },
    execute() {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      return JSON.stringify({ utc: now().toISOString(), timeZone: zone });
    },
  };
}

/**
 * `read_file`: read a UTF-8 text file under the working directory. Paths that resolve outside
 * it (`..`, absolute paths, symlinks pointing out) are refused.
 */
export function createReadFileTool(): ToolDefinition {
  return {
    name: "read_file",
    description: "Read a UTF-8 text file under the current working directory. Pass a relative path.",
    parameters: {
      type: "object",
      properties: { path: { type: "string", description: "Path relative to the working directory." } },
      required: ["path"],
      additionalProperties: false,
    },
    async execute(args, ctx) {
      const path = typeof args.path === "string" ? args.path : "";
      if (!path) return { output: "Error: `path` is required.", isError: true };
      const root = await realpath(ctx.cwd);
      let target: string;
      try {
        target = await realpath(resolve(root, path));
      } catch {
        return { output: `Error: no file '${path}' under the working directory.`, isError: true };
      }
      const rel = relative(root, target);
      if (rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
        return { output: `Error: '${path}' is outside the working directory.`, isError: true };
      }
      const info = await stat(target);
      if (!info.isFile()) return { output: `Error: '${path}' is not a file.`, isError: true };
      const buf = await readFile(target);
      const cut = buf.length > READ_FILE_MAX_BYTES;
      const text = buf.subarray(0, READ_FILE_MAX_BYTES).toString("utf8");
      return cut ? `${text}\n[truncated: file is ${buf.length} bytes]` : text;
    },
  };
}

/** The demo-safe built-ins every agent starts with: `get_time` and `read_file`. */
export function builtinTools(): ToolDefinition[] {
  return [createGetTimeTool(), createReadFileTool()];
}
