import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { formObject, isFilePlaceholder, type MultipartBody } from "./_multipart.js";
import { applySpecDeviations } from "./_spec-deviations.js";

/**
 * Validates JSON and multipart/form-data request bodies against the official OpenAI OpenAPI document. The document
 * is read on first use and each operation's validator is compiled on first use, so an
 * emulator that never validates (or validates one endpoint) pays for nothing else. Ajv itself
 * is loaded on first use too (it is CommonJS, so a synchronous require keeps `validate` sync):
 * importing the package does not pay for it.
 */

type AjvModule = typeof import("ajv/dist/2020.js");
const requireCjs = createRequire(import.meta.url);

/** A rejected body: a message naming the field and the complaint, and the field path as `param`. */
export interface SpecViolation {
  message: string;
  param: string | null;
  /** OpenAI's error code: `missing_required_parameter`, `unknown_parameter` or `invalid_value`. */
  code: string;
}

interface SpecDoc {
  "x-operations"?: Record<string, { schema?: unknown; multipart?: unknown }>;
  paths?: Record<string, Record<string, { operationId?: string; requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
  components: { schemas: Record<string, unknown> };
}

/** Default location of the trimmed spec shipped with the package (`spec/openapi.json`). */
export function defaultSpecPath(): string {
  // src/ and dist/ are both one level below the package root.
  return fileURLToPath(new URL("../spec/openapi.json", import.meta.url));
}

/**
 * Rewrites, in place, what the spec means but JSON Schema says differently: OpenAPI 3.0
 * `nullable: true` becomes a type union, and `oneOf` becomes `anyOf` because the spec's unions
 * are discriminated by `type`/`role` in practice while their branches overlap structurally
 * (an input message matches both EasyInputMessage and InputMessage), which `oneOf` rejects.
 */
function rewriteNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) rewriteNullable(n);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  if (obj["nullable"] === true) {
    delete obj["nullable"];
    if (typeof obj["type"] === "string") obj["type"] = [obj["type"], "null"];
    else if (Array.isArray(obj["type"])) obj["type"] = [...new Set([...(obj["type"] as string[]), "null"])];
    if (Array.isArray(obj["enum"]) && !obj["enum"].includes(null)) obj["enum"] = [...obj["enum"], null];
  } else if (obj["nullable"] === false) {
    delete obj["nullable"];
  }
  if (Array.isArray(obj["oneOf"]) && obj["anyOf"] === undefined) {
    obj["anyOf"] = obj["oneOf"];
    delete obj["oneOf"];
  }
  for (const v of Object.values(obj)) rewriteNullable(v);
}

const shared = new Map<string, SpecValidator>();

/** One validator per spec file for the whole process, so many emulators compile each schema once. */
export function sharedValidator(specPath: string = defaultSpecPath()): SpecValidator {
  let v = shared.get(specPath);
  if (!v) shared.set(specPath, (v = new SpecValidator(specPath)));
  return v;
}

/** Lazily compiled validators over one spec document. */
export class SpecValidator {
  readonly #path: string;
  #ajv: Ajv2020 | undefined;
  #ops: Record<string, unknown> = {};
  #forms: Record<string, unknown> = {};
  #formAjv: Ajv2020 | undefined;
  #components: unknown;
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #formCompiled = new Map<string, ValidateFunction>();
  #schemas: Record<string, unknown> = {};
  #byType: Map<string, string[]> | undefined;

  constructor(specPath: string = defaultSpecPath()) {
    this.#path = specPath;
  }

