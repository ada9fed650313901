import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../start-emulator.js";
import { pngSize } from "../_png.js";
import { jpegSize } from "../_jpeg.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.reset());
afterAll(async () => {
  await emu.close();
});

function codexHeaders(): Record<string, string> {
  const t = emu.auth.issueTokens({ accountId: "acct_img" });
  return { "content-type": "application/json", authorization: `Bearer ${t.access_token}`, "chatgpt-account-id": "acct_img" };
}

function body(tool: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: "gpt-5.5",
    instructions: "Generate the image.",
    input: [{ role: "user", content: [{ type: "input_text", text: "a red fox" }] }],
    tools: [{ type: "image_generation", ...tool }],
    tool_choice: { type: "image_generation" },
    store: false,
    stream: true,
    ...extra,
  };
}

async function events(url: string, payload: unknown, headers: Record<string, string>): Promise<{ type: string; [k: string]: unknown }[]> {
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(payload) });
  if (res.status !== 200) throw new Error(await res.text());
  const text = await res.text();
  return text.split("\n\n").filter((b) => b.includes("data: ")).map((b) => JSON.parse(/^data: (.*)$/m.exec(b)![1]!) as { type: string });
}

describe("Responses image_generation tool", () => {
  it("Codex backend: a forced tool yields progress events and a PNG of the requested size", async () => {
    const ev = await events(`${emu.codexBase}/responses`, body({ model: "gpt-image-2", size: "1536x864", quality: "low", output_format: "png" }), codexHeaders());
    const types = ev.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["response.image_generation_call.in_progress", "response.image_generation_call.generating", "response.image_generation_call.completed"]));
    const done = ev.find((e) => e.type === "response.output_item.done")!.item as Record<string, unknown>;
    expect(done).toMatchObject({ type: "image_generation_call", status: "completed", output_format: "png", size: "1536x864", quality: "low", action: "generate" });
    expect(pngSize(Buffer.from(done.result as string, "base64"))).toEqual({ width: 1536, height: 864 });
    const final = ev.at(-1)!;
    expect(final.type).toBe("response.completed");
    expect((final.response as { output: { type: string }[] }).output.map((o) => o.type)).toEqual(["image_generation_call"]);
  });

  it("/v1/responses: jpeg output and input images mark an edit", async () => {
    const edit = body({ output_format: "jpeg", size: "1024x1024" }, { input: [{ role: "user", content: [{ type: "input_text", text: "make it blue" }, { type: "input_image", detail: "auto", image_url: "data:image/png;base64,iVBORw0KGgo=" }] }] });
    const ev = await events(`${emu.apiBase}/responses`, edit, { "content-type": "application/json", authorization: "Bearer sk-test" });
    const done = ev.find((e) => e.type === "response.output_item.done")!.item as Record<string, unknown>;
    expect(done).toMatchObject({ output_format: "jpeg", action: "edit" });
    expect(jpegSize(Buffer.from(done.result as string, "base64"))).toEqual({ width: 1024, height: 1024 });
  });

  it("without a forcing tool_choice no image is made", async () => {
    const ev = await events(`${emu.apiBase}/responses`, body({}, { tool_choice: "auto" }), { "content-type": "application/json", authorization: "Bearer sk-test" });
    expect(ev.some((e) => e.type.startsWith("response.image_generation_call"))).toBe(false);
  });

  it("a scripted imageGeneration turn works without the tool in the request (defaults)", async () => {
    emu.script({ imageGeneration: true });
    const { tools: _tools, tool_choice: _choice, ...plain } = body({});
    const ev = await events(`${emu.apiBase}/responses`, plain, { "content-type": "application/json", authorization: "Bearer sk-test" });
    const done = ev.find((e) => e.type === "response.output_item.done")!.item as Record<string, unknown>;
    expect(done).toMatchObject({ type: "image_generation_call", status: "completed", size: "1024x1024", output_format: "png" });
    expect(pngSize(Buffer.from(done.result as string, "base64"))).toEqual({ width: 1024, height: 1024 });
  });

  it("an invalid tool size or jpeg+transparent answers 400 naming the tool field", async () => {
    const r = await fetch(`${emu.codexBase}/responses`, { method: "POST", headers: codexHeaders(), body: JSON.stringify(body({ size: "4000x4000" })) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { param: string } }).error.param).toBe("tools[0].size");
    const r2 = await fetch(`${emu.apiBase}/responses`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer sk-test" }, body: JSON.stringify(body({ output_format: "jpeg", background: "transparent" })) });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { error: { param: string } }).error.param).toBe("tools[0].background");
  });

  it("the tool shape is validated against the spec (ImageGenTool)", async () => {
    const r = await fetch(`${emu.codexBase}/responses`, { method: "POST", headers: codexHeaders(), body: JSON.stringify(body({ quality: "ultra" })) });
    expect(r.status).toBe(400);
  });
});
