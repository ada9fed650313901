import { defineConfig } from "tsup";
import { preset } from "../../tools/tsup-preset";

// Two entries sharing chunks: `index` (everything) and `lite` (no zod at import time, for
// fast-starting CLI commands; see src/lite.ts).
export default defineConfig(preset(import.meta.dirname, { entry: ["src/index.ts", "src/lite.ts"] }));