  #load(): Ajv2020 {
    if (this.#ajv) return this.#ajv;
    const doc = JSON.parse(readFileSync(this.#path, "utf8")) as SpecDoc;
    rewriteNullable(doc.components);
    applySpecDeviations(doc.components.schemas);
    this.#schemas = doc.components.schemas;
    this.#components = doc.components;
    this.#ops = {};
    this.#forms = {};
    if (doc["x-operations"]) {
      for (const [id, op] of Object.entries(doc["x-operations"])) {
        if (op.schema !== undefined) this.#ops[id] = op.schema;
        if (op.multipart !== undefined) this.#forms[id] = op.multipart;
      }
    } else {
      // A full (untrimmed) spec: index request bodies by operationId.
      for (const item of Object.values(doc.paths ?? {})) {
        for (const op of Object.values(item)) {
          const content = op?.requestBody?.content;
          if (!op?.operationId || !content) continue;
          if (content["application/json"]?.schema) this.#ops[op.operationId] = content["application/json"].schema;
          if (content["multipart/form-data"]?.schema) this.#forms[op.operationId] = content["multipart/form-data"].schema;
        }
      }
    }
    rewriteNullable(this.#ops);
    rewriteNullable(this.#forms);
    this.#ajv = newAjv(doc.components, false);
    return this.#ajv;
  }

  /**
   * A second Ajv for form bodies: every text part arrives as a string, so it coerces "3" and
   * "true" to the schema's integer/boolean (and a lone value to a one-item list), and the
   * spec's `format: binary` admits only file parts.
   */
  #loadForm(): Ajv2020 {
    this.#load();
    this.#formAjv ??= newAjv(this.#components, true);
    return this.#formAjv;
  }

  /** True when the spec describes a JSON request body for this operation. */
  has(operationId: string): boolean {
    this.#load();
    return operationId in this.#ops;
  }

  /** True when the spec describes a multipart/form-data request body for this operation. */
  hasForm(operationId: string): boolean {
    this.#load();
    return operationId in this.#forms;
  }

  /**
   * Validates a parsed multipart body (see {@link formObject}) against the operation's
   * form schema. Returns undefined when valid or the operation has no form body in the spec.
   */
  validateForm(operationId: string, form: MultipartBody): SpecViolation | undefined {
    let fn = this.#formCompiled.get(operationId);
    const ajv = this.#loadForm();
    if (!fn) {
      const schema = this.#forms[operationId];
      if (schema === undefined) return undefined;
      fn = ajv.compile(retarget(schema) as object);
      this.#formCompiled.set(operationId, fn);
    }
    // Coercion rewrites values in place, so the message quotes the value as it was sent.
    const sent = formObject(form);
    if (fn(formObject(form))) return undefined;
    return this.#explain(ajv, fn.errors ?? [], sent, 0);
  }

  /**
   * Validates `body` against the operation's request schema. Returns undefined when valid
   * (or the operation is unknown to the spec), else the first meaningful violation.
   */
  validate(operationId: string, body: unknown): SpecViolation | undefined {
    let fn = this.#compiled.get(operationId);
    if (!fn) {
      const ajv = this.#load();
      const schema = this.#ops[operationId];
      if (schema === undefined) return undefined;
      // Local refs inside the operation schema point at the document root; resolve via the registered doc.
      fn = ajv.compile(retarget(schema) as object);
      this.#compiled.set(operationId, fn);
    }
    if (fn(body)) return undefined;
    return this.#explain(this.#ajv!, fn.errors ?? [], body, 0);
  }

  /**
   * The spec's item unions are read as `anyOf`, so a bad item yields one complaint per branch,
   * and the top one is often "type must be one of ..." from the branches whose `type` did not
   * match, which is misleading. When that happens, the item is re-checked against the
   * branch(es) its `type` names and their complaint is reported instead.
   */
  #explain(ajv: Ajv2020, errors: ErrorObject[], body: unknown, depth: number): SpecViolation {
    const top = rank(errors)[0];
    if (depth < 4 && top && (top.keyword === "enum" || top.keyword === "const") && top.instancePath.endsWith("/type")) {
      const ownerPath = top.instancePath.slice(0, -"/type".length);
      const owner = valueAt(body, ownerPath);
      const t = (owner as { type?: unknown } | undefined)?.type;
      let best: ErrorObject[] | undefined;
      for (const name of typeof t === "string" ? this.#branchesFor(t) : []) {
        const fn = ajv.getSchema(`openapi#/components/schemas/${name}`);
        if (!fn) continue;
        // Valid against a same-typed schema that is not a branch here (full spec): keep the original.
        if (fn(owner)) return describe(errors, body);
        const errs = (fn.errors ?? []).map((e) => ({ ...e, instancePath: ownerPath + e.instancePath }));
        if (!best || errs.length < best.length) best = errs;
      }
      if (best?.length) return this.#explain(ajv, best, body, depth + 1);
    }
    return describe(errors, body);
  }

  /** Component schemas whose `type` property admits `t` (the branches a discriminator would pick). */
  #branchesFor(t: string): string[] {
    if (!this.#byType) {
      this.#byType = new Map();
      for (const [name, schema] of Object.entries(this.#schemas)) {
        const prop = (schema as { properties?: { type?: TypeProp } } | null)?.properties?.type;
        for (const v of typeValues(prop)) {
          const list = this.#byType.get(v) ?? [];
          list.push(name);
          this.#byType.set(v, list);
        }
      }
    }
    return this.#byType.get(t) ?? [];
  }
}

/** An Ajv over the spec's components; `form` switches on the form-body coercions (see `#loadForm`). */
function newAjv(components: unknown, form: boolean): Ajv2020 {
  // `optimize: false` skips Ajv's code-size passes: compiling CreateResponse takes ~30% less
  // time, and start-up matters more here than a few microseconds per validation.
  const { Ajv2020: AjvClass } = requireCjs("ajv/dist/2020.js") as AjvModule;
  const ajv = new AjvClass({ strict: false, allErrors: true, validateSchema: false, discriminator: false, code: { optimize: false }, ...(form ? { coerceTypes: "array" as const } : {}) });
  ajv.addFormat("unixtime", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("float", { type: "number", validate: () => true });
  ajv.addFormat("uri", (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s));
  ajv.addFormat("binary", form ? (s: string) => isFilePlaceholder(s) : true);
  for (const unknownFormat of ["byte", "email", "date-time", "uuid", "int32", "double"]) ajv.addFormat(unknownFormat, true);
  ajv.addSchema({ $id: "openapi", components }, "openapi");
  return ajv;
}

interface TypeProp {
  enum?: unknown[];
  const?: unknown;
  anyOf?: TypeProp[];
}

function typeValues(prop: TypeProp | undefined): string[] {
  if (!prop || typeof prop !== "object") return [];
  const out: string[] = [];
  if (Array.isArray(prop.enum)) for (const v of prop.enum) if (typeof v === "string") out.push(v);
  if (typeof prop.const === "string") out.push(prop.const);
  if (Array.isArray(prop.anyOf)) for (const p of prop.anyOf) out.push(...typeValues(p));
  return out;
}

function retarget(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/components/', '"$ref":"openapi#/components/'));
}

/** `/context_management/0/compact_threshold` → `context_management[0].compact_threshold`. */
export function fieldPath(instancePath: string): string {
  let out = "";
  for (const raw of instancePath.split("/").slice(1)) {
    const seg = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === "" ? seg : `.${seg}`;
  }
  return out;
}

function valueAt(body: unknown, instancePath: string): unknown {
  let cur = body;
  for (const raw of instancePath.split("/").slice(1)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[raw.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return cur;
}

const RANK: Record<string, number> = { enum: 0, const: 1, minimum: 0, maximum: 0, exclusiveMinimum: 0, exclusiveMaximum: 0, minLength: 0, maxLength: 0, pattern: 0, minItems: 0, maxItems: 0, format: 0, required: 2, additionalProperties: 2, type: 3, anyOf: 9, oneOf: 9, allOf: 9, if: 9, not: 8 };

/** Deepest path first (the most specific field), then concrete keywords before combinators. */
function rank(errors: ErrorObject[]): ErrorObject[] {
  return [...errors].sort((a, b) => {
    const depth = b.instancePath.split("/").length - a.instancePath.split("/").length;
    return depth !== 0 ? depth : (RANK[a.keyword] ?? 5) - (RANK[b.keyword] ?? 5);
  });
}

function describe(errors: ErrorObject[], body: unknown): SpecViolation {
  const e = rank(errors)[0];
  if (!e) return { message: "Invalid request body.", param: null, code: "invalid_value" };
  let path = fieldPath(e.instancePath);
  let complaint = e.message ?? "is invalid";
  if (e.keyword === "enum") {
    // Collect the allowed values of every enum branch at the same path (anyOf unions).
    const allowed = new Set<unknown>();
    for (const x of errors) if (x.keyword === "enum" && x.instancePath === e.instancePath) for (const v of (x.params as { allowedValues: unknown[] }).allowedValues) allowed.add(v);
    complaint = `must be one of ${[...allowed].map((v) => JSON.stringify(v)).join(", ")}`;
  } else if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    path = path ? `${path}.${missing}` : missing;
    return { message: `Missing required parameter: '${path}'.`, param: path, code: "missing_required_parameter" };
  } else if (e.keyword === "format" && (e.params as { format?: string }).format === "binary") {
    return { message: `Invalid value for ${path || "body"}: expected a file upload, got a text field.`, param: path || null, code: "invalid_value" };
  } else if (e.keyword === "additionalProperties") {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    path = path ? `${path}.${extra}` : extra;
    return { message: `Unknown parameter: '${path}'.`, param: path, code: "unknown_parameter" };
  }
  const shown = JSON.stringify(valueAt(body, e.instancePath));
  const subject = path === "" ? "body" : `${path}: ${shown === undefined ? "undefined" : shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`;
  return { message: `Invalid value for ${subject} (${complaint}).`, param: path || null, code: "invalid_value" };
}
