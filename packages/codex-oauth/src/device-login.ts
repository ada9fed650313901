import { z } from "zod";
import { CodexAuthError, safeOAuthCode } from "./codex-auth-error.js";
import type { CodexOAuthSettings } from "./oauth-config.js";
import { exchangeAuthorizationCode, parseOAuthError, type CodexCredentials } from "./token-client.js";

/** What the user must see to approve the device: the page and the one-time code. */
export interface DeviceCodePrompt {
  verificationUrl: string;
  userCode: string;
  /** Epoch ms after which polling gives up. */
  expiresAt: number;
}

/** Options of {@link loginWithDeviceCode}. */
export interface DeviceLoginOptions {
  settings: CodexOAuthSettings;
  /** Show the verification URL and code to the user. */
  onCode: (prompt: DeviceCodePrompt) => void | Promise<void>;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Overall cap in ms; default 900 000 (15 minutes, the code's lifetime). */
  maxWaitMs?: number;
  /** Consecutive transient failures (5xx, network, non-JSON) tolerated before giving up; default 5. */
  maxTransientErrors?: number;
  /** Injectable clock and sleep (tests drive them with fake timers). */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const userCodeSchema = z.object({
  device_auth_id: z.string().min(1),
  user_code: z.string().min(1).optional(),
  usercode: z.string().min(1).optional(),
  interval: z.union([z.string(), z.number()]).optional(),
});
const approvedSchema = z.object({ authorization_code: z.string().min(1), code_verifier: z.string().min(1) });

/** Abortable sleep on the global timers (which vi.useFakeTimers replaces). */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * ChatGPT's device-code sign-in (OpenAI's own endpoints, not RFC 8628): request a user
 * code, show it, poll `/api/accounts/deviceauth/token` every `interval` seconds (403/404 =
 * still pending), then exchange the code with `redirect_uri={issuer}/deviceauth/callback`.
 * Returns credentials and saves nothing.
 * @throws CodexAuthError device_code_disabled | device_code_expired | device_code_denied |
 *   device_code_failed | oauth_aborted | token_* errors.
 */
export async function loginWithDeviceCode(options: DeviceLoginOptions): Promise<CodexCredentials> {
  const { settings, signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const maxTransient = options.maxTransientErrors ?? 5;
  const started = now();
  const deadline = started + (options.maxWaitMs ?? 900_000);
  const post = makePoster(options);

  const first = await withTransientRetry(() => post("/api/accounts/deviceauth/usercode", { client_id: settings.clientId }), maxTransient, sleep, signal);
  if (first.status === 404) {
    throw new CodexAuthError("device_code_disabled", "Device code login is not enabled for this issuer.", {
      status: 404, hint: "Use the browser sign-in (drop --device-code), or enable device code login for your workspace.",
    });
  }
  if (first.status !== 200) throw failed("requesting a device code", first);
  const code = userCodeSchema.safeParse(first.json);
  const userCode = code.success ? (code.data.user_code ?? code.data.usercode) : undefined;
  if (!code.success || !userCode) throw failed("requesting a device code", { ...first, status: 0 });
  const intervalSec = Number(code.data.interval ?? 5);
  const intervalMs = Math.min(Math.max(Number.isFinite(intervalSec) && intervalSec > 0 ? intervalSec : 5, 1), 60) * 1000;

  await options.onCode({ verificationUrl: settings.deviceVerificationUrl, userCode, expiresAt: deadline });

  let transient = 0;
  for (;;) {
    if (now() + intervalMs > deadline) {
      throw new CodexAuthError("device_code_expired", `Device code sign-in timed out after ${Math.round((deadline - started) / 60_000)} minutes without approval.`, {
        hint: "Run the login again and approve the new code sooner.",
      });
    }
    await abortable(sleep(intervalMs, signal), signal);
    const answer = await post("/api/accounts/deviceauth/token", { device_auth_id: code.data.device_auth_id, user_code: userCode }).catch((error: unknown) => {
      if (signal?.aborted) throw abortedError();
      return { status: -1, json: undefined, cause: error } as PostResult;
    });
    if (answer.status === 403 || answer.status === 404) {
      transient = 0;
      continue;
    }
    // A 200 that is not JSON (a proxy or captive-portal page) is handled as transient below.
    if (answer.status === 200 && answer.json !== undefined) {
      const approved = approvedSchema.safeParse(answer.json);
      if (!approved.success) throw failed("polling for approval", { ...answer, status: 0 });
      return exchangeAuthorizationCode({
        settings,
        code: approved.data.authorization_code,
        verifier: approved.data.code_verifier,
        redirectUri: `${settings.issuer}/deviceauth/callback`,
        fetch: options.fetch,
        signal,
        now,
      });
    }
    if (isTransient(answer)) {
      transient += 1;
      if (transient > maxTransient) throw failed("polling for approval", answer, `after ${transient} failed attempts in a row`);
      continue;
    }
    const oauthError = safeOAuthCode(parseOAuthError(answer.text ?? "").error);
    if (oauthError && /denied|declined|rejected/i.test(oauthError)) {
      throw new CodexAuthError("device_code_denied", "The device code was denied in the browser; nothing was saved.", {
        status: answer.status, oauthError, hint: "Run the login again and approve the code.",
      });
    }
    if (oauthError && /expired/i.test(oauthError)) {
      throw new CodexAuthError("device_code_expired", "The device code expired before it was approved.", {
        status: answer.status, oauthError, hint: "Run the login again and approve the new code sooner.",
      });
    }
    throw failed("polling for approval", answer);
  }
}

interface PostResult {
  status: number;
  json: unknown;
  text?: string;
  cause?: unknown;
}

function makePoster(options: DeviceLoginOptions): (path: string, body: object) => Promise<PostResult> {
  const doFetch = options.fetch ?? fetch;
  return async (path, body) => {
    const timeout = AbortSignal.timeout(30_000);
    const response = await doFetch(`${options.settings.issuer}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    const text = await response.text().catch(() => "");
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  };
}

function isTransient(r: PostResult): boolean {
  return r.status === -1 || r.status >= 500 || r.status === 429 || r.status === 408 || (r.status === 200 && r.json === undefined);
}

async function withTransientRetry(
  call: () => Promise<PostResult>,
  max: number,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<PostResult> {
  for (let attempt = 0; ; attempt++) {
    const result = await call().catch((error: unknown) => {
      if (signal?.aborted) throw abortedError();
      return { status: -1, json: undefined, cause: error } as PostResult;
    });
    if (!isTransient(result) || attempt >= max) return result;
    // Bounded exponential backoff: 1 s, 2 s, 4 s ... capped at 8 s.
    await abortable(sleep(Math.min(1000 * 2 ** attempt, 8000), signal), signal);
  }
}

async function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  try {
    await p;
  } catch (error) {
    if (signal?.aborted) throw abortedError();
    throw error;
  }
}

function abortedError(): CodexAuthError {
  return new CodexAuthError("oauth_aborted", "Sign-in was cancelled; nothing was saved.");
}

function failed(step: string, r: PostResult, extra = ""): CodexAuthError {
  const what = r.status === -1 ? "the server could not be reached" : r.status === 0 ? "the answer was malformed" : `HTTP ${r.status}`;
  const oauthError = parseOAuthError(r.text ?? "").error;
  return new CodexAuthError("device_code_failed", `Device code sign-in failed while ${step}: ${what}${extra ? ` ${extra}` : ""}.`, {
    status: r.status > 0 ? r.status : undefined,
    oauthError: safeOAuthCode(oauthError),
    transient: isTransient(r),
    cause: r.cause,
    hint: "Try again in a moment; if it persists, use the browser sign-in.",
  });
}
