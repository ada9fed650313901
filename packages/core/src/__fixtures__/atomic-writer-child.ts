// Child for the crash-consistency test: rewrite argv[2] forever until SIGKILLed.
import { writeFileAtomic } from "../_atomic-file.js";

const target = process.argv[2]!;
let n = 0;
for (;;) {
  n++;
  await writeFileAtomic(target, JSON.stringify({ n, pad: "x".repeat((n * 7919) % 4096) }));
  if (n === 1) process.stdout.write("ready\n");
}
