import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { updateConfigDocument, writeConfigDocument } from "./config-file.js";
import { loadConfig } from "./load-config.js";
import { readConfigDocument, resolveEnv } from "./config-document.js";
import { setConfigValue } from "./config-path.js";
import { ConfigError } from "./errors.js";
import { ConfigValidationError, validateConfig } from "./validate-config.js";

let home: string;
const env = () => ({ GENESIS_HOME: home });
const file = () => join(home, "genesis.json5");
const mode = (path: string) => statSync(path).mode & 0o777;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "genesis-config-"));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe("loadConfig", () => {
  it("treats a missing file as an empty config", async () => {
    const loaded = await loadConfig({ env: env() });
    expect(loaded).toEqual({ path: file(), exists: false, document: {}, config: {} });
  });

  it("takes a blank or {} file as the empty config, exactly what the schema makes of {}", async () => {
    // loadConfig skips the schema for an empty document; that is only sound while the
    // schema has no defaults, which this pins.
    expect(validateConfig({})).toEqual({});
    for (const text of ["", "  \n", "{}", "// nothing yet\n{ }\n"]) {
      writeFileSync(file(), text);
      expect((await loadConfig({ env: env() })).config).toEqual({});
    }
  });

  it("still validates documents that are not plain objects", async () => {
    for (const text of ["[]", "null", "42"]) {
      writeFileSync(file(), text);
      const error = await loadConfig({ env: env() }).catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(ConfigValidationError);
    }
  });

  it("honours GENESIS_CONFIG over GENESIS_HOME", async () => {
    const other = join(home, "elsewhere.json5");
    writeFileSync(other, '{ agents: { defaults: { model: { primary: "openai/gpt-5.4" } } } }');
    const loaded = await loadConfig({ env: { ...env(), GENESIS_CONFIG: other } });
    expect(loaded.path).toBe(other);
    expect(loaded.config.agents?.defaults?.model?.primary).toBe("openai/gpt-5.4");
  });

  it("reads JSON5 with comments, a BOM and CRLF line ends", async () => {
    writeFileSync(file(), '\uFEFF// mine\r\n{\r\n  env: { A: "1" }, // trailing\r\n}\r\n');
    expect((await loadConfig({ env: env() })).config).toEqual({ env: { A: "1" } });
  });

  it("reports parse errors with file, line and column", async () => {
    writeFileSync(file(), '{\n  agents: {\n    defaults: { model: { primary: "openai/gpt-5.4" } }\n  }}\n  oops\n}');
    const error = await loadConfig({ env: env() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: "config_parse", file: file(), line: 5, column: 3 });
    expect((error as Error).message).toBe(`Cannot parse ${file()}:5:3: invalid character 'o'`);
  });

  it("names the file and the path of a validation error", async () => {
    writeFileSync(file(), "{ agents: { defaults: { modle: {} } } }");
    const error = (await loadConfig({ env: env() }).catch((e: unknown) => e)) as ConfigValidationError;
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.file).toBe(file());
    expect(error.path).toBe("agents.defaults.modle");
    expect(error.message).toContain("did you mean agents.defaults.model?");
  });

  it("rejects __proto__ keys from the file without polluting prototypes", async () => {
    writeFileSync(file(), '{ "__proto__": { "polluted": true } }');
    const error = (await loadConfig({ env: env() }).catch((e: unknown) => e)) as ConfigValidationError;
    expect(error.issues[0]).toMatchObject({ code: "forbidden_key", path: "__proto__" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("treats a blank file as empty", async () => {
    writeFileSync(file(), "  \n");
    expect((await readConfigDocument({ env: env() })).document).toEqual({});
  });
});

describe("writing", () => {
  it("writes 0600 and tightens an existing 0644 file", async () => {
    writeFileSync(file(), "{}\n");
    chmodSync(file(), 0o644);
    await writeConfigDocument(file(), { env: { A: "1" } });
    expect(mode(file())).toBe(0o600);
    expect(readFileSync(file(), "utf8")).toBe('{\n  env: {\n    A: "1",\n  },\n}\n');
  });

  it("creates GENESIS_HOME with mode 0700", async () => {
    const nested = join(home, "fresh");
    await writeConfigDocument(join(nested, "genesis.json5"), {});
    expect(mode(nested)).toBe(0o700);
  });

  it("leaves the file byte-for-byte unchanged when the result is invalid", async () => {
    const original = "// keep me\n{ agents: { defaults: { model: { primary: 'openai/gpt-5.4' } } } }\n";
    writeFileSync(file(), original);
    const error = await updateConfigDocument({ env: env() }, (doc) =>
      setConfigValue(doc, ["agents", "defaults", "models", "openai/gpt-5.4", "params", "responsesCompactThreshold"], 10),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).path).toBe('agents.defaults.models["openai/gpt-5.4"].params.responsesCompactThreshold');
    expect(readFileSync(file(), "utf8")).toBe(original);
  });

  it("keeps the user's other values when updating", async () => {
    writeFileSync(file(), '{ env: { OPENAI_API_KEY: "sk-x" }, messages: { tts: { providers: { openai: { voice: "coral" } } } } }');
    const updated = await updateConfigDocument({ env: env() }, (doc) => setConfigValue(doc, ["agents", "defaults", "model", "primary"], "openai-codex/gpt-5.5"));
    expect((await loadConfig({ env: env() })).document).toEqual({
      env: { OPENAI_API_KEY: "sk-x" },
      messages: { tts: { providers: { openai: { voice: "coral" } } } },
      agents: { defaults: { model: { primary: "openai-codex/gpt-5.5" } } },
    });
    expect(updated.config.agents?.defaults?.model?.primary).toBe("openai-codex/gpt-5.5");
  });
});

describe("concurrent updates", () => {
  it("serializes read-modify-write under a lock so no change is lost", async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => updateConfigDocument({ env: env() }, (doc) => setConfigValue(doc, ["env", `VAR_${i}`], String(i)))),
    );
    const { config } = await loadConfig({ env: env() });
    expect(Object.keys(config.env ?? {}).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `VAR_${i}`).sort());
    // No temp or lock file is left behind (the validated-config cache is meant to stay).
    expect(readdirSync(home).filter((f) => f !== ".genesis.json5.validated.json").sort()).toEqual(["genesis.json5"]);
  });
});

describe("resolveEnv", () => {
  it("uses config env only as a fallback", () => {
    const config = { env: { OPENAI_API_KEY: "from-config", ONLY_CONFIG: "c" } };
    const merged = resolveEnv(config, { OPENAI_API_KEY: "from-env", PATH: "/bin" });
    expect(merged).toEqual({ OPENAI_API_KEY: "from-env", ONLY_CONFIG: "c", PATH: "/bin" });
  });

  it("lets config fill a variable that is set but empty", () => {
    expect(resolveEnv({ env: { OPENAI_API_KEY: "c" } }, { OPENAI_API_KEY: "" }).OPENAI_API_KEY).toBe("c");
  });

  it("does not modify its inputs", () => {
    const config = { env: { A: "1" } };
    const real = { B: "2" };
    resolveEnv(config, real);
    expect(config).toEqual({ env: { A: "1" } });
    expect(real).toEqual({ B: "2" });
  });
});
