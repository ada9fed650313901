import { join, resolve } from "node:path";
import { assertPluginEnabled, openAuthStore, resolveGenesisHome, summarizeFailover } from "@genesis/core";
import type { LookupAllFn, SleepFn } from "@genesis/transport";
import { CodexCredentialManager, codexCredentialStore, codexSettingsFromConfig } from "@genesis/codex-oauth";
import { ImageFailoverError, ImageGenerationError } from "./image-errors.js";
import { mapAspectToSize, parseImageRequest, type ImageRequest, type ImageRequestInput } from "./image-request.js";
import { readImageInfo, type ImageFormat } from "./_image-bytes.js";
import { callCodexImage, codexImageBody, DEFAULT_CODEX_IMAGE_DRIVER, trackSpend, type CodexImageCredentials, type ImageSpend } from "./_codex-images.js";
import { fetchForRoute } from "./_guard.js";
import { callImagesApi, type HttpKnobs, type RawImage } from "./_images-api.js";
import { resolveConfig, resolveImageRoute, type ImageAuthStore, type ImageConfigInput, type ImageRoute, type ImageRouteKind } from "./_image-route.js";
import { canFailOverImage, imageAttemptOf, imageModelChain, type ImageFailoverAttempt } from "./_image-failover.js";
import { loadReferenceImages } from "./_reference-images.js";
import { imageBaseName, writeImageFile } from "./_write-images.js";

/** Options of {@link generateImages} (and of the `image_generate` tool). */
export interface GenerateImagesOptions {
  /** A validated `GenesisConfig` or `loadConfig()`'s result. Default: the config file under GENESIS_HOME. */
  config?: ImageConfigInput;
  /** Environment: `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `AZURE_OPENAI_API_VERSION`, `GENESIS_HOME`, `GENESIS_CODEX_*`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Injected `fetch` for every route. Default `globalThis.fetch` (custom image endpoints: the SSRF-guarded fetch). */
  fetch?: typeof globalThis.fetch;
  /** DNS used by the SSRF guard for custom endpoints. Default: the system resolver. */
  lookup?: LookupAllFn;
  /** Where images are written (relative: against `process.cwd()`). Default `$GENESIS_HOME/media/images`. */
  outputDir?: string;
  /** Base for relative reference-image paths. Default `process.cwd()`. */
  cwd?: string;
  /** Auth store to look for the `openai-codex` sign-in and stored API keys. Default core's store under GENESIS_HOME. */
  authStore?: ImageAuthStore;
  /**
   * Codex credentials (a `CodexCredentialManager` fits). When given, the Codex route counts as
   * signed in. Default: a manager over the auth store's `openai-codex` profile.
   */
  codexCredentials?: CodexImageCredentials;
  /** Text model that drives the hosted tool on the Codex backend. Default `gpt-5.5`. */
  codexDriverModel?: string;
  /** Clock for file names and token expiry. Default `Date.now`. */
  now?: () => number;
  /** Cancels the call: requests in flight are aborted and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Retries for 408/409/429/5xx and connection failures. Default 2. */
  maxRetries?: number;
  /** Sleep between retries (tests pass a fake). */
  sleep?: SleepFn;
}

/** One written image. */
export interface GeneratedImage {
  path: string;
  format: ImageFormat;
  width: number;
  height: number;
  bytes: number;
  revisedPrompt?: string;
}

/** What {@link generateImages} returns. */
export interface GenerateImagesResult {
  /** The model ref used, e.g. `openai/gpt-image-2`. */
  model: string;
  route: ImageRouteKind;
  mode: "generate" | "edit";
  images: GeneratedImage[];
  /** Things the caller asked for that were not (exactly) honoured; the first one names a failover. */
  warnings: string[];
  /**
   * Image models that failed before `model` produced the images (`agents.defaults.imageGenerationModel.fallbacks`),
   * in order, each with its code and reason. Absent when the first model answered.
   */
  failover?: ImageFailoverAttempt[];
}

/**
 * Run `fn` for 0..n-1 with at most `limit` in flight, keeping order. The first failure stops
 * the rest: no new call starts and the signal handed to the calls in flight is aborted, so a
 * failed batch does not keep spending the plan's image quota.
 */
