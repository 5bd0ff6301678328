// The WASM executor's runner: Pyodide (CPython compiled to WebAssembly) inside Deno.
// Usage: deno run --allow-read=<pyodide dir>,<this file> --no-prompt wasm_runner.mjs <pyodide dir>
//
// Python runs in a Worker so that the main thread stays free to stop it: on SIGUSR2 (sent by the
// host when code passes its time limit) the main thread writes SIGINT into Pyodide's interrupt
// buffer, a SharedArrayBuffer that Python polls, and the code gets a KeyboardInterrupt with its
// interpreter and variables intact. (SIGUSR1 would open V8's inspector: it is not used.)
// In the Worker, the first stdin line carries the kernel's sources (see bootstrap.py); after that,
// stdin/stdout carry the executor protocol, read and written synchronously so that tool calls from
// Python can block.

const SIGINT = 2;

if (self.name !== "pyodide") {
  const interrupt = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(import.meta.url, { type: "module", name: "pyodide" });
  Deno.addSignalListener("SIGUSR2", () => Atomics.store(interrupt, 0, SIGINT));
  worker.onmessage = (event) => Deno.exit(event.data.exit);
  worker.onerror = (event) => {
    event.preventDefault();
    console.error(`wasm runner: ${event.message}`);
    Deno.exit(1);
  };
  worker.postMessage({ interrupt, pyodideDir: Deno.args[0].replace(/\/$/, "") });
} else {
  self.onmessage = async (event) => {
    const { interrupt, pyodideDir } = event.data;
    const { loadPyodide } = await import(`file://${pyodideDir}/pyodide.mjs`);
    const quiet = () => {};
    const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/`, stdout: quiet, stderr: quiet });
    serve(pyodide, interrupt);
    self.postMessage({ exit: 0 });
  };
}

function lineReader() {
  const decoder = new TextDecoder();
  const chunk = new Uint8Array(1 << 16);
  let pending = new Uint8Array(0);
  return () => {
    for (;;) {
      const end = pending.indexOf(10);
      if (end >= 0) {
        const line = decoder.decode(pending.subarray(0, end));
        pending = pending.slice(end + 1);
        return line;
      }
      const count = Deno.stdin.readSync(chunk);
      if (count === null || count === 0) return null;
      const grown = new Uint8Array(pending.length + count);
      grown.set(pending);
      grown.set(chunk.subarray(0, count), pending.length);
      pending = grown;
    }
  };
}

function writeLine(text) {
  const data = new TextEncoder().encode(text + "\n");
  let written = 0;
  while (written < data.length) written += Deno.stdout.writeSync(data.subarray(written));
}

function serve(pyodide, interrupt) {
  const readLine = lineReader();
  // Interrupts reach Python only while model code runs (armed), never the kernel's own bookkeeping.
  const arm = (clear) => {
    if (clear) Atomics.store(interrupt, 0, 0); // a late signal of an earlier run must not stop this one
    pyodide.setInterruptBuffer(interrupt);
  };
  const disarm = () => pyodide.setInterruptBuffer(undefined);
  pyodide.registerJsModule("smolagents_host", { read_line: readLine, write_line: writeLine, arm, disarm });
  pyodide.globals.set("boot_text", readLine());
  pyodide.runPython(`
import json, sys, types
from smolagents_host import arm, disarm, read_line, write_line

boot = json.loads(boot_text)
for name in ("serialization", "smolagents_kernel"):
    module = types.ModuleType(name)
    exec(compile(boot[name], name + ".py", "exec"), module.__dict__)
    sys.modules[name] = module
kernel = sys.modules["smolagents_kernel"]
args = json.loads(boot["args"])


class HostTransport:
    def read_line(self):
        line = read_line()
        return b"" if line is None else line.encode()

    def write_line(self, data):
        write_line(data.decode())


class GuardedChannel(kernel.Channel):
    # An interrupt inside a tool call would leave the host's reply unread: it waits for the return.
    def call(self, tool, args, kwargs):
        disarm()
        try:
            return super().call(tool, args, kwargs)
        finally:
            arm(False)


class InterruptibleEngine(kernel.PlainEngine):
    def run(self, code, timeout):
        arm(True)
        try:
            return super().run(code, timeout)
        except KeyboardInterrupt:  # it landed after the code, in the engine's own steps
            raise kernel.RunFailure(f"Code execution stopped: it ran longer than its {timeout} seconds.", "", None, "timeout")
        finally:
            disarm()


engine = InterruptibleEngine(args.get("max_print_outputs_length"), host_interrupts=True)
kernel.serve(GuardedChannel(HostTransport()), engine, {"engine": "pyodide", "interruptible": True})
`);
}
