// Line editing through /dev/pywasi-readline (src/tty/): the message encoding, the history file,
// the guest-side device over a fake channel, and the service on a fake terminal, driven as
// Lib/readline.py drives it.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import type { Request } from '../src/channel/channel.ts';
import type { OpCodec } from '../src/channel/codec.ts';
import { Ops } from '../src/channel/ops.ts';
import { Errno } from '../src/errno.ts';
import { WasiError } from '../src/fs/device.ts';
import { defaultHistoryFile, loadHistory, saveHistory } from '../src/tty/history-file.ts';
import { InputGate, pieceEnd } from '../src/tty/input-gate.ts';
import { LineTail } from '../src/tty/line-tail.ts';
import { createReadlineDevice, type ReadlineChannel } from '../src/tty/readline-device.ts';
import {
  decodeGuestMessage,
  decodeHostReply,
  encodeGuestMessage,
  encodeHostReply,
  newestThatFit,
  ProtocolError,
  type GuestMessage,
  type HostReply,
} from '../src/tty/readline-protocol.ts';
import { ReadlineService } from '../src/tty/readline-service.ts';
import type { Terminal, TerminalOutput } from '../src/tty/terminal.ts';

describe('readline protocol', () => {
  const guest: GuestMessage[] = [
    { kind: 'hello' },
    { kind: 'prompt', prompt: '>>> ', preset: '', tabCompletes: true },
    { kind: 'prompt', prompt: 'naïve? ', preset: 'pre set', tabCompletes: false },
    { kind: 'matches', text: 'os.pa', matches: ['os.pardir', 'os.path'] },
    { kind: 'matches', text: 'zz', matches: [] },
    { kind: 'matches', text: '', matches: [''] },
    { kind: 'add', entry: 'x = 41' },
    { kind: 'history', entries: [] },
    { kind: 'history', entries: ['a', '', 'ü'] },
  ];
  test.each(guest.map((m) => [JSON.stringify(m), m] as const))('guest message %s round-trips', (_name, m) => {
    expect(decodeGuestMessage(encodeGuestMessage(m))).toEqual(m);
  });
  const host: HostReply[] = [
    { kind: 'line', line: 'x + 1' },
    { kind: 'line', line: '' },
    { kind: 'eof' },
    { kind: 'interrupt' },
    { kind: 'complete', before: 'impo', after: ')' },
    { kind: 'history', entries: ['one', 'two'] },
    { kind: 'ok' },
  ];
  test.each(host.map((r) => [JSON.stringify(r), r] as const))('host reply %s round-trips', (_name, r) => {
    expect(decodeHostReply(encodeHostReply(r))).toEqual(r);
  });
  test('the bytes are the documented ones', () => {
    expect(encodeGuestMessage({ kind: 'prompt', prompt: '>>> ', preset: 'x', tabCompletes: true }).toString()).toBe('Pc>>> \0x');
    expect(encodeGuestMessage({ kind: 'matches', text: 'im', matches: ['import ', 'in '] }).toString()).toBe('Mim\0import \0in \0');
    expect(encodeHostReply({ kind: 'complete', before: 'a b', after: 'c' }).toString()).toBe('Ca b\0c');
    expect(encodeHostReply({ kind: 'history', entries: ['a', 'b'] }).toString()).toBe('Ha\0b\0');
  });
  test.each([
    ['empty', ''],
    ['unknown kind', 'Z'],
    ['G with a payload', 'Gx'],
    ['P without its Tab flag', 'P>>> \0'],
    ['P without the preset separator', 'Pc>>> '],
    ['M without the text separator', 'Mabc'],
    ['an unterminated list item', 'Ha\0b'],
  ])('%s is a protocol error', (_name, text) => {
    expect(() => decodeGuestMessage(Buffer.from(text))).toThrow(ProtocolError);
  });
  test('invalid UTF-8 is a protocol error', () => {
    expect(() => decodeGuestMessage(Uint8Array.from([0x41, 0xff]))).toThrow(ProtocolError);
  });
  test('newestThatFit keeps the newest entries within the byte budget', () => {
    expect(newestThatFit(['aaaa', 'bb', 'cc'], 1 + 3 + 3)).toEqual(['bb', 'cc']);
    expect(newestThatFit(['aaaa', 'bb', 'cc'], 1000)).toEqual(['aaaa', 'bb', 'cc']);
    expect(newestThatFit(['aaaa'], 3)).toEqual([]);
  });
});

