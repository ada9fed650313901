import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { pngSize, renderPng } from "../_png.js";
import { startEmulator, type Emulator } from "../index.js";

let emu: Emulator;
const sockets: WebSocket[] = [];
beforeAll(async () => {
  emu = await startEmulator();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.terminate();
});
afterAll(() => emu.close());

const gen = (query: string, headers: Record<string, string>): Promise<Response> =>
  fetch(`${emu.url}/openai/deployments/img-deploy/images/generations${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ prompt: "a fox", size: "1024x1024", model: "ignored" }),
  });

describe("Azure-shaped paths", () => {
  it("generates on a deployment with api-key and api-version", async () => {
    const res = await gen("?api-version=2025-04-01-preview", { "api-key": "azure-key-1" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { b64_json: string }[] };
    expect(pngSize(Buffer.from(body.data[0]!.b64_json, "base64"))).toEqual({ width: 1024, height: 1024 });
    const req = emu.requests.at(-1)!;
    expect(req).toMatchObject({ path: "/openai/deployments/img-deploy/images/generations", query: { "api-version": "2025-04-01-preview" } });
    expect(req.headers["api-key"]).toBe("[redacted]");
    expect(emu.authHeaderOf(req.id)).toBe("azure-key-1");
  });

  it("answers 401 in Azure's shape without a key and 400 without api-version", async () => {
    const noKey = await gen("?api-version=2025-04-01-preview", {});
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { code: "401" } });
    const noVersion = await gen("", { "api-key": "k" });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ error: { code: "MissingApiVersionParameter" } });
  });

  it("edits with multipart image[] on a deployment", async () => {
    const form = new FormData();
    form.append("prompt", "add a hat");
    form.append("image[]", new Blob([renderPng(32, 32, "in")], { type: "image/png" }), "in.png");
    const res = await fetch(`${emu.url}/openai/deployments/img-deploy/images/edits?api-version=2025-04-01-preview`, { method: "POST", headers: { "api-key": "k" }, body: form });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1);
  });

  it("opens the GA realtime socket with an api-key (header or query) and refuses without one", async () => {
    const viaQuery = new WebSocket(emu.wsUrl("/openai/v1/realtime?model=rt-deploy&api-key=qk"));
    sockets.push(viaQuery);
    const first = await new Promise<{ type: string; session: { model: string } }>((resolve, reject) => {
      viaQuery.once("message", (d) => resolve(JSON.parse(d.toString())));
      viaQuery.once("error", reject);
    });
    expect(first).toMatchObject({ type: "session.created", session: { model: "rt-deploy" } });
    const refused = new WebSocket(emu.wsUrl("/openai/v1/realtime?model=rt-deploy"));
    refused.on("error", () => {}); // the refused handshake also surfaces as an error event
    const status = await new Promise<number>((resolve) => refused.once("unexpected-response", (_q, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});
