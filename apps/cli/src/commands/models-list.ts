import type { CatalogEntry, GenesisConfig, LiveModel, ModelCapabilities, RouteAuth } from "@genesis/core/lite";
import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag } from "../_args.js";

export const usage = `Usage: genesis models list [--provider <id>] [--all] [--json]

List models with their context window / runtime cap, capabilities and auth status.
By default only models you can use right now (credentials present, configured, or the
default model); --all shows the whole catalog. With an OpenAI key the live GET /v1/models
listing is merged in; with a Codex sign-in, the live Codex backend listing (its metadata
wins). A failed live listing prints a note and the built-in rows.

Options:
  --provider <id>   Only this provider (openai, openai-codex, azure-openai-responses, ...)
  --all             Include models whose provider has no credentials yet
  --json            Print JSON rows`;

export const valueFlags = ["provider"];

/** One printed row; the JSON output is exactly these objects. */
export interface ModelListItem {
  ref: string;
  name: string;
  contextWindow: number | null;
  contextTokens: number | null;
  capabilities: string[];
  source: string;
  apiEnabled: boolean;
  isDefault: boolean;
  /** Set when a live listing was merged (see `mergeLiveModels`). */
  live?: string;
  auth: { kind: string; ready: boolean; source?: string; blocker?: string };
  runtime: string | null;
}

const CAP_NAMES: (keyof ModelCapabilities)[] = ["text", "vision", "image", "video", "tts", "stt", "realtime", "embedding", "reasoning", "tools"];

/**
 * Build the list rows: catalog + config, optionally merged with a live listing, each with
 * the readiness of its route. Kept separate from printing so a live `GET /v1/models`
 * refresh can pass `live` rows without touching the rest.
 */
export async function buildModelRows(input: {
  config: GenesisConfig;
  auth: RouteAuth;
  env: Record<string, string | undefined>;
  provider?: string;
  live?: LiveModel[];
}): Promise<ModelListItem[]> {
  const core = await import("@genesis/core/lite");
  let rows: (CatalogEntry & { live?: string })[] = core.listCatalog({ config: input.config, auth: input.auth, provider: input.provider });
  // A live row for a provider the filter excludes would otherwise be appended as live-only.
  const live = input.live?.filter((m) => input.provider === undefined || m.provider === input.provider);
  if (live) rows = core.mergeLiveModels(rows, live, { config: input.config, auth: input.auth });
  const primary = input.config.agents?.defaults?.model?.primary;
  return rows.map((row) => {
    const item: ModelListItem = {
      ref: row.ref,
      name: row.name,
      contextWindow: row.contextWindow ?? null,
      contextTokens: row.contextTokens ?? null,
      capabilities: CAP_NAMES.filter((name) => row.capabilities[name]),
      source: row.source,
      apiEnabled: row.apiEnabled,
      isDefault: primary === row.ref,
      auth: { kind: "none", ready: false },
      runtime: null,
    };
    if (row.live) item.live = row.live;
    try {
      const route = core.resolveRoute({ ref: row.ref, config: input.config, auth: input.auth, env: input.env, live });
      // The runtime cap never exceeds the window, and a live window can be smaller than the catalog's.
      const cap = route.contextTokens !== undefined && row.contextWindow !== undefined ? Math.min(route.contextTokens, row.contextWindow) : route.contextTokens;
      item.contextTokens = cap ?? null;
      item.runtime = route.runtime;
      item.auth = { kind: route.authKind, ready: route.blockers.length === 0 };
      if (route.authSource) item.auth.source = route.authSource;
      if (route.blockers[0]) item.auth.blocker = route.blockers[0].code;
    } catch (error) {
      item.auth.blocker = (error as { code?: string }).code ?? "error";
    }
    return item;
  });
}

const fmt = (n: number | null) => (n === null ? "-" : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));

function authText(item: ModelListItem): string {
  const kind = item.auth.source ? `${item.auth.kind} (${item.auth.source})` : item.auth.kind;
  return item.auth.ready ? kind : `${kind}: ${item.auth.blocker ?? "not ready"}`;
}

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["provider", "all", "json"]);
  const provider = stringFlag(ctx.args, "provider")?.trim().toLowerCase();
  const core = await import("@genesis/core/lite");
  const { config } = await core.loadConfig({ env: ctx.env });
  if (provider !== undefined) {
    const known = [...core.defaultCatalog().providers(), ...Object.keys(config.models?.providers ?? {})];
    if (!known.includes(provider)) {
      const near = core.closeMatches(provider, known);
      throw new core.ValidationError(`unknown provider "${provider}"`, {
        path: "--provider",
        hint: near.length > 0 ? `Did you mean ${near.join(" or ")}?` : `Known providers: ${[...new Set(known)].join(", ")}.`,
      });
    }
  }
  // One plain copy: route resolution reads the environment once per row, and enumerating
  // `process.env` itself is slow.
  const env = { ...ctx.env };
  const auth = await core.openAuthStore({ env }).snapshot(env, config);
  // Live listings (merged into the catalog): GET /v1/models when an OpenAI key is configured,
  // the Codex backend's /models when signed in to openai-codex. The snapshot knows which; a
  // listing module is loaded only when its credentials exist. Both run at once.
  const note = (line: string) => ctx.stderr.write(`${line}\n`);
  const [openaiLive, codexLive] = await Promise.all([
    (provider === undefined || provider === "openai") && auth.apiKeys.openai
      ? import("./_openai-live.js").then((m) => m.fetchOpenAILive(config, env, note))
      : undefined,
    (provider === undefined || provider === "openai-codex") && auth.oauth["openai-codex"]
      ? import("./_codex-live.js").then((m) => m.fetchCodexLive(config, env, note))
      : undefined,
  ]);
  const live = openaiLive || codexLive ? [...(openaiLive ?? []), ...(codexLive ?? [])] : undefined;
  const all = await buildModelRows({ config, auth, env, provider, ...(live ? { live } : {}) });
  const configured = new Set(core.listCatalog({ config, provider }).filter((row) => row.configured).map((row) => row.ref));
  const items = ctx.args.flags.get("all") === true ? all : all.filter((i) => i.auth.ready || i.isDefault || configured.has(i.ref));

  if (ctx.args.flags.get("json") === true) {
    ctx.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    ctx.stdout.write(`No usable models${provider ? ` for ${provider}` : ""}: no credentials found.\n`
      + "Run 'genesis onboard --auth-choice openai-api-key' or 'genesis models auth login --provider openai-codex',\n"
      + "or pass --all to see the whole catalog.\n");
    return 0;
  }
  const table = [["MODEL", "CONTEXT", "CAPABILITIES", "AUTH"], ...items.map((i) => [
    `${i.ref}${i.isDefault ? " *" : ""}${i.live && i.live !== "listed" ? ` [${i.live}]` : ""}`,
    `${fmt(i.contextWindow)}/${fmt(i.contextTokens)}`,
    i.capabilities.join(",") || "-",
    authText(i),
  ])];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const row of table) ctx.stdout.write(`${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join("")}\n`);
  ctx.stdout.write("\nCONTEXT = native window / runtime cap (contextTokens).  * = agents.defaults.model.primary\n");
  return 0;
}
