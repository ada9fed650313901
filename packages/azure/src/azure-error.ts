import { GenesisError, type GenesisErrorOptions } from "@genesis/core";

/** Stable codes of {@link AzureConfigError}. */
export type AzureErrorCode =
  | "azure_invalid_base_url"
  | "azure_invalid_deployment"
  | "azure_invalid_api_version"
  | "azure_invalid_operation"
  | "azure_missing_api_key"
  | "azure_unsupported_api";

/**
 * An Azure OpenAI setting is unusable: a base URL that does not parse, a deployment name Azure
 * would reject, a malformed `api-version`, or a missing key. `field` names the setting (config
 * path or option) so the CLI can point at it.
 */
export class AzureConfigError extends GenesisError {
  /** The option or config path that is wrong, e.g. `models.providers.openai.baseUrl`. */
  readonly field: string;
  constructor(code: AzureErrorCode, message: string, fields: { field: string } & GenesisErrorOptions) {
    super(code, message, fields);
    this.field = fields.field;
  }
}
