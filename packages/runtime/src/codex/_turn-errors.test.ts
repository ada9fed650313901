import { describe, expect, it } from "vitest";
import { parseResetsAt, planFromUsageMessage, turnErrorToHarnessError } from "./_turn-errors.js";

// The wordings below are verbatim what Codex 0.169.0 sends for the emulator's usage-limit fault
// (one per plan_type), so a Codex bump that rewords them fails here.
const PLUS = "You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at 6:37 AM.";
const PRO = "You’ve hit your usage limit. Visit https://chatgpt.com/settings/usage to purchase more credits or try again at 6:37 AM.";
const FREE = "You’ve hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or try again at 6:37 AM.";
const TEAM = "You’ve hit your usage limit. To get more access now, send a request to your admin or try again at 6:37 AM.";
const ENTERPRISE = "You’ve hit your usage limit. Try again at 6:37 AM.";

describe("parseResetsAt", () => {
  const now = new Date(2026, 10, 22, 3, 30, 0);
  it("turns Codex's same-day 'try again at' time into epoch seconds", () => {
    expect(parseResetsAt("… or try again at 4:06 AM.", now)).toBe(new Date(2026, 10, 22, 4, 6, 0).getTime() / 1000);
    expect(parseResetsAt("try again at 12:05 PM", now)).toBe(new Date(2026, 10, 22, 12, 5, 0).getTime() / 1000);
    expect(parseResetsAt(ENTERPRISE, now)).toBe(new Date(2026, 10, 22, 6, 37, 0).getTime() / 1000);
    // Within the same minute it is already due, not tomorrow.
    expect(parseResetsAt("try again at 3:30 AM", new Date(2026, 10, 22, 3, 30, 40))).toBe(new Date(2026, 10, 22, 3, 30, 0).getTime() / 1000);
    // Long past: midnight passed between Codex's wording and our reading.
    expect(parseResetsAt("try again at 1:15 AM", now)).toBe(new Date(2026, 10, 23, 1, 15, 0).getTime() / 1000);
  });

  it("reads the dated form Codex uses for another day", () => {
    const msg = "… purchase more credits or try again at Nov 24th, 2026 12:10 PM.";
    expect(parseResetsAt(msg, now)).toBe(new Date(2026, 10, 24, 12, 10, 0).getTime() / 1000);
    expect(parseResetsAt("try again at Dec 1st, 2026 9:05 AM.", now)).toBe(new Date(2026, 11, 1, 9, 5, 0).getTime() / 1000);
    expect(parseResetsAt("try again at Foo 1st, 2026 9:05 AM.", now)).toBeUndefined();
    expect(parseResetsAt("no time here", now)).toBeUndefined();
  });
});

describe("planFromUsageMessage", () => {
  it("names the plan only where Codex's wording is unambiguous", () => {
    expect(planFromUsageMessage(PLUS)).toBe("plus");
    expect(planFromUsageMessage(PRO)).toBe("pro");
    expect(planFromUsageMessage(FREE)).toBeUndefined(); // free or go
    expect(planFromUsageMessage(TEAM)).toBeUndefined(); // team or business
    expect(planFromUsageMessage(ENTERPRISE)).toBeUndefined(); // enterprise, edu or unknown
  });
});

describe("turnErrorToHarnessError", () => {
  const ids = { threadId: "th", turnId: "tu" };
  it("prefers the plan the client knows, then the wording", () => {
    const known = turnErrorToHarnessError({ message: TEAM, codexErrorInfo: "usageLimitExceeded", additionalDetails: null } as any, ids, { planType: "business" });
    expect(known).toMatchObject({ code: "codex_usage_limit", planType: "business", threadId: "th", turnId: "tu", message: TEAM });
    const worded = turnErrorToHarnessError({ message: PLUS, codexErrorInfo: "usageLimitExceeded", additionalDetails: null } as any, ids, {});
    expect(worded.planType).toBe("plus");
    expect(worded.resetsAt).toEqual(expect.any(Number));
  });

  it("maps codexErrorInfo objects and unknown failures", () => {
    const e = turnErrorToHarnessError({ message: "bad gateway", codexErrorInfo: { responseStreamDisconnected: { httpStatusCode: 502 } }, additionalDetails: null } as any, ids, {});
    expect(e).toMatchObject({ code: "codex_turn_failed", codexErrorInfo: "responseStreamDisconnected", planType: undefined, resetsAt: undefined });
    expect(turnErrorToHarnessError(null, ids, {}).message).toBe("The Codex turn failed.");
    const refresh = turnErrorToHarnessError({ message: "auth refresh request failed: code=-32000", codexErrorInfo: "other", additionalDetails: null } as any, ids, {});
    expect(refresh).toMatchObject({ code: "codex_unauthorized", hint: expect.stringContaining("genesis models auth login --provider openai-codex") });
  });
});
