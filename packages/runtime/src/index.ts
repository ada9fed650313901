export { RUNTIME_LABELS, toTurnRoute } from "./turn-runner.js";
export type {
  RuntimeId,
  TurnRoute,
  TranscriptItem,
  TurnInput,
  TurnOutcome,
  AgentEvent,
  RunTurnOptions,
  TurnRunner,
  RunnerStatus,
} from "./turn-runner.js";
export { ToolRegistry } from "./tool-registry.js";
export type { JsonSchema, ToolContext, ToolResult, ToolDefinition } from "./tool-registry.js";
export { builtinTools, createGetTimeTool, createReadFileTool, READ_FILE_MAX_BYTES } from "./builtin-tools.js";
export { createPiRunner } from "./pi-runner.js";
export type { ModelStreamer, PiRoute, PiRunnerOptions } from "./pi-runner.js";
export {
  strictAgenticApplies,
  isPlanOnly,
  isSubstantialWork,
  createUpdatePlanTool,
  ACT_NOW_STEER,
  BLOCKED_TEXT,
  STRICT_PLAN_ONLY_RETRIES,
  UPDATE_PLAN_LIMIT_PER_TURN,
} from "./strict-agentic.js";
export { estimateTokens, fitHistory } from "./context-budget.js";
export type { FittedHistory } from "./context-budget.js";
export { JsonlSessionStore } from "./jsonl-session-store.js";
export { createAgent, MODEL_OVERRIDE } from "./create-agent.js";
export type { Agent, AgentOptions, AgentRunResult, ProviderFactory } from "./create-agent.js";
export { DEFAULT_MODEL_REF } from "./_agent-env.js";
export { DEFAULT_SYSTEM_PROMPT, buildInstructions } from "./_turn-prep.js";
export { formatStatus } from "./agent-status.js";
export { ModelFailoverError, canFailOver } from "./_model-failover.js";
export type { FailoverAttempt } from "./_model-failover.js";
export type { AgentStatus } from "./agent-status.js";
export { createCodexTurnRunner, CODEX_THREAD_STATE_KEY } from "./codex/codex-turn-runner.js";
export type { CodexTurnRunner, CodexTurnRunnerOptions } from "./codex/codex-turn-runner.js";
export { CodexAppServerClient } from "./codex/client.js";
export type { CodexAppServerClientOptions, CodexAuth, CodexThreadSettings, CodexTurnOptions } from "./codex/client.js";
export type { CodexAuthTokens } from "./codex/_server-requests.js";
export { AppServerProcess, RpcReplyError } from "./codex/app-server-process.js";
export type { AppServerProcessOptions, AppServerExit, RpcErrorBody } from "./codex/app-server-process.js";
export { defaultApprovalPolicy, isInside } from "./codex/approval-policy.js";
export type { ApprovalDecision, ApprovalHandler, ApprovalRequest } from "./codex/approval-policy.js";
export { buildCodexLaunch, GENESIS_PROVIDER_ID, GENESIS_KEY_ENV } from "./codex/codex-launch.js";
export type { CodexEndpoint, CodexLaunch } from "./codex/codex-launch.js";
export { genesisCodexConnection, codexAuthFromManager } from "./codex/codex-connection.js";
export type { CodexConnection, GenesisCodexConnectionOptions } from "./codex/codex-connection.js";
export { resolveCodexBinary, CODEX_VERSION } from "./codex/resolve-codex-binary.js";
export type { ResolveCodexBinaryOptions } from "./codex/resolve-codex-binary.js";
export { planCodexServiceTier, CODEX_PRIORITY_TIER, CODEX_DEFAULT_TIER } from "./codex/codex-service-tier.js";
export type { CodexServiceTierPlan } from "./codex/codex-service-tier.js";
export { CodexHarnessError } from "./codex/errors.js";
export type { CodexHarnessErrorCode, CodexHarnessErrorFields } from "./codex/errors.js";