describe('history file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pywasi-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('default location follows XDG_STATE_HOME, else ~/.local/state', () => {
    expect(defaultHistoryFile({ XDG_STATE_HOME: '/s' }, '/home/u')).toBe('/s/pywasi/python_history');
    expect(defaultHistoryFile({}, '/home/u')).toBe('/home/u/.local/state/pywasi/python_history');
    expect(defaultHistoryFile({ XDG_STATE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.local/state/pywasi/python_history');
  });
  test('round trip, newest kept, private mode, nothing left behind', () => {
    const file = path.join(dir, 'deep', 'er', 'history');
    expect(loadHistory(file)).toEqual([]);
    saveHistory(file, ['one', 'two', 'bad\nentry', '', 'three'], 2);
    expect(readFileSync(file, 'utf8')).toBe('two\nthree\n');
    expect(loadHistory(file)).toEqual(['two', 'three']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['history']);
    saveHistory(file, ['x'], 0);
    expect(loadHistory(file)).toEqual([]);
  });
  test('a file that cannot be read is an error, not an empty history', () => {
    expect(() => loadHistory(dir)).toThrow();
  });
});

/** The guest's end of the channel, answered by `serve` as the event loop would. */
function fakeChannel(serve: (message: Buffer) => Buffer | number): ReadlineChannel & { calls: number[][] } {
  const data = Buffer.alloc(64);
  const calls: number[][] = [];
  const call = (op: OpCodec, request: { len: number }) => {
    calls.push([op.code, request.len]);
    const reply = serve(Buffer.from(data.subarray(0, request.len)));
    if (typeof reply === 'number') return [reply, undefined];
    reply.copy(data);
    return [0, { len: reply.length }];
  };
  return { data, calls, sync: () => {}, call: call as unknown as ReadlineChannel['call'] };
}

describe('readline device (guest side)', () => {
  test('a write is one request; its reply is read until a short read', () => {
    const channel = fakeChannel((m) => Buffer.from(`L${m.toString().slice(1)}-reply`));
    const device = createReadlineDevice(channel);
    expect(device.write(Buffer.from('Pc>>> \0'))).toBe(7);
    expect(channel.calls).toEqual([[Ops.readline.code, 7]]);
    const buf = Buffer.alloc(4);
    const got: string[] = [];
    for (;;) {
      const n = device.read(buf);
      got.push(buf.toString('utf8', 0, n));
      if (n < buf.length) break;
    }
    expect(got.join('')).toBe('Lc>>> \0-reply');
    expect(device.read(buf)).toBe(0);
  });
  test('a reply of exactly the read size ends with a 0-byte read', () => {
    const device = createReadlineDevice(fakeChannel(() => Buffer.from('KKKK')));
    device.write(Buffer.from('G'));
    const buf = Buffer.alloc(4);
    expect(device.read(buf)).toBe(4);
    expect(device.read(buf)).toBe(0);
  });
  test('an errno from the event loop fails the write', () => {
    const device = createReadlineDevice(fakeChannel(() => Errno.INVAL));
    expect(() => device.write(Buffer.from('Z'))).toThrow(expect.objectContaining({ errno: Errno.INVAL }));
    expect(device.read(Buffer.alloc(8))).toBe(0);
  });
  test("a prompt starts with the guest's unfinished terminal line", () => {
    const channel = fakeChannel((m) => Buffer.from(`L${m.toString()}`));
    const tail = new LineTail();
    const device = createReadlineDevice(channel, tail);
    const reply = () => {
      const buf = Buffer.alloc(64);
      return buf.toString('utf8', 0, device.read(buf));
    };
    tail.note(Buffer.from('done\nName: '));
    device.write(Buffer.from('Pc\0'));
    expect(reply()).toBe('LPcName: \0');
    device.write(Buffer.from('Pc>>> \0'));
    expect(reply()).toBe('LPc>>> \0'); // taken once: the editor ended that line
    tail.note(Buffer.from('x'));
    device.write(Buffer.from('A1'));
    expect(reply()).toBe('LA1');
  });
  test('a request larger than the channel is EMSGSIZE', () => {
    const device = createReadlineDevice(fakeChannel(() => Buffer.from('K')));
    let error: unknown;
    try {
      device.write(Buffer.alloc(65, 0x41));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasiError);
    expect((error as WasiError).errno).toBe(Errno.MSGSIZE);
  });
});

