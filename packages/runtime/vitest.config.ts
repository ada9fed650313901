import { preset } from "../../tools/vitest-preset";

export default preset();
