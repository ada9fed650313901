import {
  ApiError,
  AuthenticationError,
  PermissionError,
  RateLimitError,
  UsageLimitError,
  type AttemptRecord,
  type WireKind,
} from "./errors.js";

const USAGE_LIMIT_CODES = new Set(["usage_limit_reached", "usage_not_included"]);
const SECRET_HEADER = /authorization|api-key|apikey|token|cookie|secret|password/i;

/** Header values that must never appear in errors or logs (plus the bare token of `Bearer x`). */
export function secretsOf(headers: Record<string, string>): string[] {
  const out: string[] = [];
  for (const name in headers) {
    if (!SECRET_HEADER.test(name)) continue;
    const value = headers[name]!;
    out.push(value);
    const space = value.indexOf(" ");
    if (space > 0) out.push(value.slice(space + 1));
  }
  return out;
}

/** The parsed `{error: {...}}` body of an error answer (fields we use). */
export interface ErrorBody {
  code?: string;
  message?: string;
  type?: string;
  planType?: string;
  resetsAt?: number;
}

/** Parse an error answer's body; tolerant of non-JSON bodies. */
export function parseErrorBody(text: string): ErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: text.slice(0, 300) };
  }
  const root = (parsed ?? {}) as Record<string, any>;
  const e = (typeof root.error === "object" && root.error !== null ? root.error : root) as Record<string, any>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const resets = e.resets_at ?? root.resets_at;
  return {
    code: str(e.code) ?? str(e.type),
    message: str(e.message) ?? (typeof root.error === "string" ? root.error : undefined),
    type: str(e.type),
    planType: str(e.plan_type) ?? str(root.plan_type),
    resetsAt: typeof resets === "number" ? resets : typeof resets === "string" && resets !== "" ? Number(resets) : undefined,
  };
}

/** True when the answer is a ChatGPT plan usage limit (never retried). */
export function isUsageLimit(status: number, body: ErrorBody): boolean {
  if (body.code && USAGE_LIMIT_CODES.has(body.code)) return true;
  return status === 429 && (body.planType !== undefined || body.resetsAt !== undefined);
}

/** Everything needed to type an error answer. */
export interface HttpFailure {
  status: number;
  body: ErrorBody;
  requestId: string | undefined;
  retryAfterMs: number | undefined;
  attempts: AttemptRecord[];
  transport: WireKind;
  secrets: string[];
  now: number;
}

/** Map a final error answer to the matching typed error. */
export function errorFromStatus(f: HttpFailure): ApiError {
  const { status, body } = f;
  const fields = {
    serverCode: body.code,
    requestId: f.requestId,
    attempts: f.attempts,
    transport: f.transport,
    secrets: f.secrets,
  };
  if (isUsageLimit(status, body)) {
    return new UsageLimitError({ ...fields, status, plan: body.planType, resetsAt: body.resetsAt, now: f.now });
  }
  const tries = f.attempts.length > 1 ? ` after ${f.attempts.length} attempts` : "";
  const message = `HTTP ${status}${body.code ? ` ${body.code}` : ""}${tries}: ${body.message ?? "no message"}`;
  if (status === 401) return new AuthenticationError(message, fields);
  if (status === 403) return new PermissionError(message, fields);
  if (status === 429) return new RateLimitError(message, { ...fields, retryAfterMs: f.retryAfterMs });
  return new ApiError(message, { ...fields, status });
}

/** The errno-style code of a fetch failure (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, ...). */
export function causeCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
}

/** A short reason for a failed fetch (undici hides the errno in `cause`). */
export function describeCause(error: unknown): string {
  const code = causeCode(error);
  if (code) return code;
  const cause = (error as { cause?: { message?: string } })?.cause;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