describe('line tail', () => {
  test('keeps what follows the last line break, across writes', () => {
    const tail = new LineTail();
    tail.note(Buffer.from('one\ntw'));
    tail.note(Buffer.from('o: '));
    expect(tail.take()).toBe('two: ');
    expect(tail.take()).toBe('');
    tail.note(Buffer.from('50%\r75%'));
    expect(tail.take()).toBe('75%');
    tail.note(Buffer.from('line\n'));
    expect(tail.take()).toBe('');
  });
  test('an unfinished line too long to redraw is dropped until the next line break', () => {
    const tail = new LineTail();
    tail.note(Buffer.alloc(5000, 0x78));
    tail.note(Buffer.from('more'));
    expect(tail.take()).toBe('');
    tail.note(Buffer.alloc(5000, 0x78));
    tail.note(Buffer.from('\nok'));
    expect(tail.take()).toBe('ok');
  });
});

describe('input gate', () => {
  test('pieces end after Enter, Ctrl-C or Ctrl-D', () => {
    expect(pieceEnd(Buffer.from('abc'))).toBe(3);
    expect(pieceEnd(Buffer.from('ab\rcd'))).toBe(3);
    expect(pieceEnd(Buffer.from('\x1b[Ax\n'))).toBe(5);
    expect(pieceEnd(Buffer.from('a\x03b'))).toBe(2);
    expect(pieceEnd(Buffer.from('\x04'))).toBe(1);
    expect(pieceEnd(Buffer.from('é\r'))).toBe(3);
  });
  test('input waits while paused and flows, piece by piece, after resume', async () => {
    const pieces = [Buffer.from('a\r'), Buffer.from('b\r')];
    const raw: boolean[] = [];
    const gate = new InputGate(() => pieces.shift() ?? null, (r) => raw.push(r));
    const seen: string[] = [];
    gate.on('data', (d: Buffer) => {
      seen.push(d.toString());
      gate.pause();
    });
    gate.pump();
    await Promise.resolve();
    expect(seen).toEqual([]);
    gate.resume();
    await Promise.resolve();
    expect(seen).toEqual(['a\r']);
    gate.resume();
    await Promise.resolve();
    expect(seen).toEqual(['a\r', 'b\r']);
    gate.setRawMode(true);
    expect(raw).toEqual([true]);
    expect(gate.isRaw).toBe(true);
  });
});

/** A terminal whose keyboard is a test: bytes typed while nobody reads stay in it. */
class FakeTerminal implements Terminal {
  screen = '';
  raw = false;
  closed = false;
  suspended = 0;
  readonly output: TerminalOutput;
  private reader: ((chunk: Uint8Array) => void) | null = null;
  private unread: Buffer[] = [];
  constructor() {
    const output = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.screen += chunk.toString();
        done();
      },
    }) as Writable & { columns?: number };
    output.columns = 80;
    this.output = output;
  }
  get reading(): boolean {
    return this.reader !== null;
  }
  start(onData: (chunk: Uint8Array) => void): void {
    this.reader = onData;
    const unread = this.unread;
    this.unread = [];
    for (const chunk of unread) onData(chunk);
  }
  stop(): void {
    this.reader = null;
  }
  setRawMode(raw: boolean): void {
    this.raw = raw;
  }
  suspend(resumed: () => void): void {
    this.suspended++;
    resumed();
  }
  close(): void {
    this.closed = true;
  }
  type(text: string): void {
    const chunk = Buffer.from(text);
    if (this.reader) this.reader(chunk);
    else this.unread.push(chunk);
  }
}

