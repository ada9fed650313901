import { assertOpenAIProviderSelected, assertPluginEnabled, type GenesisConfig } from "@genesis/core";

type Kind = "streaming" | "realtime";

const WHAT: Readonly<Record<Kind, { surface: string; provider: string }>> = {
  streaming: { surface: "Realtime transcription (Voice Call streaming)", provider: "streaming transcription" },
  realtime: { surface: "Realtime voice (Voice Call realtime)", provider: "realtime voice" },
};

/**
 * Refuse before connecting when config takes the surface away: the voice-call plugin is off,
 * `plugins.entries.voice-call.config.<kind>.provider` names something other than openai, or the
 * openai plugin (which provides these Voice Call providers) is off. Without a config nothing is
 * checked, so library calls that pass only options behave as before.
 * @throws ConfigError `plugin_disabled` / `provider_unavailable` with `path` set to the key.
 */
export function assertRealtimeAvailable(config: Pick<GenesisConfig, "plugins"> | undefined, kind: Kind): void {
  const what = WHAT[kind];
  assertPluginEnabled(config, "voice-call", what.surface);
  const provider = config?.plugins?.entries?.["voice-call"]?.config?.[kind]?.provider;
  assertOpenAIProviderSelected(provider, `plugins.entries.voice-call.config.${kind}.provider`, what.provider);
  assertPluginEnabled(config, "openai", what.surface);
}

/**
 * The notice for an explicitly set temperature: the GA session schema has no such field (the
 * beta one did), so the value is resolved for config compatibility but never sent.
 */
export function temperatureWarnings(value: number, from: string | undefined): string[] {
  if (from === undefined) return [];
  return [`${from} (${value}) is not sent: GA realtime sessions have no temperature setting, so the model uses its own. Remove it to silence this warning.`];
}
