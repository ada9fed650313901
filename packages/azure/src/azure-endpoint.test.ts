import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { GenesisError } from "@genesis/core";
import {
  DEFAULT_AZURE_API_VERSION, assertDeploymentName, azureAuthHeaders, azureDeploymentUrl, azureResourceBase, isAzureHost, isAzurePortalUrl, resolveAzureApiVersion,
} from "./azure-endpoint.js";
import { AzureConfigError } from "./azure-error.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(GenesisError.isInstance(error)).toBe(true);
    expect((error as GenesisError).hint).toBeTruthy();
    return (error as GenesisError).code;
  }
  return undefined;
}

describe("isAzureHost", () => {
  it("accepts the three Azure suffixes and nothing else", () => {
    expect(isAzureHost("https://res.openai.azure.com")).toBe(true);
    expect(isAzureHost("https://RES.OpenAI.Azure.com/openai")).toBe(true);
    expect(isAzureHost("https://x.services.ai.azure.com/")).toBe(true);
    expect(isAzureHost(new URL("https://x.cognitiveservices.azure.com"))).toBe(true);
    expect(isAzureHost("https://api.openai.com/v1")).toBe(false);
    expect(isAzureHost("https://openai.azure.com.evil.example")).toBe(false);
    expect(isAzureHost("https://evil-openai.azure.com.example.org")).toBe(false);
    expect(isAzureHost("http://127.0.0.1:8080")).toBe(false);
    expect(isAzureHost("not a url")).toBe(false);
  });
});

describe("resolveAzureApiVersion", () => {
  it("defaults to 2024-12-01-preview and honours AZURE_OPENAI_API_VERSION", () => {
    expect(resolveAzureApiVersion({})).toBe("2024-12-01-preview");
    expect(DEFAULT_AZURE_API_VERSION).toBe("2024-12-01-preview");
    expect(resolveAzureApiVersion({ AZURE_OPENAI_API_VERSION: " 2025-04-01-preview " })).toBe("2025-04-01-preview");
    expect(resolveAzureApiVersion({ AZURE_OPENAI_API_VERSION: "  " })).toBe("2024-12-01-preview");
  });
  it("refuses a malformed version with a typed error", () => {
    expect(codeOf(() => resolveAzureApiVersion({ AZURE_OPENAI_API_VERSION: "yesterday&x=1" }))).toBe("azure_invalid_api_version");
  });
});

