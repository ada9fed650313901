import type { ToolDefinition } from "./tool-registry.js";

/** The model id families the strict-agentic contract applies to (GPT-5 and its point releases). */
const GPT5 = /^gpt-5(?:[.o-]|$)/i;

/** Providers the contract is scoped to. */
const PROVIDERS = new Set(["openai", "openai-codex"]);

/** Plan-only retries before the run is declared blocked. */
export const STRICT_PLAN_ONLY_RETRIES = 2;

/** `update_plan` calls allowed per turn; more are refused (models have looped on it). */
export const UPDATE_PLAN_LIMIT_PER_TURN = 4;

/** The steer appended after a plan-only reply. */
export const ACT_NOW_STEER =
  "You described a plan but did not act. Do not restate the plan. Act now: call the tools needed for the next step " +
  "(or finish the task), then report what you did and the result.";

/** The message of the explicit blocked state. */
export const BLOCKED_TEXT = "Blocked: the model kept planning without acting, even after being asked to act now.";

/**
 * Whether the strict-agentic contract applies: `executionContract: "strict-agentic"` and an
 * OpenAI/Codex GPT-5-family model. Other providers and older families keep default behaviour.
 */
export function strictAgenticApplies(route: { provider: string; model: string; executionContract?: string }): boolean {
  if (route.executionContract !== "strict-agentic") return false;
  if (!PROVIDERS.has(route.provider)) return false;
  const id = route.model.includes("/") ? route.model.slice(route.model.lastIndexOf("/") + 1) : route.model;
  return GPT5.test(id);
}

const PLAN_OPENERS = [
  /\b(?:i(?:'ll| will| am going to|'m going to)|let me|we(?:'ll| will)|first,? i(?:'ll| will)?|next,? i(?:'ll| will)?)\b/i,
  /\b(?:here(?:'s| is) (?:the|my) plan|plan:|steps?:|my approach)\b/i,
];
const DONE_MARKERS = /\b(?:done|finished|completed|here (?:is|are) the (?:result|answer|output)s?|the (?:result|answer) is|i (?:did|ran|called|checked|found|read))\b/i;

/**
 * Whether a final reply is plan-only: no tool was called, tools were available, and the text
 * announces future actions (or lists steps) without reporting any result.
 */
export function isPlanOnly(text: string, calledTools: boolean, toolsAvailable: boolean): boolean {
  if (calledTools || !toolsAvailable) return false;
  const t = text.trim();
  if (t === "" || t.endsWith("?")) return false; // a question to the user is not a stall
  if (DONE_MARKERS.test(t)) return false;
  const numbered = (t.match(/^\s*(?:\d+[.)]|[-*])\s+/gm) ?? []).length >= 2;
  return PLAN_OPENERS.some((re) => re.test(t)) || (numbered && /\bplan\b|\bsteps?\b/i.test(t));
}

/** Whether a request looks like substantial (multi-step) work, which earns `update_plan`. */
export function isSubstantialWork(message: string): boolean {
  const m = message.trim();
  return m.length >= 160 || m.split(/\n+/).length >= 3 || /\b(?:then|and then|after that|steps?|refactor|implement|migrate|investigate)\b/i.test(m);
}

type PlanStep = { step: string; status: string };

/**
 * The `update_plan` tool: the model records its plan (steps with pending / in_progress /
 * completed). Rate-limited per turn through `budget`; the runtime surfaces each accepted plan
 * as a `plan.updated` event via `onPlan`.
 */
export function createUpdatePlanTool(onPlan: (plan: PlanStep[], explanation?: string) => void, budget: { remaining: number }): ToolDefinition {
  return {
    name: "update_plan",
    description:
      "Record or update your step-by-step plan for substantial work. Keep it short; update it as steps complete. " +
      "This does not do the work: after updating the plan, call the tools that carry out the next step.",
    parameters: {
      type: "object",
      properties: {
        explanation: { type: "string", description: "One line on why the plan changed." },
        plan: {
          type: "array",
          items: {
            type: "object",
            properties: { step: { type: "string" }, status: { type: "string", enum: ["pending", "in_progress", "completed"] } },
            required: ["step", "status"],
          },
        },
      },
      required: ["plan"],
    },
    execute(args) {
      if (budget.remaining <= 0) {
        return { output: "update_plan limit reached for this turn; stop planning and carry out the next step now.", isError: true };
      }
      const plan = Array.isArray(args.plan) ? (args.plan as PlanStep[]).filter((s) => typeof s?.step === "string") : [];
      if (plan.length === 0) return { output: "update_plan needs a non-empty plan: [{step, status}]", isError: true };
      budget.remaining--;
      onPlan(plan.map((s) => ({ step: s.step, status: String(s.status ?? "pending") })), typeof args.explanation === "string" ? args.explanation : undefined);
      return "Plan updated. Now act on the next step.";
    },
  };
}
