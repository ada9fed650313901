#!/usr/bin/env node
// Produces spec/openapi.json: the official OpenAI OpenAPI document trimmed to the request bodies
// (JSON and multipart/form-data) the emulator validates and the component schemas they reach. Shipping the trimmed copy
// keeps the package small and its start-up fast.
// Usage: node scripts/trim-spec.mjs [path/to/openapi.json] [output]
//   (defaults: /work/shared/openai-openapi/openapi.json next to the repo, and spec/openapi.json)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(process.argv[2] ?? join(here, "../../../../shared/openai-openapi/openapi.json"));
const target = resolve(process.argv[3] ?? join(here, "../spec/openapi.json"));

/** Operations whose JSON and/or multipart request body the emulator validates. */
const OPERATIONS = [
  "createResponse",
  "createChatCompletion",
  "Compactconversation",
  "Getinputtokencounts",
  "createEmbedding",
  "createImage",
  "createImageEdit",
  "createSpeech",
  "createTranscription",
  "createVideo",
  "CreateVideoRemix",
  "CreateVideoEdit",
  "CreateVideoExtend",
  "create-realtime-client-secret",
  "create-realtime-session",
  "create-realtime-transcription-session",
];
/** Extra component schemas kept by name (WebSocket client events have no path in the spec). */
const EXTRA_SCHEMAS = ["ResponsesClientEvent", "RealtimeClientEvent"];

const spec = JSON.parse(readFileSync(source, "utf8"));
const schemas = spec.components.schemas;
const keep = new Set();
const operations = {};

function walk(node) {
  if (Array.isArray(node)) return node.forEach(walk);
  if (node === null || typeof node !== "object") return;
  const ref = node.$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    const name = ref.slice("#/components/schemas/".length);
    if (!keep.has(name)) {
      if (!(name in schemas)) throw new Error(`dangling $ref ${ref}`);
      keep.add(name);
      walk(schemas[name]);
    }
  }
  for (const value of Object.values(node)) walk(value);
}

for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (!op || typeof op !== "object" || !OPERATIONS.includes(op.operationId)) continue;
    const schema = op.requestBody?.content?.["application/json"]?.schema;
    const multipart = op.requestBody?.content?.["multipart/form-data"]?.schema;
    if (!schema && !multipart) continue;
    // `schema` is the JSON body, `multipart` the form body (fields as the API reads them).
    operations[op.operationId] = { method: method.toUpperCase(), path, ...(schema ? { schema } : {}), ...(multipart ? { multipart } : {}) };
    walk(schema);
    walk(multipart);
  }
}
for (const name of EXTRA_SCHEMAS) {
  if (name in schemas) {
    keep.add(name);
    walk(schemas[name]);
  }
}
const missing = OPERATIONS.filter((id) => !(id in operations));
if (missing.length) process.stderr.write(`warning: operations without a JSON or multipart body: ${missing.join(", ")}\n`);

const out = {
  openapi: spec.openapi,
  info: { title: spec.info.title, version: spec.info.version, "x-trimmed-by": "packages/testkit/scripts/trim-spec.mjs" },
  "x-operations": operations,
  components: { schemas: Object.fromEntries([...keep].sort().map((n) => [n, schemas[n]])) },
};
writeFileSync(target, JSON.stringify(out));
process.stdout.write(`wrote ${target}: ${Object.keys(operations).length} operations, ${keep.size} schemas, ${JSON.stringify(out).length} bytes\n`);
