import { deviceAuthRoutes } from "./auth/device-auth.js";
import { oauthRoutes } from "./auth/oauth.js";
import { speechRoutes } from "./audio/speech.js";
import { transcriptionRoutes } from "./audio/transcriptions.js";
import { azureRoutes, azureWsRoutes } from "./azure/azure.js";
import { embeddingRoutes } from "./embeddings.js";
import { imageRoutes } from "./media/images.js";
import { videoRoutes } from "./media/videos.js";
import { realtimeWsRoutes } from "./realtime/realtime.js";
import type { RouteDef } from "./_types.js";
import type { CoreWsRoute } from "./server.js";

/** HTTP routes contributed by the media/audio/embeddings/videos/Azure/auth modules. */
export const extraRoutes: RouteDef[] = [
  ...imageRoutes,
  ...videoRoutes,
  ...speechRoutes,
  ...transcriptionRoutes,
  ...embeddingRoutes,
  ...azureRoutes,
  ...oauthRoutes,
  ...deviceAuthRoutes,
];
/** WebSocket routes contributed by the realtime and Azure modules (with upgrade prechecks). */
export const extraWsRoutes: CoreWsRoute[] = [...realtimeWsRoutes, ...azureWsRoutes];
