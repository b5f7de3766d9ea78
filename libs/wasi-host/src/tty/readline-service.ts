// The event-loop side of /dev/pywasi-readline (protocol: readline-device.ts). A prompt request
// stays parked while the user edits the line with Node's readline on the terminal; Tab turns the
// parked request's reply into a completion question for the guest, whose answer continues the
// edit. Each line gets a fresh readline.Interface, closed as soon as the line is done: between
// lines the terminal is back in cooked mode and nobody reads it, so the guest's own reads of its
// stdin behave as without line editing. The history is the guest's (Lib/readline.py sends every
// change) and is saved to a host file after each change.
import { createInterface, type Interface } from 'node:readline';
import { DATA_SIZE, type HostChannel, type Request } from '../channel/channel.ts';
import { Errno } from '../errno.ts';
import { Ops } from '../channel/ops.ts';
import { DEFAULT_HISTORY_SIZE, defaultHistoryFile, loadHistory, saveHistory } from './history-file.ts';
import { InputGate, pieceEnd } from './input-gate.ts';
import { decodeGuestMessage, encodeHostReply, newestThatFit, ProtocolError, type GuestMessage, type HostReply } from './readline-protocol.ts';
import { openTerminal, type Terminal } from './terminal.ts';

export interface ReadlineOptions {
  /** Host file the history is kept in across runs; null keeps none. Default: defaultHistoryFile(). */
  historyFile?: string | null;
  /** Entries the file keeps (the newest). Default 1000. */
  historySize?: number;
}

export interface ReadlineServiceOptions extends ReadlineOptions {
  /** Where the one-line notice about an unusable history file goes. Default: stderr. */
  warn?: (line: string) => void;
  /** The largest reply the guest can take. Default: the channel's data buffer. */
  maxReplyBytes?: number;
}

/** What serve() needs of the event loop's end of the channel. */
export type ReplyChannel = Pick<HostChannel, 'data' | 'reply' | 'status'>;

/** The reply to the parked request: message bytes, or an errno. */
export type Answer = (reply: Buffer | number) => void;

type CompletionCallback = (err: null, result: [string[], string]) => void;

interface Session {
  rl: Interface;
  gate: InputGate;
  /** Node's callback for the Tab completion the guest is computing (a C reply went out). */
  completion: CompletionCallback | null;
}

/** Node types `line` and `cursor` read-only, but they are plain properties: a preset line is set there. */
type EditableLine = { line: string; cursor: number };

export class ReadlineService {
  private history: string[] = [];
  private session: Session | null = null;
  private answer: Answer | null = null;
  /** Terminal reads not yet given to a line (the rest of a paste), kept apart: Node's readline
   * completes on a Tab only at the end of a read. */
  private pending: Buffer[] = [];
  private readonly historyFile: string | null;
  private readonly historySize: number;
  private readonly warn: (line: string) => void;
  private readonly maxReplyBytes: number;
  private saveTimer: NodeJS.Immediate | null = null;
  private warned = false;
  private closed = false;

  /** The service for a guest whose stdin and stdout are these host fds, or null unless both are
   * terminals (the guest then gets no device and runs without line editing). */
  static open(options: ReadlineServiceOptions & { stdin: number; stdout: number }): ReadlineService | null {
    const terminal = openTerminal(options.stdin, options.stdout);
    return terminal ? new ReadlineService(terminal, options) : null;
  }

  private readonly terminal: Terminal;

  constructor(
    terminal: Terminal,
    options: ReadlineServiceOptions = {},
  ) {
    this.terminal = terminal;
    this.historyFile = options.historyFile === undefined ? defaultHistoryFile() : options.historyFile;
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.warn = options.warn ?? ((line) => void process.stderr.write(`${line}\n`));
    this.maxReplyBytes = options.maxReplyBytes ?? DATA_SIZE;
    if (this.historyFile !== null) {
      try {
        this.history = loadHistory(this.historyFile);
      } catch (e) {
        this.warnOnce(`cannot read the line-editing history ${this.historyFile}: ${(e as Error).message}`);
      }
    }
  }

  /** Serves one Ops.readline request: the message is in `data`. */
  serve(req: Pick<Request, 'read'>, channel: ReplyChannel): void {
    const { len } = req.read(Ops.readline);
    if (len <= 0 || len > channel.data.length) return channel.status(Errno.INVAL);
    this.receive(Buffer.from(channel.data.subarray(0, len)), (reply) => {
      if (typeof reply === 'number') return channel.status(reply);
      if (reply.length > channel.data.length) return channel.status(Errno.MSGSIZE);
      reply.copy(channel.data, 0);
      channel.reply(Ops.readline, { len: reply.length });
    });
  }

