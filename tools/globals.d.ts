/** The package version, injected at build time by tsup (see tools/tsup-preset.ts). */
declare const __GENESIS_VERSION__: string;
/** Hash of the config schema sources, injected at build time (see tools/schema-fingerprint.ts). */
declare const __GENESIS_SCHEMA_FINGERPRINT__: string;
