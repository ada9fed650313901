import { GenesisError } from "@genesis/core";

/** The server answered 2xx with a body that does not have the documented shape. */
export class ServerResponseError extends GenesisError {
  readonly endpoint: string;
  constructor(message: string, fields: { endpoint: string }) {
    super("bad_server_response", message, { hint: "Check that baseUrl points at an OpenAI-compatible API." });
    this.endpoint = fields.endpoint;
  }
}