  /** One guest message; `answer` is called now or when the user is done. */
  receive(bytes: Uint8Array, answer: Answer): void {
    if (this.closed) return answer(Errno.IO);
    let m: GuestMessage;
    try {
      m = decodeGuestMessage(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.abandon();
      return answer(Errno.INVAL);
    }
    const session = this.session;
    if (session) {
      // The guest is blocked in a prompt except while it computes a completion.
      if (!session.completion || m.kind !== 'matches') {
        this.abandon();
        return answer(Errno.INVAL);
      }
      const done = session.completion;
      session.completion = null;
      this.answer = answer;
      done(null, [m.matches, m.text]);
      return;
    }
    switch (m.kind) {
      case 'hello':
        return answer(encodeHostReply({ kind: 'history', entries: newestThatFit(this.history, this.maxReplyBytes) }));
      case 'add':
        this.history.push(m.entry);
        this.historyChanged();
        return answer(encodeHostReply({ kind: 'ok' }));
      case 'history':
        this.history = m.entries;
        this.historyChanged();
        return answer(encodeHostReply({ kind: 'ok' }));
      case 'matches':
        return answer(Errno.INVAL);
      case 'prompt':
        this.answer = answer;
        return this.begin(m.prompt, m.preset, m.tabCompletes);
    }
  }

  /** An interrupt of the guest (a SIGINT the terminal did not send as a key: `kill -INT`): a line
   * being edited ends as with Ctrl-C. false when no line is. */
  interrupt(): boolean {
    const session = this.session;
    if (!session) return false;
    this.finish(session, { kind: 'interrupt' });
    return true;
  }

  /** The guest has exited: restores the terminal and saves the history. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const session = this.session;
    this.session = null;
    this.answer = null;
    session?.rl.close();
    this.terminal.close();
    if (this.saveTimer) {
      clearImmediate(this.saveTimer);
      this.saveTimer = null;
      this.save();
    }
  }

  // ---- one line ------------------------------------------------------------------------------

  private begin(prompt: string, preset: string, tabCompletes: boolean): void {
    this.terminal.start((chunk) => {
      this.pending.push(Buffer.from(chunk));
      this.session?.gate.pump();
    });
    const gate = new InputGate(
      () => this.takePiece(),
      (raw) => this.terminal.setRawMode(raw),
    );
    const rl = createInterface({
      input: gate as unknown as NodeJS.ReadableStream,
      output: this.terminal.output,
      terminal: true,
      prompt,
      // Newest first; Node's own additions die with this Interface (the guest decides).
      history: [...this.history].reverse(),
      historySize: this.history.length + 1,
      ...(tabCompletes ? { completer: (line: string, done: CompletionCallback) => this.complete(line, done) } : {}),
    });
    const session: Session = { rl, gate, completion: null };
    this.session = session;
    rl.on('line', (line: string) => this.finish(session, { kind: 'line', line }));
    // Python itself starts a new line for KeyboardInterrupt and at EOF, as after GNU readline.
    rl.on('SIGINT', () => {
      rl.write('', { ctrl: true, name: 'e' }); // to the end of the line, as readline does
      this.finish(session, { kind: 'interrupt' });
    });
    rl.on('SIGTSTP', () =>
      this.terminal.suspend(() => {
        if (this.session === session) rl.prompt(true); // redraw after fg
      }),
    );
    // Node closes the Interface itself on Ctrl-D at an empty line.
    rl.on('close', () => {
      if (this.session === session) this.finish(session, { kind: 'eof' });
    });
    const editable = rl as unknown as EditableLine;
    editable.line = preset.replace(/[\r\n]/g, ' ');
    editable.cursor = editable.line.length;
    rl.prompt(true);
  }

  private takePiece(): Buffer | null {
    const first = this.pending[0];
    if (!first) return null;
    const end = pieceEnd(first);
    if (end === first.length) this.pending.shift();
    else this.pending[0] = first.subarray(end);
    return first.subarray(0, end);
  }

  private complete(before: string, done: CompletionCallback): void {
    const session = this.session;
    if (!session) return done(null, [[], before]);
    session.completion = done;
    const { line, cursor } = session.rl as unknown as EditableLine;
    this.reply({ kind: 'complete', before, after: line.slice(cursor) });
  }

  /** The line is done: the terminal goes back to cooked mode and is no longer read. */
  private finish(session: Session, reply: HostReply): void {
    if (this.session !== session) return;
    this.session = null;
    session.completion = null;
    session.rl.close();
    this.terminal.stop();
    this.reply(reply);
  }

  /** A broken request: drops the line being edited. */
  private abandon(): void {
    const session = this.session;
    if (!session) return;
    this.session = null;
    session.rl.close();
    this.terminal.stop();
    this.answer = null;
  }

  private reply(r: HostReply): void {
    const answer = this.answer;
    this.answer = null;
    answer?.(encodeHostReply(r));
  }

  // ---- history file --------------------------------------------------------------------------

  /** Saved at the end of this turn of the event loop (one write for a burst of changes). */
  private historyChanged(): void {
    if (this.historyFile === null || this.saveTimer) return;
    this.saveTimer = setImmediate(() => {
      this.saveTimer = null;
      this.save();
    });
    this.saveTimer.unref();
  }

  private save(): void {
    if (this.historyFile === null) return;
    try {
      saveHistory(this.historyFile, this.history, this.historySize);
    } catch (e) {
      this.warnOnce(`cannot save the line-editing history to ${this.historyFile}: ${(e as Error).message}`);
    }
  }

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.warn(`pywasi: ${message}`);
  }
}
