import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderPng } from "../_png.js";
import { startEmulator, type Emulator } from "../index.js";

let emu: Emulator;
const H = { authorization: "Bearer sk-video" };
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const json = (path: string, body: unknown): Promise<Response> => fetch(`${emu.apiBase}${path}`, { method: "POST", headers: { ...H, "content-type": "application/json" }, body: JSON.stringify(body) });

function form(fields: Record<string, string | Blob>): Promise<Response> {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return fetch(`${emu.apiBase}/videos`, { method: "POST", headers: H, body: f });
}

async function listed(): Promise<number> {
  const res = await fetch(`${emu.apiBase}/videos?limit=100`, { headers: H });
  return ((await res.json()) as { data: unknown[] }).data.length;
}

describe("videos request validation", () => {
  it("validates JSON create bodies against the spec and creates nothing when invalid", async () => {
    const jobs = await listed();
    const seconds = await json("/videos", { prompt: "waves", seconds: 4 });
    expect(seconds.status).toBe(400);
    expect(await seconds.json()).toMatchObject({ error: { type: "invalid_request_error", param: "seconds", code: "invalid_value", message: 'Invalid value for seconds: 4 (must be one of "4", "8", "12").' } });
    expect(await (await json("/videos", { prompt: "x".repeat(32001) })).json()).toMatchObject({ error: { param: "prompt" } });
    expect(await (await json("/videos", { model: "sora-2", size: "1920x1080", prompt: "x" })).json()).toMatchObject({ error: { param: "size", message: expect.stringContaining('"1280x720"') } });
    expect(await (await json("/videos", { input_reference: { image_url: "not a url" }, prompt: "x" })).json()).toMatchObject({ error: { param: "input_reference.image_url" } });
    expect(await listed()).toBe(jobs);
    const ok = (await (await json("/videos", { prompt: "waves", seconds: "8", input_reference: { image_url: "https://example.com/a.png" } })).json()) as { seconds: string };
    expect(ok.seconds).toBe("8");
  });

  it("validates multipart create forms: enums, missing prompt, a text part where the file belongs", async () => {
    const bad = await form({ prompt: "waves", seconds: "5" });
    expect(await bad.json()).toMatchObject({ error: { param: "seconds", code: "invalid_value", message: expect.stringContaining('"12"') } });
    expect(await (await form({ seconds: "4" })).json()).toMatchObject({ error: { param: "prompt", code: "missing_required_parameter" } });
    const png = renderPng(1280, 720, "ref");
    const ok = await form({ prompt: "waves", size: "1280x720", seconds: "4", input_reference: new Blob([png], { type: "image/png" }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ size: "1280x720", seconds: "4", status: "queued" });
  });

  it("validates remix bodies (JSON and multipart) before looking at the source video", async () => {
    const created = (await (await json("/videos", { prompt: "waves", size: "1280x720" })).json()) as { id: string };
    for (let i = 0; i < 2; i++) await fetch(`${emu.apiBase}/videos/${created.id}`, { headers: H });
    expect(await (await json(`/videos/${created.id}/remix`, { prompt: "" })).json()).toMatchObject({ error: { param: "prompt", message: expect.stringContaining("must NOT have fewer than 1 characters") } });
    expect(await (await json(`/videos/${created.id}/remix`, { prompt: ["a"] })).json()).toMatchObject({ error: { param: "prompt" } });
    const f = new FormData();
    f.append("size", "1280x720");
    const multi = await fetch(`${emu.apiBase}/videos/${created.id}/remix`, { method: "POST", headers: H, body: f });
    expect(await multi.json()).toMatchObject({ error: { param: "prompt", code: "missing_required_parameter" } });
    const remix = (await (await json(`/videos/${created.id}/remix`, { prompt: "bigger waves" })).json()) as { remixed_from_video_id: string };
    expect(remix.remixed_from_video_id).toBe(created.id);
  });
});