describe("azureDeploymentUrl", () => {
  it("builds the deployment-scoped path with or without a trailing /openai", () => {
    const want = "https://res.openai.azure.com/openai/deployments/gpt-image-2-prod/images/generations?api-version=2024-12-01-preview";
    expect(azureDeploymentUrl("https://res.openai.azure.com", "gpt-image-2-prod", "images/generations")).toBe(want);
    expect(azureDeploymentUrl("https://res.openai.azure.com/", "gpt-image-2-prod", "images/generations")).toBe(want);
    expect(azureDeploymentUrl("https://res.openai.azure.com/openai/", "gpt-image-2-prod", "images/generations")).toBe(want);
    expect(azureDeploymentUrl("https://res.openai.azure.com/openai/v1", "gpt-image-2-prod", "images/generations")).toBe(want);
    expect(azureDeploymentUrl("https://res.openai.azure.com", "img.v2_a", "images/edits", "2025-04-01-preview")).toBe(
      "https://res.openai.azure.com/openai/deployments/img.v2_a/images/edits?api-version=2025-04-01-preview",
    );
    expect(azureResourceBase("https://proxy.example/prefix/openai")).toBe("https://proxy.example/prefix");
  });
  it("refuses deployment names that would change the path", () => {
    for (const bad of ["", "../models", "a/b", "a?x=1", "a b", "a#b", "%2e%2e", "x".repeat(65)]) {
      expect(codeOf(() => azureDeploymentUrl("https://res.openai.azure.com", bad, "images/generations")), bad).toBe("azure_invalid_deployment");
    }
  });
  it("the hint's example deployment name passes its own rule", () => {
    let hint = "";
    try {
      assertDeploymentName("bad/name");
    } catch (error) {
      hint = (error as AzureConfigError).hint ?? "";
    }
    const example = /e\.g\. ([^\s;,]+)/.exec(hint)?.[1];
    expect(example).toBe("gpt-image-2-prod");
    expect(assertDeploymentName(example!)).toBe(example);
    expect(azureDeploymentUrl("https://res.openai.azure.com", example!, "images/generations")).toContain(`/deployments/${example}/`);
  });

  it("any accepted deployment stays one path segment (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 70 }), (name) => {
        let url: string;
        try {
          url = azureDeploymentUrl("https://res.openai.azure.com", name, "images/generations");
        } catch (error) {
          return error instanceof AzureConfigError && error.code === "azure_invalid_deployment";
        }
        const parsed = new URL(url);
        return parsed.pathname === `/openai/deployments/${name}/images/generations` && parsed.searchParams.get("api-version") === DEFAULT_AZURE_API_VERSION;
      }),
    );
  });
  it("refuses bad base URLs, operations and versions; never echoes credentials", () => {
    expect(codeOf(() => azureDeploymentUrl("res.openai.azure.com", "d", "images/generations"))).toBe("azure_invalid_base_url");
    expect(codeOf(() => azureDeploymentUrl("ftp://res.openai.azure.com", "d", "images/generations"))).toBe("azure_invalid_base_url");
    expect(codeOf(() => azureDeploymentUrl("https://res.openai.azure.com", "d", "files" as never))).toBe("azure_invalid_operation");
    // A full operation URL pasted from the portal would double the deployment path.
    expect(codeOf(() => azureResourceBase("https://res.openai.azure.com/openai/deployments/img/images/generations?api-version=2025-04-01-preview"))).toBe("azure_invalid_base_url");
    expect(codeOf(() => azureDeploymentUrl("https://res.openai.azure.com/openai/deployments", "d", "images/generations"))).toBe("azure_invalid_base_url");
    expect(codeOf(() => azureDeploymentUrl("https://res.openai.azure.com", "d", "images/generations", "v1&x"))).toBe("azure_invalid_api_version");
    try {
      azureDeploymentUrl("https://user:sk-secret-password-123@res.openai.azure.com", "d", "images/generations");
      expect.unreachable();
    } catch (error) {
      expect((error as AzureConfigError).code).toBe("azure_invalid_base_url");
      expect(String((error as Error).message)).not.toContain("sk-secret-password-123");
      expect((error as AzureConfigError).field).toBe("baseUrl");
    }
  });
});

describe("azureAuthHeaders", () => {
  it("sends the key as api-key, never as Bearer", () => {
    expect(azureAuthHeaders(" azure-key-123 ")).toEqual({ "api-key": "azure-key-123" });
  });
  it("a missing key is a typed error naming the fix", () => {
    expect(codeOf(() => azureAuthHeaders(undefined))).toBe("azure_missing_api_key");
    expect(codeOf(() => azureAuthHeaders(""))).toBe("azure_missing_api_key");
  });
});

describe("isAzurePortalUrl", () => {
  it("knows the web portals and leaves resource hosts alone", () => {
    for (const url of ["https://portal.azure.com/#home", "https://ms.portal.azure.com/x", "https://ai.azure.com/build", "https://oai.azure.com/portal/abc"]) {
      expect(isAzurePortalUrl(url), url).toBe(true);
      expect(codeOf(() => azureResourceBase(url)), url).toBe("azure_invalid_base_url");
    }
    for (const url of ["https://res.openai.azure.com", "https://x.services.ai.azure.com", "https://notportal.azure.com.example", "::"]) {
      expect(isAzurePortalUrl(url), url).toBe(false);
    }
    expect(azureResourceBase("https://x.services.ai.azure.com/openai")).toBe("https://x.services.ai.azure.com");
  });
});
