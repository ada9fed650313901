import { AbortError, type SleepFn } from "@genesis/transport";
import type { VideosApi, VideoJob } from "./_videos-api.js";
import { VideoFailedError, VideoTimeoutError } from "./video-errors.js";
import type { VideoProgress } from "./video-options.js";

/** Timing of {@link waitForVideo}; all in milliseconds. */
export interface PollTiming {
  /** First wait between status checks. */
  intervalMs: number;
  /** Longest wait between status checks (the wait grows ×1.5 per check up to this). */
  maxIntervalMs: number;
  /** Give up after this long since the job was created. */
  timeoutMs: number;
}

/** What {@link waitForVideo} needs besides the job. */
export interface PollContext extends PollTiming {
  api: VideosApi;
  sleep: SleepFn;
  now: () => number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: VideoProgress) => void) | undefined;
  secrets: string[];
}

function checkAbort(signal: AbortSignal | undefined): void {
  // The injected sleep may not honour the signal; never send another request once it fired.
  if (signal?.aborted) throw new AbortError({ cause: signal.reason });
}

/**
 * Poll `GET /videos/{id}` until the job completes, with a growing interval and a bounded total
 * wait. Reports every status seen through `onProgress`. A `failed` job throws
 * {@link VideoFailedError} carrying the server's error; running out of time throws
 * {@link VideoTimeoutError}; an abort stops before the next request.
 */
export async function waitForVideo(first: VideoJob, context: PollContext): Promise<VideoJob> {
  const started = context.now();
  let job = first;
  let interval = Math.min(context.intervalMs, context.maxIntervalMs);
  for (;;) {
    const elapsedMs = Math.max(0, context.now() - started);
    context.onProgress?.({ videoId: job.id, status: job.status, progress: job.progress ?? 0, elapsedMs });
    if (job.status === "completed") return job;
    if (job.status === "failed") {
      const code = job.error?.code ?? undefined;
      const reason = job.error?.message ?? "no reason given";
      throw new VideoFailedError(`Video ${job.id} failed: ${reason}${code ? ` (${code})` : ""}.`, {
        videoId: job.id,
        serverCode: code,
        secrets: context.secrets,
        hint: code === "moderation_blocked"
          ? "OpenAI's content policy refused the clip; change the prompt or the reference."
          : "Try again; if it keeps failing, simplify the prompt or use another reference.",
      });
    }
    if (elapsedMs >= context.timeoutMs) throw new VideoTimeoutError({ videoId: job.id, waitedMs: elapsedMs });
    checkAbort(context.signal);
    await context.sleep(Math.min(interval, context.timeoutMs - elapsedMs), context.signal);
    interval = Math.min(interval * 1.5, context.maxIntervalMs);
    checkAbort(context.signal);
    job = await context.api.retrieve(job.id, context.signal);
  }
}
