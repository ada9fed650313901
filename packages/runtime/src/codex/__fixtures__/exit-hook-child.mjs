// Child process for the no-orphan tests: starts an app-server through the bundled harness and
// prints its pid. Mode "exit" then exits without closing it (the exit hook must kill it);
// mode "hang" stays alive until the test SIGKILLs it (no hook runs; the server sees EOF).
const [bundle, bin, home, mode = "exit"] = process.argv.slice(2);
const { AppServerProcess } = await import(bundle);
const proc = AppServerProcess.start({ bin, codexHome: home });
await proc.request("initialize", { clientInfo: { name: "genesis", title: null, version: "0" }, capabilities: null });
process.stdout.write(`${proc.pid}\n`);
if (mode === "exit") process.exit(0);
setInterval(() => {}, 1_000);
