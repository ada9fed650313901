import { asDict, type RouteConfig } from "./_route-config.js";
import { ConfigError } from "./errors.js";
import { redactSecrets } from "./redact.js";

/**
 * The bundled plugins whose `plugins.entries.<id>.enabled` switch Genesis honours:
 * `openai` (the `openai/*` provider and the image, video, speech and embedding tools built on
 * it) and `voice-call` (streaming transcription and realtime voice providers).
 */
export type BundledPluginId = "openai" | "voice-call";

/** What a disabled plugin takes away, for messages. */
const SURFACES: Readonly<Record<BundledPluginId, string>> = {
  openai: "openai/* models and the OpenAI media tools",
  "voice-call": "Voice Call streaming transcription and realtime voice",
};

/**
 * Whether a bundled plugin is on. Plugins are enabled unless config says
 * `plugins.entries.<id>.enabled: false`; an absent or non-boolean value means enabled.
 */
export function isPluginEnabled(config: Pick<RouteConfig, "plugins"> | undefined, id: BundledPluginId): boolean {
  return asDict(asDict(config?.plugins?.entries)?.[id])?.enabled !== false;
}

/** The config key that switches `id` on or off (`plugins.entries.openai.enabled`). */
export function pluginEnabledPath(id: BundledPluginId): string {
  return `plugins.entries.${id}.enabled`;
}

/** The message and fix for a disabled plugin; shared by route blockers and {@link assertPluginEnabled}. */
export function pluginDisabledText(id: BundledPluginId, what?: string): { message: string; hint: string } {
  const path = pluginEnabledPath(id);
  return {
    message: `${what ?? SURFACES[id]} ${what ? "needs" : "need"} the ${id} plugin, which config turns off (${path} is false).`,
    hint: `Run 'genesis config set ${path} true' (or remove the key) to turn it back on.`,
  };
}

/**
 * Throw {@link ConfigError} `plugin_disabled` (with `path` = the config key) when config
 * disables the bundled plugin `id`. `what` names the caller in the message, e.g.
 * `"image_generate"`; default: everything the plugin provides.
 *
 * Consumers outside route resolution call this before doing work: the media tools for
 * `openai`, and the streaming/realtime provider resolvers for `voice-call`.
 */
export function assertPluginEnabled(config: Pick<RouteConfig, "plugins"> | undefined, id: BundledPluginId, what?: string): void {
  if (isPluginEnabled(config, id)) return;
  const { message, hint } = pluginDisabledText(id, what);
  throw new ConfigError("plugin_disabled", message, { path: pluginEnabledPath(id), hint });
}

/**
 * Throw {@link ConfigError} `provider_unavailable` (with `path`) when a provider selector such
 * as `messages.tts.provider` names anything but `openai` (case-insensitive): Genesis ships only
 * the OpenAI implementation of those surfaces, so another value would otherwise be silently
 * ignored. Unset (or blank) means the default, `openai`. `what` names the surface, e.g.
 * `"text-to-speech"`.
 */
export function assertOpenAIProviderSelected(value: unknown, path: string, what: string): void {
  if (value === undefined || value === null || (typeof value === "string" && (value.trim() === "" || value.trim().toLowerCase() === "openai"))) return;
  const shown = typeof value === "string" ? JSON.stringify(redactSecrets(value.trim()).slice(0, 60)) : typeof value;
  throw new ConfigError("provider_unavailable", `${path} is ${shown}, but Genesis ships only the openai ${what} provider.`, {
    path,
    hint: `Only 'openai' is available; remove the key ('genesis config unset ${path}') or set it to openai ('genesis config set ${path} openai').`,
  });
}
