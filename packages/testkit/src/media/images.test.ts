import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jpegSize } from "../_jpeg.js";
import { pngSize, renderPng } from "../_png.js";
import { startEmulator, type Emulator } from "../index.js";

let emu: Emulator;
const H = { authorization: "Bearer sk-img" };
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const post = (path: string, body: object): Promise<Response> => fetch(`${emu.apiBase}${path}`, { method: "POST", headers: { ...H, "content-type": "application/json" }, body: JSON.stringify(body) });

function editForm(files: { field: string; data: Uint8Array; type: string }[], fields: Record<string, string> = { prompt: "p", model: "gpt-image-2" }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append(f.field, new Blob([f.data], { type: f.type }), "f.bin");
  return form;
}

describe("images endpoints", () => {
  it("maps size auto to 1024x1024 and serves dall-e URLs from the emulator", async () => {
    const auto = (await (await post("/images/generations", { model: "gpt-image-1", prompt: "x", size: "auto" })).json()) as { data: { b64_json: string }[]; size: string };
    expect(auto.size).toBe("1024x1024");
    const r = (await (await post("/images/generations", { model: "dall-e-2", prompt: "x", size: "256x256" })).json()) as { data: { url: string }[] };
    const img = await fetch(r.data[0]!.url);
    expect(img.headers.get("content-type")).toBe("image/png");
    expect(pngSize(Buffer.from(await img.arrayBuffer()))).toEqual({ width: 256, height: 256 });
  });

  it("rejects sizes outside each model's rules and n>1 on dall-e-3", async () => {
    for (const [model, size] of [["gpt-image-2", "1000x1000"], ["gpt-image-2", "3840x1024"], ["gpt-image-1", "512x512"]]) {
      const res = await post("/images/generations", { model, prompt: "x", size });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { param: "size", code: "invalid_value" } });
    }
    expect((await post("/images/generations", { model: "dall-e-3", prompt: "x", n: 2 })).status).toBe(400);
  });

  it("answers real JPEG bytes for output_format jpeg; webp is answered as PNG and says so", async () => {
    type Answer = { data: { b64_json: string }[]; output_format: string };
    const gen = async (body: object): Promise<Answer> => (await (await post("/images/generations", { model: "gpt-image-2", prompt: "fox", size: "320x240", ...body })).json()) as Answer;
    const jpeg = await gen({ output_format: "jpeg", output_compression: 80 });
    const bytes = Buffer.from(jpeg.data[0]!.b64_json, "base64");
    expect(jpeg.output_format).toBe("jpeg");
    expect([bytes[0], bytes[1], bytes[2]]).toEqual([0xff, 0xd8, 0xff]);
    expect(jpegSize(bytes)).toEqual({ width: 320, height: 240 });
    const smaller = await gen({ output_format: "jpeg", output_compression: 10 });
    expect(Buffer.from(smaller.data[0]!.b64_json, "base64").length).toBeLessThan(bytes.length);
    const webp = await gen({ output_format: "webp" });
    expect(webp.output_format).toBe("png");
    expect(pngSize(Buffer.from(webp.data[0]!.b64_json, "base64"))).toEqual({ width: 320, height: 240 });
    expect((await gen({})).output_format).toBe("png");

    const clash = await post("/images/generations", { model: "gpt-image-2", prompt: "fox", output_format: "jpeg", background: "transparent" });
    expect(clash.status).toBe(400);
    expect(await clash.json()).toMatchObject({ error: { param: "background", code: "invalid_value" } });

    const stream = await post("/images/generations", { model: "gpt-image-2", prompt: "fox", size: "64x64", output_format: "jpeg", stream: true });
    const done = JSON.parse(/^data: (.*)$/m.exec((await stream.text()).split("event: image_generation.completed")[1]!)![1]!) as { b64_json: string; output_format: string };
    expect(done.output_format).toBe("jpeg");
    expect(jpegSize(Buffer.from(done.b64_json, "base64"))).toEqual({ width: 64, height: 64 });

    const form = editForm([{ field: "image", data: renderPng(16, 16, "x"), type: "image/png" }], { prompt: "p", model: "gpt-image-2", size: "128x128", output_format: "jpeg" });
    const edit = (await (await fetch(`${emu.apiBase}/images/edits`, { method: "POST", headers: H, body: form })).json()) as Answer;
    expect(edit.output_format).toBe("jpeg");
    expect(jpegSize(Buffer.from(edit.data[0]!.b64_json, "base64"))).toEqual({ width: 128, height: 128 });
  });

  it("streams partial and completed image events", async () => {
    const res = await post("/images/generations", { model: "gpt-image-2", prompt: "x", size: "256x256", stream: true, partial_images: 2 });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const types = [...(await res.text()).matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(types).toEqual(["image_generation.partial_image", "image_generation.partial_image", "image_generation.completed"]);
  });

  it("validates edit uploads: missing image, non-image bytes, more than 16 images", async () => {
    const png = renderPng(16, 16, "x");
    const send = (form: FormData): Promise<Response> => fetch(`${emu.apiBase}/images/edits`, { method: "POST", headers: H, body: form });
    const missing = await send(editForm([]));
    expect(await missing.json()).toMatchObject({ error: { param: "image", code: "missing_required_parameter" } });
    const text = await send(editForm([{ field: "image", data: Buffer.from("hello"), type: "text/plain" }]));
    expect(text.status).toBe(400);
    expect(((await text.json()) as { error: { message: string } }).error.message).toMatch(/unsupported mimetype/);
    const many = await send(editForm(Array.from({ length: 17 }, () => ({ field: "image[]", data: png, type: "image/png" }))));
    expect(many.status).toBe(400);
    const ok = await send(editForm([{ field: "image", data: png, type: "image/png" }], { prompt: "p", model: "gpt-image-2", size: "512x768", n: "2" }));
    const body = (await ok.json()) as { data: { b64_json: string }[] };
    expect(body.data.map((d) => pngSize(Buffer.from(d.b64_json, "base64")))).toEqual([{ width: 512, height: 768 }, { width: 512, height: 768 }]);
  });

  it("validates edit forms and JSON edits against the spec, naming the field", async () => {
    const png = renderPng(16, 16, "x");
    const send = (form: FormData): Promise<Response> => fetch(`${emu.apiBase}/images/edits`, { method: "POST", headers: H, body: form });
    const n = await send(editForm([{ field: "image[]", data: png, type: "image/png" }], { prompt: "p", model: "gpt-image-2", n: "two" }));
    expect(n.status).toBe(400);
    expect(await n.json()).toMatchObject({ error: { type: "invalid_request_error", param: "n", code: "invalid_value", message: expect.stringContaining('n: "two"') } });
    const quality = await send(editForm([{ field: "image", data: png, type: "image/png" }], { prompt: "p", quality: "ultra" }));
    expect(await quality.json()).toMatchObject({ error: { param: "quality" } });
    const noPrompt = await send(editForm([{ field: "image", data: png, type: "image/png" }], { model: "gpt-image-2" }));
    expect(await noPrompt.json()).toMatchObject({ error: { param: "prompt", code: "missing_required_parameter" } });
    // The edit schema is open: a field it does not list is not an error.
    expect((await send(editForm([{ field: "image", data: png, type: "image/png" }], { prompt: "p", model: "gpt-image-2", moderation: "low" }))).status).toBe(200);
    const json = (body: object): Promise<Response> => post("/images/edits", { model: "gpt-image-2", prompt: "p", ...body });
    expect(await (await json({ images: [] })).json()).toMatchObject({ error: { param: "images" } });
    expect(await (await json({ images: [{ image_url: "https://example.com/a.png" }], output_compression: 101 })).json()).toMatchObject({ error: { param: "output_compression" } });
    // Documented deviation: gpt-image-2's WIDTHxHEIGHT sizes pass on JSON edits too.
    const sized = (await (await json({ images: [{ image_url: "https://example.com/a.png" }], size: "512x768" })).json()) as { size: string };
    expect(sized.size).toBe("512x768");
  });
});
