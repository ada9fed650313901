import { defineConfig } from "tsup";
import { preset } from "../../tools/tsup-preset";

// Two entries: `index` (everything) and `tool-spec` (the tool's name, description and JSON
// Schema, importing nothing), so agents can offer the tool without loading the package.
export default defineConfig(preset(import.meta.dirname, { entry: ["src/index.ts", "src/tool-spec.ts"] }));
