import { expect, it } from "vitest";
import { startEmulator } from "@genesis/testkit";
import { azureDeploymentUrl, createAzureResponsesProvider } from "./index.js";

it("README example runs", async () => {
  expect(azureDeploymentUrl("https://my-res.openai.azure.com/openai", "gpt-image-2-prod", "images/generations")).toBe(
    "https://my-res.openai.azure.com/openai/deployments/gpt-image-2-prod/images/generations?api-version=2024-12-01-preview",
  );
  const emu = await startEmulator();
  const provider = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: "azure-key", deployment: "gpt-5-4-prod", transport: "sse" });
  let text = "";
  for await (const event of provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "demo" })) {
    if (event.type === "text.delta") text += event.delta;
  }
  expect(text).toBe("Echo: hi");
  expect(emu.requests.at(-1)).toMatchObject({ method: "POST", path: "/openai/v1/responses" });
  await provider.close();
  await emu.close();
});
