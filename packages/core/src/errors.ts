const MARKER = Symbol.for("genesis.error");

/** Options accepted by every Genesis error. */
export interface GenesisErrorOptions {
  /** The underlying error, kept for debugging; never rendered into `message`. */
  cause?: unknown;
  /** One sentence telling the user how to fix the problem. */
  hint?: string;
}

/**
 * Base class of every error Genesis throws on purpose.
 *
 * `code` is stable across releases and safe to branch on; `message` is for people.
 * Messages never contain secrets: build them from redacted values only
 * (see {@link redactSecrets}).
 */
export class GenesisError extends Error {
  /** Stable machine-readable code, e.g. `config_invalid`. */
  readonly code: string;
  /** How to fix it, when known. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: GenesisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** True for any Genesis error, including ones from another copy of this package. */
  static isInstance(value: unknown): value is GenesisError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  /** Message plus hint, the way the CLI prints it. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** A config file or value is wrong. `path` is the dotted config path when one applies. */
export class ConfigError extends GenesisError {
  readonly path: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(
    code: string,
    message: string,
    fields: { path?: string; file?: string; line?: number; column?: number } & GenesisErrorOptions = {},
  ) {
    super(code, message, fields);
    this.path = fields.path;
    this.file = fields.file;
    this.line = fields.line;
    this.column = fields.column;
  }
}

/** A per-call option or argument is wrong (programmer or CLI usage error). */
export class ValidationError extends GenesisError {
  readonly path: string | undefined;
  constructor(message: string, fields: { path?: string; code?: string } & GenesisErrorOptions = {}) {
    super(fields.code ?? "invalid_argument", message, fields);
    this.path = fields.path;
  }
}

/** A model ref cannot be routed (unknown, excluded, or missing what its route needs). */
export class RouteError extends GenesisError {
  readonly ref: string | undefined;
  constructor(code: string, message: string, fields: { ref?: string } & GenesisErrorOptions = {}) {
    super(code, message, fields);
    this.ref = fields.ref;
  }
}

/** Credentials are missing, expired, corrupt or rejected. */
export class AuthError extends GenesisError {
  readonly provider: string | undefined;
  constructor(code: string, message: string, fields: { provider?: string } & GenesisErrorOptions = {}) {
    super(code, message, fields);
    this.provider = fields.provider;
  }
}
