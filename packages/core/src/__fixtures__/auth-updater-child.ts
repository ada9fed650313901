// Child for the concurrency test: increment a counter profile argv[3] times in the store at argv[2].
import { openAuthStore } from "../auth-store.js";

const store = openAuthStore({ home: process.argv[2]!, lockTimeoutMs: 20_000 });
const times = Number(process.argv[3]);
for (let i = 0; i < times; i++) {
  await store.update((current) => {
    const before = current.profiles.counter;
    const value = before?.kind === "api_key" ? Number(before.key) : 0;
    current.profiles.counter = { kind: "api_key", provider: "counter", key: String(value + 1), createdAt: Date.now() };
    return { next: current, result: undefined };
  });
}
