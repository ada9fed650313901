import type { IncomingMessage, ServerResponse } from "node:http";
import { createInterface } from "node:readline";
import { CodexAuthError, safeOAuthCode, scrubServerText } from "./codex-auth-error.js";
import { bindLoopback, sendPage, type BoundServer } from "./_callback-server.js";
import { createPkcePair, createState, stateMatches } from "./pkce.js";
import type { CodexOAuthSettings } from "./oauth-config.js";
import { exchangeAuthorizationCode, type CodexCredentials } from "./token-client.js";

/** What the caller shows the user once the sign-in is ready. */
export interface AuthorizePrompt {
  /** The page to open in a browser. Contains `state` and the PKCE challenge, not the verifier. */
  url: string;
  /** The redirect URI registered with this attempt (carries the bound port). */
  redirectUri: string;
  /** False when no callback server could be bound and only a pasted answer can finish. */
  callbackListening: boolean;
}

/** Options of {@link loginWithBrowser}. */
export interface BrowserLoginOptions {
  settings: CodexOAuthSettings;
  /** Called once with the authorize URL: print it, open a browser, or (tests) play the browser. */
  onAuthorizeUrl: (prompt: AuthorizePrompt) => void | Promise<void>;
  /**
   * Headless mode: lines read from here may be the full redirect URL (`http://localhost:1455/auth/callback?code=...&state=...`),
   * its query string, `code#state`, or a bare code. It races the callback server.
   */
  manualInput?: NodeJS.ReadableStream;
  /** Where to tell the user a pasted line was not understood. */
  notices?: (line: string) => void;
  /** Start the loopback callback server; default true. Without it `manualInput` is required. */
  callbackServer?: boolean;
  /** Overall limit in ms; default 300 000 (5 min). */
  timeoutMs?: number;
  /** Ctrl-C: closes the server and stops reading input; nothing is returned or saved. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Random byte source for PKCE and state; default crypto.randomBytes. */
  random?: (n: number) => Uint8Array;
  now?: () => number;
}

type Outcome = { ok: true; code: string } | { ok: false; error: CodexAuthError };

/**
 * Sign in through the browser: PKCE S256 + random state, a loopback callback server
 * (127.0.0.1, plus ::1 on the same port where IPv6 exists, so `localhost` works either way)
 * (port 1455, then the fallbacks), and a form POST to exchange the code.
 *
 * A callback whose `state` does not match gets 400 and the login keeps waiting (a stray
 * or forged request must not end a real sign-in); if the login then times out, the error
 * is `oauth_state_mismatch`. Replayed callbacks after the first valid one are ignored.
 * Returns credentials and saves nothing: the caller stores them.
 * @throws CodexAuthError oauth_denied | oauth_missing_code | oauth_state_mismatch | oauth_timeout |
 *   oauth_port_busy | oauth_aborted | token_* errors.
 */
