import type { CommandContext } from "../_context.js";
import { assertKnownFlags, UsageError } from "../_args.js";

export const usage = `Usage: genesis models route [<provider/model>] [--json]

Explain how requests for a model ref go out: runtime (pi or codex), auth, endpoint class,
base URL, transport, effective params, context budget, prompt overlays, and why.
Without a ref, explains agents.defaults.model.primary. Prints the route even when it is
not ready yet (missing key or sign-in); the reasons say what is missing. A model the
catalog marks as not yet on the public API (openai/gpt-5.5) is checked against the live
GET /v1/models listing: when the key can see it, the route is ready.

Options:
  --json    Print the route as JSON (adds "ready")`;

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["json"]);
  if (ctx.args.positionals.length > 1) throw new UsageError("models route takes one model ref");
  const core = await import("@genesis/core/lite");
  const { config } = await core.loadConfig({ env: ctx.env });
  const ref = ctx.args.positionals[0] ?? config.agents?.defaults?.model?.primary;
  if (!ref) throw new UsageError("give a model ref (e.g. genesis models route openai/gpt-5.4) or set agents.defaults.model.primary");
  const auth = await core.openAuthStore({ env: ctx.env }).snapshot(ctx.env, config);
  let route = core.resolveRoute({ ref, config, auth, env: ctx.env });
  if (route.blockers.some((b) => b.code === "model_not_api_enabled")) {
    // Only this blocker depends on what the server serves, so only it is worth a network call.
    const live = await (await import("./_openai-live.js")).fetchOpenAILive(config, ctx.env, (line) => ctx.stderr.write(`${line}\n`));
    if (live) route = core.resolveRoute({ ref, config, auth, env: ctx.env, live });
  }
  if (ctx.args.flags.get("json") === true) {
    ctx.stdout.write(`${JSON.stringify(core.routeToJson(route), null, 2)}\n`);
  } else {
    ctx.stdout.write(`${core.explainRoute(route)}\n`);
  }
  return 0;
}
