import { isReply, jsonObject } from "../_endpoint-util.js";
import { handleEdit, jobFromJson, runImageJob } from "../media/images.js";
import { onRealtimeConnection } from "../realtime/realtime.js";
import type { EmulatorRequest, HttpReply, RouteDef } from "../_types.js";
import type { CoreWsRoute } from "../server.js";

/**
 * Azure OpenAI paths: deployment-scoped images (`?api-version=` required, `api-key` header)
 * and the GA realtime WebSocket `/openai/v1/realtime?model=<deployment>` (no api-version;
 * key in the `api-key` header or query). Errors use Azure's `{error:{code,message}}` shape.
 */

/** The key of an Azure request: `api-key` header, then Entra-style `Bearer`, then (WebSocket only) `?api-key=`. */
export function azureKeyOf(req: Pick<EmulatorRequest, "headers" | "query">, allowQuery: boolean): string | undefined {
  const header = req.headers["api-key"];
  if (typeof header === "string" && header.trim()) return header.trim();
  const auth = req.headers.authorization;
  const m = typeof auth === "string" ? /^Bearer\s+(\S+)/i.exec(auth) : null;
  if (m) return m[1];
  return allowQuery ? (req.query.get("api-key") ?? undefined) || undefined : undefined;
}

const accessDenied: HttpReply = {
  status: 401,
  body: {
    error: {
      code: "401",
      message: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
    },
  },
};

/** 401/400 in Azure's shape when the key or api-version is missing. */
function azureGate(req: EmulatorRequest): HttpReply | undefined {
  if (!azureKeyOf(req, false)) return accessDenied;
  if (!req.query.get("api-version")) {
    return { status: 400, body: { error: { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." } } };
  }
  return undefined;
}

/** Azure HTTP routes. */
export const azureRoutes: RouteDef[] = [
  {
    method: "POST",
    pattern: "/openai/deployments/:deployment/images/generations",
    operationId: "createImage",
    handler(req, ctx) {
      const denied = azureGate(req);
      if (denied) return denied;
      const body = jsonObject(req);
      if (isReply(body)) return body;
      // The deployment decides the model on Azure; a body `model` is ignored.
      return runImageJob({ ...jobFromJson(body), model: req.params["deployment"]! }, ctx, "image_generation");
    },
  },
  {
    method: "POST",
    pattern: "/openai/deployments/:deployment/images/edits",
    operationId: "createImageEdit",
    handler(req, ctx) {
      return azureGate(req) ?? handleEdit(req, ctx);
    },
  },
];

/** Azure WebSocket routes. */
export const azureWsRoutes: CoreWsRoute[] = [
  {
    pattern: "/openai/v1/realtime",
    precheck(req) {
      if (!azureKeyOf(req, true)) return accessDenied;
      if (!req.query.get("model") && req.query.get("intent") !== "transcription") {
        return { status: 400, body: { error: { code: "BadRequest", message: "Missing required query parameter 'model' (the deployment name)." } } };
      }
      return undefined;
    },
    onConnection: onRealtimeConnection,
  },
];
