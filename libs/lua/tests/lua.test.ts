// dist/lua/lua.wasm, Lua 5.4 with LuaSocket linked in, built from the same libs and executors as
// python.wasm: run by `pywasi run` and by real WasmEdge 0.14.1 (which needs
// --enable-exception-handling: Lua's errors are setjmp/longjmp, which the sysroot implements with
// wasm exceptions). Native peers are started here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCollecting, type CollectedRun } from '../../../tools/testing/run-collecting.ts';
import { obtainWasmEdge } from '../../../tools/testing/wasmedge.ts';
import { workspaceRoot } from '../../../tools/testing/nx.ts';

const LUA = join(workspaceRoot, 'dist/lua/lua.wasm');
const CLI = join(workspaceRoot, 'apps/cli/bin/pywasi.js');

interface Host {
  name: string;
  /** The command line running lua.wasm with `args`, `dir` mounted at the same path. */
  argv(args: string[], dir?: string): string[];
}

let wasmedgeCommand: string[] = [];
const HOSTS: Host[] = [
  { name: 'pywasi run', argv: (args, dir) => [process.execPath, CLI, 'run', ...(dir ? ['--dir', dir] : []), '--', LUA, ...args] },
  {
    name: 'WasmEdge 0.14.1',
    argv: (args, dir) => [...wasmedgeCommand, '--enable-exception-handling', ...(dir ? ['--dir', `${dir}:${dir}`] : []), LUA, ...args],
  },
];

type Run = CollectedRun;

/** Runs lua.wasm; `onStdout` sees the output so far (a server prints its port, then serves). */
function lua(host: Host, args: string[], opts: { dir?: string; onStdout?: (text: string) => void; timeoutMs?: number } = {}): Promise<Run> {
  return runCollecting(host.argv(args, opts.dir), { cwd: workspaceRoot, timeoutMs: 30_000, ...opts });
}

function expectOk(run: Run): void {
  if (run.code !== 0) throw new Error(`lua.wasm exited ${run.code}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`);
}

function listen(server: net.Server | http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

const closeServer = (server: net.Server | http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Runs `code`, a server that prints "port N" once it listens; `talk` then runs the native
 * side against that port. Returns the guest's run and what `talk` gets (to await after checking
 * the run). */
async function serve<T>(host: Host, code: string, talk: (port: number) => Promise<T>): Promise<{ run: Run; answer: Promise<T> }> {
  let answer: Promise<T> | undefined;
  const run = await lua(host, ['-e', code], {
    onStdout: (text) => {
      const match = /port (\d+)\n/.exec(text);
      if (match && !answer) {
        answer = talk(Number(match[1]));
        answer.catch(() => {}); // awaited by the test, after the run
      }
    },
  });
  if (!answer) throw new Error(`the guest never printed its port\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`);
  return { run, answer };
}

/** One native client: sends `line`, resolves with the first line it gets back. */
function ask(port: number, line: string, delayMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => setTimeout(() => socket.write(`${line}\n`), delayMs));
    let got = '';
    socket.setEncoding('utf8').on('data', (d: string) => {
      got += d;
      if (got.includes('\n')) {
        socket.end();
        resolve(got.split('\n')[0]!);
      }
    });
    socket.on('error', reject);
  });
}

let work = '';