export async function loginWithBrowser(options: BrowserLoginOptions): Promise<CodexCredentials> {
  const { settings } = options;
  const useServer = options.callbackServer ?? true;
  if (!useServer && !options.manualInput) {
    throw new CodexAuthError("oauth_bad_input", "Browser sign-in needs either the callback server or pasted input.", {
      hint: "Enable the callback server, pass manualInput, or use the device-code flow.",
    });
  }
  if (options.signal?.aborted) throw aborted();
  const pkce = createPkcePair(options.random);
  const state = createState(options.random);
  let settle!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  let done = false;
  let sawWrongState = false;
  const finish = (o: Outcome) => {
    if (done) return;
    done = true;
    settle(o);
  };

  const onCallback = (query: URLSearchParams, res?: ServerResponse): void => {
    if (done) {
      if (res) sendPage(res, 409, "Already finished", "This sign-in attempt has already finished. You can close this tab.");
      return;
    }
    if (!stateMatches(state, query.get("state"))) {
      sawWrongState = true;
      if (res) sendPage(res, 400, "State mismatch", "This sign-in link does not belong to the running Genesis login.");
      return;
    }
    const error = query.get("error");
    if (error) {
      const description = (query.get("error_description") ?? "").slice(0, 300);
      if (res) sendPage(res, 400, "Sign-in failed", description ? `${error}: ${description}` : error);
      const safeCode = safeOAuthCode(error) ?? "error";
      // The description is the issuer's (or an attacker's) text: strip control characters,
      // anything that looks like a secret or echoes this attempt's state/verifier, then truncate.
      const shown = scrubServerText(description, [state, pkce.verifier], 120);
      finish({
        ok: false,
        error: new CodexAuthError(
          "oauth_denied",
          `Sign-in was not granted (${safeCode}${shown ? `: ${shown}` : ""}).`,
          { oauthError: safeCode, hint: "Start the sign-in again and approve access in the browser." },
        ),
      });
      return;
    }
    const code = query.get("code");
    if (!code) {
      if (res) sendPage(res, 400, "Missing authorization code", "Sign-in could not be completed. Return to the terminal.");
      finish({ ok: false, error: new CodexAuthError("oauth_missing_code", "Missing authorization code: sign-in could not be completed.", { hint: "Start the sign-in again." }) });
      return;
    }
    if (res) sendPage(res, 200, "Signed in to Genesis", "You can close this tab and return to the terminal.");
    finish({ ok: true, code });
  };

  let bound: BoundServer | undefined;
  const cleanups: (() => void)[] = [];
  try {
    if (useServer) {
      const ports = [settings.callbackPort, ...settings.fallbackPorts.filter((p) => p !== settings.callbackPort)];
      try {
        bound = await bindLoopback(ports, (req: IncomingMessage, res: ServerResponse) => {
          const url = new URL(req.url ?? "/", "http://127.0.0.1");
          if (req.method !== "GET" || url.pathname !== settings.callbackPath) {
            sendPage(res, 404, "Not found", "Nothing here.");
            return;
          }
          onCallback(url.searchParams, res);
        });
      } catch (error) {
        // Headless users can still finish by pasting; everyone else gets the typed error.
        if (!options.manualInput) throw error;
      }
    }
    const redirectPort = bound?.port ?? settings.callbackPort;
    const redirectUri = `http://${settings.redirectHost}:${redirectPort}${settings.callbackPath}`;
    const url = authorizeUrl(settings, redirectUri, pkce.challenge, state);

    if (options.manualInput) cleanups.push(readPasted(options.manualInput, state, onCallback, options.notices));
    const timeoutMs = options.timeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      finish({
        ok: false,
        error: sawWrongState
          ? new CodexAuthError("oauth_state_mismatch", "Sign-in timed out after a callback with a wrong state was rejected.", {
            hint: "Open the newest sign-in link only; links from earlier attempts do not work.",
          })
          : new CodexAuthError("oauth_timeout", `Login timed out after ${Math.round(timeoutMs / 1000)} s without an answer from the browser.`, {
            hint: "Run the login again, or use `--device-code` on machines without a browser.",
          }),
      });
    }, timeoutMs);
    cleanups.push(() => clearTimeout(timer));
    if (options.signal) {
      const onAbort = () => finish({ ok: false, error: aborted() });
      options.signal.addEventListener("abort", onAbort, { once: true });
      cleanups.push(() => options.signal!.removeEventListener("abort", onAbort));
    }

    await options.onAuthorizeUrl({ url, redirectUri, callbackListening: bound !== undefined });
    const result = await outcome;
    if (!result.ok) throw result.error;
    return await exchangeAuthorizationCode({
      settings,
      code: result.code,
      verifier: pkce.verifier,
      redirectUri,
      fetch: options.fetch,
      signal: options.signal,
      now: options.now,
    });
  } finally {
    done = true;
    for (const cleanup of cleanups) cleanup();
    await bound?.close();
  }
}

/** The issuer's authorize URL for this attempt. */
export function authorizeUrl(settings: CodexOAuthSettings, redirectUri: string, challenge: string, state: string): string {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    scope: settings.scope,
    code_challenge: challenge,
    code_challenge_method: "S256",
    id_token_add_organizations: "true",
    codex_cli_simplified_flow: "true",
    state,
    originator: settings.originator,
  });
  return `${settings.issuer}/oauth/authorize?${params.toString()}`;
}

function aborted(): CodexAuthError {
  return new CodexAuthError("oauth_aborted", "Sign-in was cancelled; nothing was saved.");
}

/** Interpret one pasted line as callback parameters, or undefined when it is not one. */
export function parsePastedAnswer(line: string, expectedState: string): URLSearchParams | undefined {
  const text = line.trim();
  if (!text) return undefined;
  if (/^https?:\/\//i.test(text)) {
    try {
      return new URL(text).searchParams;
    } catch {
      return undefined;
    }
  }
  if (text.includes("code=") || text.includes("error=")) return new URLSearchParams(text.replace(/^[?#]/, ""));
  const hash = text.indexOf("#");
  if (hash > 0) return new URLSearchParams({ code: text.slice(0, hash), state: text.slice(hash + 1) });
  // A bare code: the user copied it themselves, so there is no forged-callback risk to guard with state.
  if (/^[\w.~-]{8,}$/.test(text)) return new URLSearchParams({ code: text, state: expectedState });
  return undefined;
}

function readPasted(
  input: NodeJS.ReadableStream,
  state: string,
  onCallback: (query: URLSearchParams) => void,
  notices: ((line: string) => void) | undefined,
): () => void {
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  rl.on("line", (line) => {
    const query = parsePastedAnswer(line, state);
    if (!query) {
      notices?.("That is not a redirect URL or code; paste the full URL from the browser's address bar.");
      return;
    }
    if (!stateMatches(state, query.get("state"))) {
      notices?.("That redirect URL belongs to another sign-in attempt; paste the newest one.");
      return;
    }
    onCallback(query);
  });
  return () => rl.close();
}
