import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { buildGpt5Overlay, matchesGpt5Overlay, overlayForRoute } from "./prompt-overlay.js";
import { resolveRoute } from "./route.js";

describe("GPT-5 overlay", () => {
  it("matches by model id across providers", () => {
    for (const ref of ["openai-codex/gpt-5.5", "openai/gpt-5.4", "openrouter/openai/gpt-5.5", "opencode/gpt-5.5", "gpt-5.5"]) {
      expect(matchesGpt5Overlay(ref)).toBe(true);
    }
    for (const ref of ["openai/gpt-4.1", "openrouter/openai/gpt-4.1", "openai/gpt-image-2"]) expect(matchesGpt5Overlay(ref)).toBe(false);
  });

  it("always carries the tagged behaviour contract", () => {
    const { behaviorContract } = buildGpt5Overlay({ personality: "off" });
    for (const tag of ["persona", "execution_safety", "tool_discipline", "output_shape", "completion", "verification", "heartbeat"]) {
      expect(behaviorContract).toContain(`<${tag}>`);
      expect(behaviorContract).toContain(`</${tag}>`);
    }
    expect(behaviorContract.startsWith("<gpt5_behavior_contract>")).toBe(true);
  });

  it("adds the friendly layer unless personality is off, in any case", () => {
    const friendly = buildGpt5Overlay();
    expect(friendly.friendlyStyle).toContain("<interaction_style>");
    expect(friendly.text).toBe(`${friendly.behaviorContract}\n\n${friendly.friendlyStyle}`);
    expect(buildGpt5Overlay({ personality: "ON" }).friendlyStyle).toBe(friendly.friendlyStyle);
    const off = buildGpt5Overlay({ personality: "Off" });
    expect(off.friendlyStyle).toBeUndefined();
    expect(off.text).toBe(off.behaviorContract);
    expect(() => buildGpt5Overlay({ personality: "grumpy" })).toThrow(ValidationError);
  });

  it("follows a resolved route", () => {
    const auth = { apiKeys: { openai: { source: "env" } } };
    expect(overlayForRoute(resolveRoute({ ref: "openai/gpt-4.1", auth }))).toBeUndefined();
    const config = { agents: { defaults: { promptOverlays: { gpt5: { personality: "off" } } } } };
    const overlay = overlayForRoute(resolveRoute({ ref: "openai/gpt-5.4", auth, config }));
    expect(overlay?.friendlyStyle).toBeUndefined();
    expect(overlay?.behaviorContract).toContain("<verification>");
  });

  it("carries the heartbeat guidance for GPT-5 routes on both runtimes, never for GPT-4.x", () => {
    const auth = { apiKeys: { openai: { source: "env" } } };
    const heartbeat = /<heartbeat>\n(- .+\n)+<\/heartbeat>/;
    for (const personality of ["friendly", "off"]) {
      const { behaviorContract, text } = buildGpt5Overlay({ personality });
      expect(behaviorContract).toMatch(heartbeat);
      expect(text).toMatch(heartbeat);
      // Progress notes during long work, and they must not become permission stops.
      expect(behaviorContract).toMatch(/<heartbeat>[^]*progress[^]*checkpoints[^]*permission[^]*<\/heartbeat>/);
    }
    const codex = { agents: { defaults: { embeddedHarness: { runtime: "codex" } } } };
    for (const config of [undefined, codex]) {
      expect(overlayForRoute(resolveRoute({ ref: "openai/gpt-5.4", auth, config }))?.text).toMatch(heartbeat);
      expect(overlayForRoute(resolveRoute({ ref: "openai/gpt-4.1", auth, config }))).toBeUndefined();
    }
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth, config: codex }).runtime).toBe("codex");
  });
});
