import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";
import { reportGenesisError } from "./_config-common.js";
import { PromptCancelledError, promptHidden, readFirstLine } from "./_hidden-prompt.js";

export const valueFlags = ["auth-choice", "openai-api-key", "azure-endpoint", "azure-deployment", "azure-api-key", "azure-api-key-env"];

export const usage = `Usage: genesis onboard --auth-choice <openai-api-key|openai-codex|azure-openai> [--device-code]
       genesis onboard --openai-api-key KEY
       genesis onboard --auth-choice azure-openai --azure-endpoint URL --azure-deployment NAME
                       [--azure-api-key KEY | --azure-api-key-env VAR]

Set up OpenAI credentials in Genesis's auth store ($GENESIS_HOME/auth/profiles.json, 0600).

  --auth-choice openai-api-key   Ask for an OpenAI Platform API key (hidden input on a
                                 terminal; otherwise the first line of stdin)
  --openai-api-key KEY           Store KEY without asking (non-interactive)
  --auth-choice openai-codex     Sign in with ChatGPT/Codex (browser OAuth; add
                                 --device-code for the device-code flow)
  --auth-choice azure-openai     Chat/Responses on an Azure OpenAI resource: writes
                                 models.providers["azure-openai-responses"] (baseUrl, api,
                                 the deployment as a model) and stores the resource key
  --azure-endpoint URL           https://<resource>.openai.azure.com (default: env
                                 AZURE_OPENAI_ENDPOINT); not a portal or deployment URL
  --azure-deployment NAME        The deployment name from the Azure portal (the model id)
  --azure-api-key KEY            Store KEY without asking
  --azure-api-key-env VAR        Read the key from environment variable VAR and store it
                                 Without either: AZURE_OPENAI_API_KEY is used as is (not
                                 stored) when set, else the key is asked for like above.

With an API key, agents.defaults.model.primary is set to openai/gpt-5.4 (Azure:
azure-openai-responses/<deployment>) when it is unset.
The key is never printed back; \`genesis models auth list\` shows it masked.`;

const AZURE_PROVIDER = "azure-openai-responses";
const AZURE_FLAGS = ["azure-endpoint", "azure-deployment", "azure-api-key", "azure-api-key-env"] as const;

const DEFAULT_API_MODEL = "openai/gpt-5.4";

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["auth-choice", "openai-api-key", "device-code", ...AZURE_FLAGS]);
  if (ctx.args.positionals.length > 0) throw new UsageError(`unexpected argument '${ctx.args.positionals[0]}'`);
  const keyFlag = stringFlag(ctx.args, "openai-api-key");
  const choice = stringFlag(ctx.args, "auth-choice") ?? (keyFlag !== undefined ? "openai-api-key" : undefined);
  if (choice === undefined) throw new UsageError("choose --auth-choice openai-api-key, openai-codex or azure-openai (or pass --openai-api-key KEY)");
  const azureFlag = AZURE_FLAGS.find((flag) => ctx.args.flags.has(flag));
  if (azureFlag && choice !== "azure-openai") throw new UsageError(`--${azureFlag} only applies to --auth-choice azure-openai`);
  if (choice === "openai-codex") {
    if (keyFlag !== undefined) throw new UsageError("--openai-api-key cannot be combined with --auth-choice openai-codex");
    return codexLogin(ctx);
  }
  if (choice !== "openai-api-key" && choice !== "azure-openai") {
    throw new UsageError(`unknown --auth-choice '${choice}' (expected openai-api-key, openai-codex or azure-openai)`);
  }
  if (ctx.args.flags.has("device-code")) throw new UsageError("--device-code only applies to --auth-choice openai-codex");
  if (choice === "azure-openai") {
    if (keyFlag !== undefined) throw new UsageError("--openai-api-key cannot be combined with --auth-choice azure-openai (use --azure-api-key)");
    const { onboardAzure } = await import("./_onboard-azure.js");
    return onboardAzure(ctx);
  }

  const key = await askKey(ctx, keyFlag, "OpenAI API key (input hidden): ", "pass --openai-api-key KEY, or type it when asked");
  if (key === undefined) return 1;
  return saveApiKey(ctx, key);
}

/**
 * The key from a flag, else asked for (hidden on a TTY, else the first line of stdin); trimmed
 * and checked. `undefined` when the user cancelled the prompt (already reported).
 */
export async function askKey(ctx: CommandContext, given: string | undefined, question: string, howTo: string): Promise<string | undefined> {
  let key = given;
  if (key === undefined) {
    try {
      key = ctx.stdin.isTTY ? await promptHidden(ctx, question) : await readFirstLine(ctx);
    } catch (error) {
      if (error instanceof PromptCancelledError) {
        ctx.stderr.write("genesis: onboarding cancelled; nothing was saved\n");
        return undefined;
      }
      throw error;
    }
  }
  key = key.trim();
  if (key === "") throw new UsageError(`no API key given (${howTo})`);
  if (/\s/.test(key)) throw new UsageError("the API key contains whitespace; paste only the key");
  return key;
}

async function saveApiKey(ctx: CommandContext, key: string): Promise<number> {
  const core = await import("@genesis/core");
  try {
    const store = core.openAuthStore({ env: ctx.env });
    await store.update((current) => {
      current.profiles.openai = { kind: "api_key", provider: "openai", key, createdAt: Date.now() };
      return { next: current, result: undefined };
    });
    ctx.stdout.write(`Saved OpenAI API key ${core.maskSecret(key)} to ${store.path}\n`);
    const envKey = ctx.env.OPENAI_API_KEY?.trim();
    if (envKey && envKey !== key) ctx.stdout.write("Note: OPENAI_API_KEY is set in your environment and takes precedence over the stored key.\n");
  } catch (error) {
    return reportGenesisError(ctx, error, []);
  }
  try {
    const { document } = await core.readConfigDocument({ env: ctx.env });
    const segments = ["agents", "defaults", "model", "primary"];
    const current = core.getConfigValue(document, segments);
    if (current === undefined) {
      const written = await core.updateConfigDocument({ env: ctx.env }, (doc) => core.setConfigValue(doc, segments, DEFAULT_API_MODEL));
      ctx.stdout.write(`Default model set to ${DEFAULT_API_MODEL} (${written.path})\n`);
    } else {
      ctx.stdout.write(`Default model unchanged: ${String(current)}\n`);
    }
    return 0;
  } catch (error) {
    ctx.stderr.write("genesis: the key was saved, but the default model could not be set:\n");
    return reportGenesisError(ctx, error, []);
  }
}

/** ChatGPT/Codex sign-in; the same flow as `genesis models auth login --provider openai-codex`. */
async function codexLogin(ctx: CommandContext): Promise<number> {
  const { runCodexLogin } = await import("./_codex-login.js");
  try {
    await runCodexLogin(ctx, { deviceCode: ctx.args.flags.get("device-code") === true });
    return 0;
  } catch (error) {
    return reportGenesisError(ctx, error, []);
  }
}
