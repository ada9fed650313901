/** The package version, injected at build time by tsup (see tools/tsup-preset.ts). */
declare const __GENESIS_VERSION__: string;
