/**
 * @genesis/azure: Azure OpenAI request shape (host detection, `api-key` auth,
 * deployment-scoped URLs, `api-version`) and the `azure-openai-responses/*` provider.
 */
export { AzureConfigError } from "./azure-error.js";
export type { AzureErrorCode } from "./azure-error.js";
export {
  DEFAULT_AZURE_API_VERSION, isAzureHost, resolveAzureApiVersion, azureResourceBase, assertDeploymentName, azureDeploymentUrl, azureAuthHeaders,
} from "./azure-endpoint.js";
export type { AzureOperation } from "./azure-endpoint.js";
export { createAzureResponsesProvider, azureResponsesBaseUrl } from "./create-azure-responses-provider.js";
export type { AzureResponsesProviderOptions } from "./create-azure-responses-provider.js";
export { isAzurePortalUrl } from "./azure-endpoint.js";
