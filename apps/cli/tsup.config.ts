import { defineConfig } from "tsup";
import { preset } from "../../tools/tsup-preset";

// One small entry; every command is its own chunk, loaded only when that command runs.
export default defineConfig(
  preset(import.meta.dirname, {
    entry: { genesis: "src/main.ts" },
    dts: false,
    banner: { js: "#!/usr/bin/env node" },
  }),
);
