import type { CommandContext } from "../_context.js";
import { stringFlag, UsageError } from "../_args.js";
import { reportGenesisError } from "./_config-common.js";
import { askKey } from "./onboard.js";

const PROVIDER = "azure-openai-responses";
const KEY_ENV = "AZURE_OPENAI_API_KEY";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESOURCE_HINT = "https://<resource>.openai.azure.com";
/** Bad Azure input reported like other bad input: with its hint and exit 2. */
const USAGE_CODES = ["azure_invalid_base_url", "azure_invalid_deployment"];

/**
 * The resource endpoint to store (origin + proxy prefix, without `/openai` or `/openai/v1`) and
 * whether its host is an Azure OpenAI host. The checks and wording are @genesis/azure's, loaded
 * only here so `genesis --help` and other commands never pay for it.
 */
async function resourceEndpoint(raw: string): Promise<{ baseUrl: string; host: string; azureHost: boolean }> {
  const azure = await import("@genesis/azure");
  const baseUrl = azure.azureResourceBase(raw, "--azure-endpoint");
  return { baseUrl, host: new URL(baseUrl).hostname.toLowerCase(), azureHost: azure.isAzureHost(baseUrl) };
}

/** Where the key comes from: a flag, a named variable, AZURE_OPENAI_API_KEY as is, or a prompt. */
async function azureKey(ctx: CommandContext): Promise<{ key: string; store: boolean } | undefined> {
  const given = stringFlag(ctx.args, "azure-api-key");
  const fromEnv = stringFlag(ctx.args, "azure-api-key-env");
  if (given !== undefined && fromEnv !== undefined) throw new UsageError("pass either --azure-api-key or --azure-api-key-env, not both");
  if (fromEnv !== undefined) {
    if (!ENV_NAME.test(fromEnv)) throw new UsageError(`--azure-api-key-env expects a variable name, e.g. ${KEY_ENV}`);
    const value = ctx.env[fromEnv]?.trim();
    if (!value) throw new UsageError(`environment variable ${fromEnv} is not set or empty`);
    if (/\s/.test(value)) throw new UsageError(`the key in ${fromEnv} contains whitespace`);
    return { key: value, store: true };
  }
  if (given === undefined && ctx.env[KEY_ENV]?.trim()) return { key: ctx.env[KEY_ENV].trim(), store: false };
  const key = await askKey(ctx, given, "Azure OpenAI API key (input hidden): ", "pass --azure-api-key KEY or --azure-api-key-env VAR, or type it when asked");
  return key === undefined ? undefined : { key, store: true };
}

/**
 * `genesis onboard --auth-choice azure-openai`: validate everything first, then store the key
 * (auth store profile `azure-openai-responses`, like the OpenAI key) and write
 * `models.providers["azure-openai-responses"]` plus the default model when unset.
 */
export async function onboardAzure(ctx: CommandContext): Promise<number> {
  const rawEndpoint = stringFlag(ctx.args, "azure-endpoint") ?? ctx.env.AZURE_OPENAI_ENDPOINT;
  if (!rawEndpoint?.trim()) throw new UsageError(`--azure-endpoint is required (${RESOURCE_HINT}; or set AZURE_OPENAI_ENDPOINT)`);
  const deployment = stringFlag(ctx.args, "azure-deployment")?.trim();
  if (!deployment) throw new UsageError("--azure-deployment is required (the deployment name from the Azure portal)");
  let endpoint: { baseUrl: string; host: string; azureHost: boolean };
  try {
    (await import("@genesis/azure")).assertDeploymentName(deployment, "--azure-deployment");
    endpoint = await resourceEndpoint(rawEndpoint);
  } catch (error) {
    return reportGenesisError(ctx, error, USAGE_CODES);
  }
  const credential = await azureKey(ctx);
  if (!credential) return 1;

  const core = await import("@genesis/core");
  const ref = `${PROVIDER}/${deployment}`;
  if (credential.store) {
    try {
      const store = core.openAuthStore({ env: ctx.env });
      await store.update((current) => {
        current.profiles[PROVIDER] = { kind: "api_key", provider: PROVIDER, key: credential.key, createdAt: Date.now() };
        return { next: current, result: undefined };
      });
      ctx.stdout.write(`Saved Azure OpenAI API key ${core.maskSecret(credential.key)} to ${store.path}\n`);
      const envKey = ctx.env[KEY_ENV]?.trim();
      if (envKey && envKey !== credential.key) ctx.stdout.write(`Note: ${KEY_ENV} is set in your environment and takes precedence over the stored key.\n`);
    } catch (error) {
      return reportGenesisError(ctx, error, []);
    }
  } else {
    ctx.stdout.write(`Using ${KEY_ENV} from the environment (${core.maskSecret(credential.key)}); nothing stored. Pass --azure-api-key-env ${KEY_ENV} to store it.\n`);
  }

  const { azureHost } = endpoint;
  try {
    const primary = ["agents", "defaults", "model", "primary"];
    let configKey = false;
    let primarySet = false;
    const written = await core.updateConfigDocument({ env: ctx.env }, (doc) => {
      const block = core.getConfigValue(doc, ["models", "providers", PROVIDER]);
      const current = block && typeof block === "object" && !Array.isArray(block) ? (block as Record<string, unknown>) : {};
      configKey = typeof current.apiKey === "string" && current.apiKey.trim() !== "";
      const rows = Array.isArray(current.models) ? (current.models as { id?: unknown }[]) : [];
      const next: Record<string, unknown> = {
        ...current,
        baseUrl: endpoint.baseUrl,
        api: PROVIDER,
        // A proxy or gateway in front of Azure is not detected by host; say what it is.
        ...(azureHost ? {} : { endpointClass: "azure" }),
        models: rows.some((row) => row.id === deployment) ? rows : [...rows, { id: deployment }],
      };
      let out = core.setConfigValue(doc, ["models", "providers", PROVIDER], next);
      if (core.getConfigValue(out, primary) === undefined) {
        out = core.setConfigValue(out, primary, ref);
        primarySet = true;
      }
      return out;
    });
    ctx.stdout.write(`Azure OpenAI: ${endpoint.baseUrl}, deployment ${deployment} as ${ref} (${written.path})\n`);
    if (!azureHost) ctx.stdout.write(`Note: ${endpoint.host} is not an *.openai.azure.com-style host; it is treated as an Azure endpoint (endpointClass "azure").\n`);
    if (configKey) ctx.stdout.write(`Note: models.providers["${PROVIDER}"].apiKey in the config takes precedence over this key.\n`);
    ctx.stdout.write(primarySet ? `Default model set to ${ref}\n` : `Default model unchanged: ${String(core.getConfigValue(written.document, primary))}\n`);
    return 0;
  } catch (error) {
    if (credential.store) ctx.stderr.write("genesis: the key was saved, but the Azure provider config could not be written:\n");
    return reportGenesisError(ctx, error, []);
  }
}