/** Lets the gate's microtasks and Node's readline run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('readline service (event-loop side)', () => {
  let dir: string;
  let term: FakeTerminal;
  let service: ReadlineService;
  let historyFile: string;
  const warnings: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pywasi-readline-'));
    historyFile = path.join(dir, 'history');
    writeFileSync(historyFile, 'old one\nold two\n');
    term = new FakeTerminal();
    warnings.length = 0;
    service = new ReadlineService(term, { historyFile, warn: (line) => warnings.push(line) });
  });
  afterEach(() => {
    service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends a guest message; resolves with the reply (decoded) or errno, whenever it comes. */
  function send(m: GuestMessage): Promise<HostReply | number> {
    return new Promise((resolve) => service.receive(encodeGuestMessage(m), (r) => resolve(typeof r === 'number' ? r : decodeHostReply(r))));
  }
  const prompt = (tabCompletes = true, preset = '') => send({ kind: 'prompt', prompt: '>>> ', preset, tabCompletes });

  test('hello answers the saved history', async () => {
    expect(await send({ kind: 'hello' })).toEqual({ kind: 'history', entries: ['old one', 'old two'] });
  });

  test('a line: prompt drawn, raw mode while editing, cooked and unread after', async () => {
    const reply = prompt();
    await settle();
    expect(term.screen).toContain('>>> ');
    expect(term.raw).toBe(true);
    expect(term.reading).toBe(true);
    term.type('x = 41\r');
    expect(await reply).toEqual({ kind: 'line', line: 'x = 41' });
    expect(term.raw).toBe(false);
    expect(term.reading).toBe(false);
    expect(term.screen).toContain('x = 41\r\n');
  });

  test('Up recalls the history as the guest last sent it', async () => {
    expect(await send({ kind: 'add', entry: 'x + 1' })).toEqual({ kind: 'ok' });
    const reply = prompt();
    await settle();
    term.type('\x1b[A');
    await settle();
    term.type('\x1b[A');
    await settle();
    term.type('\r');
    expect(await reply).toEqual({ kind: 'line', line: 'old two' });
    await send({ kind: 'history', entries: ['only'] });
    const again = prompt();
    await settle();
    term.type('\x1b[A\r');
    expect(await again).toEqual({ kind: 'line', line: 'only' });
  });

  test('Tab asks the guest, whose answer is inserted', async () => {
    const first = prompt();
    await settle();
    term.type('impo\t');
    expect(await first).toEqual({ kind: 'complete', before: 'impo', after: '' });
    const next = send({ kind: 'matches', text: 'impo', matches: ['import '] });
    await settle();
    term.type('os\r');
    expect(await next).toEqual({ kind: 'line', line: 'import os' });
  });

  test('a completion sees the text after the cursor too', async () => {
    const first = prompt();
    await settle();
    term.type('f(ab)\x1b[D\t');
    expect(await first).toEqual({ kind: 'complete', before: 'f(ab', after: ')' });
    const next = send({ kind: 'matches', text: 'ab', matches: ['abs('] });
    await settle();
    term.type('\r');
    expect(await next).toEqual({ kind: 'line', line: 'f(abs()' });
  });

  test('without "tab: complete" Tab inserts a tab', async () => {
    const reply = prompt(false);
    await settle();
    term.type('\tpass\r');
    expect(await reply).toEqual({ kind: 'line', line: '\tpass' });
  });

  test('Ctrl-C interrupts, Ctrl-D ends input only on an empty line', async () => {
    const interrupted = prompt();
    await settle();
    term.type('abc\x03');
    expect(await interrupted).toEqual({ kind: 'interrupt' });
    expect(term.screen.endsWith('abc')).toBe(true); // Python prints the line break
    expect(term.raw).toBe(false);
    const edited = prompt();
    await settle();
    term.type('ab\x01\x04\r'); // Ctrl-A, Ctrl-D deletes the "a"
    expect(await edited).toEqual({ kind: 'line', line: 'b' });
    const eof = prompt();
    await settle();
    term.type('\x04');
    expect(await eof).toEqual({ kind: 'eof' });
    expect(term.raw).toBe(false);
  });

  test('pasted lines go one at a time; typed-ahead keys wait in the terminal', async () => {
    const first = prompt();
    await settle();
    term.type('a = 1\rb = 2\r');
    expect(await first).toEqual({ kind: 'line', line: 'a = 1' });
    term.type('c'); // typed while the guest runs: nobody reads the terminal
    const second = prompt();
    expect(await second).toEqual({ kind: 'line', line: 'b = 2' });
    const third = prompt();
    await settle();
    term.type('\r');
    expect(await third).toEqual({ kind: 'line', line: 'c' });
  });

  test('a preset line can be edited', async () => {
    const reply = prompt(true, 'default');
    await settle();
    expect(term.screen).toContain('>>> default');
    term.type('\x7f\x7f\x7fxx\r');
    expect(await reply).toEqual({ kind: 'line', line: 'defaxx' });
  });

  test('Ctrl-Z suspends and redraws', async () => {
    const reply = prompt();
    await settle();
    term.type('ab\x1a');
    await settle();
    expect(term.suspended).toBe(1);
    term.type('c\r');
    expect(await reply).toEqual({ kind: 'line', line: 'abc' });
  });

  test('broken requests are EINVAL and drop the line being edited', async () => {
    expect(await send({ kind: 'matches', text: '', matches: [] })).toBe(Errno.INVAL);
    const reply = prompt();
    await settle();
    term.type('x\t');
    expect(await reply).toEqual({ kind: 'complete', before: 'x', after: '' });
    expect(await send({ kind: 'hello' })).toBe(Errno.INVAL);
    expect(term.raw).toBe(false);
    expect(term.reading).toBe(false);
    const invalid = await new Promise((resolve) => service.receive(Buffer.from('Q'), resolve));
    expect(invalid).toBe(Errno.INVAL);
  });

  test('history changes are saved to the host file; close restores the terminal', async () => {
    await send({ kind: 'add', entry: 'new' });
    await settle();
    expect(readFileSync(historyFile, 'utf8')).toBe('old one\nold two\nnew\n');
    await send({ kind: 'history', entries: ['replaced'] });
    service.close();
    expect(readFileSync(historyFile, 'utf8')).toBe('replaced\n');
    expect(term.closed).toBe(true);
    expect(await send({ kind: 'hello' })).toBe(Errno.IO);
    expect(warnings).toEqual([]);
  });

  test('an unwritable history file is reported once', async () => {
    const blocked = path.join(dir, 'sub');
    const other = new ReadlineService(new FakeTerminal(), { historyFile: path.join(blocked, 'history'), warn: (line) => warnings.push(line) });
    writeFileSync(blocked, ''); // its directory becomes a file after the (empty) load
    const answer = (m: GuestMessage) => new Promise((resolve) => other.receive(encodeGuestMessage(m), resolve));
    await answer({ kind: 'add', entry: 'a' });
    await settle();
    await answer({ kind: 'add', entry: 'b' });
    other.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^pywasi: cannot save the line-editing history to .*history: /);
  });

  test('serve() takes the request from the channel buffer and replies there', () => {
    const data = Buffer.alloc(256);
    const replies: unknown[] = [];
    const channel = {
      data,
      reply: (op: OpCodec, value: unknown) => void replies.push([op.name, value]),
      status: (errno: number) => void replies.push(errno),
    };
    const request = (len: number) => ({ read: (() => ({ len })) as Request['read'] });
    const n = encodeGuestMessage({ kind: 'hello' }).copy(data);
    service.serve(request(n), channel);
    expect(replies).toEqual([['READLINE', { len: 17 }]]);
    expect(data.toString('utf8', 0, 17)).toBe('Hold one\0old two\0');
    service.serve(request(0), channel);
    service.serve(request(9999), channel);
    expect(replies.slice(1)).toEqual([Errno.INVAL, Errno.INVAL]);
  });
});