beforeAll(async () => {
  const edge = await obtainWasmEdge((line) => console.log(line));
  wasmedgeCommand = [edge.command, ...edge.args];
  work = mkdtempSync(join(tmpdir(), 'pywasi-lua-'));
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(HOSTS.map((host) => [host.name, host] as const))('lua.wasm under %s', (_name, host) => {
  test('-e code: errors unwind through pcall (setjmp/longjmp), coroutines, string and math', async () => {
    const code = [
      'local ok, err = pcall(function() error({ code = 42 }) end)',
      'print("pcall", ok, err.code)',
      'print("nested", select(2, pcall(function() local _, e = pcall(error, "inner"); error(e .. "+outer", 0) end)))',
      'local co = coroutine.wrap(function(a) local b = coroutine.yield(a * 2); return a + b end)',
      'print("coroutine", co(5), co(10))',
      'print("string", ("%s-%d"):format("lua", 54), #string.rep("x", 1000))',
      'print("xpcall", xpcall(function() return nil + 1 end, function(m) return "handled: " .. m end))',
    ].join('\n');
    const run = await lua(host, ['-e', code]);
    expectOk(run);
    expect(run.stdout).toContain('pcall\tfalse\t42\n');
    expect(run.stdout).toContain('nested\tinner+outer\n');
    expect(run.stdout).toContain('coroutine\t10\t15\n');
    expect(run.stdout).toContain('string\tlua-54\t1000\n');
    expect(run.stdout).toMatch(/xpcall\tfalse\thandled: .*attempt to perform arithmetic on a nil value/);
  }, 60_000);

  test('a script file in a mounted directory, with arguments; an uncaught error exits 1', async () => {
    const script = join(work, 'script.lua');
    writeFileSync(script, 'print("args", #arg, arg[1], arg[2])\nlocal f = assert(io.open(arg[0]:gsub("script.lua$", "out.txt"), "w"))\nf:write("written by lua")\nf:close()\n');
    const run = await lua(host, [script, 'one', 'two'], { dir: work });
    expectOk(run);
    expect(run.stdout).toBe('args\t2\tone\ttwo\n');
    const failing = await lua(host, ['-e', 'error("deliberate")']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('deliberate');
  }, 60_000);

  test('name lookup of localhost', async () => {
    const run = await lua(host, ['-e', 'local socket = require("socket"); local ip = socket.dns.toip("localhost"); print("toip", ip); for _, a in ipairs(socket.dns.getaddrinfo("localhost")) do if a.family == "inet" then print("addrinfo", a.addr) end end']);
    expectOk(run);
    expect(run.stdout).toContain('toip\t127.0.0.1\n');
    expect(run.stdout).toContain('addrinfo\t127.0.0.1\n');
  }, 60_000);

  test('LuaSocket HTTP client (socket.http) fetches from a native HTTP server; a refused connect says so', async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`hello ${req.method} ${req.url} from node`);
    });
    const port = await listen(server);
    const closed = net.createServer();
    const closedPort = await listen(closed);
    await closeServer(closed);
    try {
      const code = [
        'local http = require("socket.http")',
        `local body, status = http.request("http://127.0.0.1:${port}/lua?x=1")`,
        'print("status", status)',
        'print("body", body)',
        `print("refused", select(2, require("socket").connect("127.0.0.1", ${closedPort})))`,
      ].join('\n');
      const run = await lua(host, ['-e', code]);
      expectOk(run);
      expect(run.stdout).toContain('status\t200\n');
      expect(run.stdout).toContain('body\thello GET /lua?x=1 from node\n');
      expect(run.stdout).toContain('refused\tconnection refused\n');
    } finally {
      await closeServer(server);
    }
  }, 60_000);

  test('a LuaSocket server answers a native client', async () => {
    const code = [
      'local socket = require("socket")',
      'local server = assert(socket.bind("127.0.0.1", 0))',
      'print("port " .. select(2, server:getsockname())); io.stdout:flush()',
      'local client = assert(server:accept())',
      'local line = assert(client:receive("*l"))',
      'assert(client:send("echo: " .. line .. "\\n"))',
      'client:close()',
      'print("served", line)',
    ].join('\n');
    const { run, answer } = await serve(host, code, (port) => ask(port, 'hi from node'));
    expectOk(run);
    expect(await answer).toBe('echo: hi from node');
    expect(run.stdout).toContain('served\thi from node\n');
  }, 60_000);

  test('socket.select serves several native clients at once, in the order they speak', async () => {
    const code = [
      'local socket = require("socket")',
      'local server = assert(socket.bind("127.0.0.1", 0))',
      'print("port " .. select(2, server:getsockname())); io.stdout:flush()',
      'local clients, served = {}, {}',
      'while #served < 3 do',
      '  local readable = socket.select({ server, table.unpack(clients) }, nil, 20)',
      '  for _, s in ipairs(readable) do',
      '    if s == server then clients[#clients + 1] = assert(server:accept())',
      '    else',
      '      local line, err = s:receive("*l")',
      '      if line then s:send(line:upper() .. "\\n"); served[#served + 1] = line end',
      '      if err == "closed" or line then',
      '        for i, c in ipairs(clients) do if c == s then table.remove(clients, i); break end end',
      '        s:close()',
      '      end',
      '    end',
      '  end',
      'end',
      'print("order", table.concat(served, ","))',
    ].join('\n');
    // All three connect at once; they speak after different delays, not in connection order.
    const { run, answer } = await serve(host, code, (port) => Promise.all([ask(port, 'c', 600), ask(port, 'a', 0), ask(port, 'b', 300)]));
    expectOk(run);
    expect(await answer).toEqual(['C', 'A', 'B']);
    expect(run.stdout).toContain('order\ta,b,c\n');
  }, 60_000);
});
