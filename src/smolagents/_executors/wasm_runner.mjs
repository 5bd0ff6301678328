// The WASM executor's runner: Pyodide (CPython compiled to WebAssembly) inside Deno.
// Usage: deno run --allow-read=<pyodide dir> --no-prompt wasm_runner.mjs <pyodide dir>
// The first stdin line carries the kernel's sources (see bootstrap.py); after that, stdin/stdout carry
// the executor protocol, read and written synchronously so that tool calls from Python can block.
const pyodideDir = Deno.args[0].replace(/\/$/, "");
const { loadPyodide } = await import(`file://${pyodideDir}/pyodide.mjs`);
const quiet = () => {};
const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/`, stdout: quiet, stderr: quiet });

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let pending = new Uint8Array(0);
const chunk = new Uint8Array(1 << 16);

function readLine() {
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
}

function writeLine(text) {
  const data = encoder.encode(text + "\n");
  let written = 0;
  while (written < data.length) written += Deno.stdout.writeSync(data.subarray(written));
}

pyodide.registerJsModule("smolagents_host", { read_line: readLine, write_line: writeLine });
pyodide.globals.set("boot_text", readLine());
pyodide.runPython(`
import json, sys, types
from smolagents_host import read_line, write_line

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


kernel.serve(kernel.Channel(HostTransport()), kernel.PlainEngine(args.get("max_print_outputs_length")), {"engine": "pyodide"})
`);