async function bounded<T>(n: number, limit: number, signal: AbortSignal | undefined, fn: (i: number, signal: AbortSignal) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  const stop = new AbortController();
  const linked = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n && !stop.signal.aborted) {
      const i = next++;
      try {
        out[i] = await fn(i, linked);
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

function sizeWarnings(req: ImageRequest, route: ImageRouteKind): { size: string | undefined; warnings: string[] } {
  const warnings: string[] = [];
  const asked = [req.aspectRatio && `aspectRatio=${req.aspectRatio}`, req.resolution && `resolution=${req.resolution}`].filter(Boolean).join(", ");
  if (!asked) return { size: req.size, warnings };
  if (route !== "codex") {
    warnings.push(`${asked} is not forwarded to the ${route === "azure" ? "Azure" : "OpenAI"} Images API; pass size (e.g. 1536x1024) instead.`);
    return { size: req.size, warnings };
  }
  if (req.size) {
    warnings.push(`${asked} ignored because size=${req.size} was given.`);
    return { size: req.size, warnings };
  }
  const mapped = mapAspectToSize(req.aspectRatio, req.resolution);
  if (!mapped) warnings.push(`${asked} has no safe supported size (sides multiples of 16, ratio within 3:1, at most 3840x2160); the backend picks the size.`);
  else warnings.push(`${asked} mapped to size=${mapped}.`);
  return { size: mapped, warnings };
}

function defaultCodexCredentials(store: ImageAuthStore, settings: ReturnType<typeof codexSettingsFromConfig>, options: GenerateImagesOptions): CodexImageCredentials {
  return new CodexCredentialManager({ store: codexCredentialStore(store), settings, fetch: options.fetch, now: options.now });
}

/**
 * Generate (or, with reference images, edit) images and write them into the output folder.
 * The route follows the spec: the Codex Responses backend when an `openai-codex` sign-in is
 * stored and `models.providers.openai` sets no apiKey/baseUrl; otherwise the Images API with
 * an API key (Azure's deployment shape on an Azure host). Every answer is decoded, checked by
 * magic bytes and dimensions, and written atomically under a new name.
 * On the configured primary, a failure another model can fix (404 / `model_not_found`, 403,
 * rate or usage limits, 5xx or connection failures after the retries) before any image came
 * back moves on to `agents.defaults.imageGenerationModel.fallbacks`, in order; the result's
 * `model` and `failover` say which model answered and why.
 * A config (passed or loaded) with `plugins.entries.openai.enabled: false` refuses the call with
 * ConfigError `plugin_disabled` before reference images are read or any request is sent.
 * @throws ConfigError `plugin_disabled`, ImageRequestError for bad arguments, ImageGenerationError, ImageFailoverError when every
 * model of the chain failed, or `@genesis/transport`'s typed HTTP errors (`RateLimitError`,
 * `ApiError` carrying the server's message...).
 */
export async function generateImages(request: ImageRequestInput, options: GenerateImagesOptions = {}): Promise<GenerateImagesResult> {
  const req = parseImageRequest(request);
  options.signal?.throwIfAborted();
  const env = options.env ?? process.env;
  const config = await resolveConfig(options.config, env);
  assertPluginEnabled(config, "openai", "image_generate");
  const chain = imageModelChain(req.model, config);
  const store = options.authStore ?? openAuthStore({ env });
  const refs = await loadReferenceImages(req.images, options.cwd ?? process.cwd());
  const now = options.now ?? Date.now;
  const http: HttpKnobs = { fetch: options.fetch ?? globalThis.fetch, env, now, signal: options.signal, maxRetries: options.maxRetries, sleep: options.sleep };

  // One model after the other, and only while nothing may have been paid for (no request the
  // server may be working on, no image) and nothing was written.
  const attempts: ImageFailoverAttempt[] = [];
  // Keys and tokens the routes used: attempt records are redacted with them.
  const secrets: string[] = [];
  let produced: { ref: string; route: ImageRoute; raws: RawImage[]; size: string | undefined; warnings: string[] } | undefined;
  for (const [index, ref] of chain.entries()) {
    const spend: ImageSpend = { risked: 0 };
    try {
      produced = { ref, ...(await produce(ref, spend)) };
      break;
    } catch (error) {
      const next = index < chain.length - 1 && !options.signal?.aborted && spend.risked === 0 && canFailOverImage(error);
      // A lone model (or one whose failure is final) keeps its own typed error.
      if (!next && attempts.length === 0) throw error;
      attempts.push(imageAttemptOf(ref, error, secrets));
      if (!next) throw new ImageFailoverError(attempts, { cause: error });
    }
  }
  const { ref, route, raws, size, warnings } = produced!;
  if (attempts.length > 0) warnings.unshift(`${summarizeFailover(attempts)}; the images come from the fallback ${ref}.`);

  async function produce(ref: string, spend: ImageSpend): Promise<{ route: ImageRoute; raws: RawImage[]; size: string | undefined; warnings: string[] }> {
    const route: ImageRoute = await resolveImageRoute({ ref, config, env, store, codexInjected: options.codexCredentials !== undefined });
    if (route.kind !== "codex") secrets.push(route.apiKey);
    const { size, warnings } = sizeWarnings(req, route.kind);
    if (route.kind === "codex") {
      const settings = codexSettingsFromConfig(config, env);
      const credentials = options.codexCredentials ?? defaultCodexCredentials(store, settings, options);
      const body = codexImageBody(req, refs, route.modelId, options.codexDriverModel ?? DEFAULT_CODEX_IMAGE_DRIVER, size);
      // The hosted tool makes one image per call; two calls at a time keeps plan limits happy.
      // Each call counts as paid from the moment its request goes out (see trackSpend), so a
      // sibling cancelled mid-generation rules out failover.
      const raws = await bounded(req.count, 2, options.signal, (_i, signal) =>
        callCodexImage(body, credentials, settings, { ...http, signal, fetch: trackSpend(http.fetch, spend) }, secrets),
      );
      return { route, raws, size, warnings };
    }
    const raws = await callImagesApi({ ...req, size }, refs, route, { ...http, fetch: await fetchForRoute(route, options.fetch, options.lookup) });
    if (raws.length < req.count) warnings.push(`Asked for ${req.count} images, the server returned ${raws.length}.`);
    return { route, raws, size, warnings };
  }

  // Absolute, so the paths handed back stay valid whatever directory the caller works in.
  const outputDir = resolve(options.outputDir ?? join(resolveGenesisHome(env), "media", "images"));
  const stampMs = now();
  // Check every image before writing any, so a bad answer leaves no partial set behind.
  const infos = raws.map((raw, i) => {
    const info = readImageInfo(raw.data);
    if (info) return info;
    throw new ImageGenerationError("image_bad_response", `Image ${i + 1} is not a PNG, JPEG or WebP image (${raw.data.length} bytes).`, {
      route: route.kind,
      hint: "The endpoint answered data that is not an image; check the base URL and model.",
    });
  });
  const images: GeneratedImage[] = [];
  for (const [i, raw] of raws.entries()) {
    const info = infos[i]!;
    if (req.outputFormat && info.format !== req.outputFormat) warnings.push(`Image ${i + 1}: asked for ${req.outputFormat}, got ${info.format}; saved as .${info.format === "jpeg" ? "jpg" : info.format}.`);
    if (size && size !== "auto" && size !== `${info.width}x${info.height}`) warnings.push(`Image ${i + 1}: asked for ${size}, got ${info.width}x${info.height}.`);
    const path = await writeImageFile(outputDir, imageBaseName(req.prompt, stampMs, i, raws.length), info.format === "jpeg" ? "jpg" : info.format, raw.data);
    const image: GeneratedImage = { path, format: info.format, width: info.width, height: info.height, bytes: raw.data.length };
    if (raw.revisedPrompt) image.revisedPrompt = raw.revisedPrompt;
    images.push(image);
  }
  return { model: ref, route: route.kind, mode: refs.length > 0 ? "edit" : "generate", images, warnings, ...(attempts.length > 0 ? { failover: attempts } : {}) };
}
