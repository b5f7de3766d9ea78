// The REPL of `pywasi python` on a real terminal: a tmux pane runs the CLI, the test types into it
// and reads the screen. Line editing, Up/Down history (kept across runs in PYWASI_PYTHON_HISTORY),
// Tab completion through rlcompleter, Ctrl-C and Ctrl-D, as with a native python3.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execaSync } from 'execa';
import { BUILD_TIMEOUT_MS, buildCpython, cli } from './harness.ts';

const TEST_TIMEOUT_MS = 120_000;
/** The first prompt may wait for the start-up snapshot to be made (once per installation). */
const START_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 15_000;

function tmuxVersion(): string | null {
  const run = execaSync('tmux', ['-V'], { reject: false });
  return run.exitCode === 0 ? String(run.stdout).trim() : null;
}

const version = tmuxVersion();
if (!version) process.stdout.write('repl-tty.test.ts skipped: tmux is not installed (Debian: apt-get install -y tmux)\n');
const describeTmux = version ? describe : describe.skip;

/** A tmux server of our own, so the user's sessions are never touched. */
const server = `pywasi-test-${process.pid}`;
function tmux(...args: string[]): string {
  const run = execaSync('tmux', ['-L', server, '-f', '/dev/null', ...args], { reject: false });
  if (run.exitCode !== 0) throw new Error(`tmux ${args.join(' ')}: ${String(run.stderr).trim()}`);
  return String(run.stdout);
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

class Pane {
  readonly name: string;

  constructor(name: string) {
    this.name = name;}

  /** Starts `pywasi python` in a new 120x40 pane with this environment; the pane stays after exit. */
  static start(name: string, cwd: string, env: Record<string, string>): Pane {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
    const command = `cd ${quote(cwd)} && exec env ${vars.join(' ')} ${quote(process.execPath)} ${quote(cli)} python`;
    tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', command, ';', 'set-option', '-t', name, 'remain-on-exit', 'on');
    return new Pane(name);
  }

  /** Literal text, no key names. */
  type(text: string): void {
    tmux('send-keys', '-t', this.name, '-l', text);
  }

  /** tmux key names: Enter, Up, Tab, C-c, C-d... */
  keys(...names: string[]): void {
    tmux('send-keys', '-t', this.name, ...names);
  }

  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.name, '-S', '-200');
  }

  lines(): string[] {
    return this.screen()
      .split('\n')
      .map((l) => l.trimEnd());
  }

  dead(): boolean {
    return tmux('list-panes', '-t', this.name, '-F', '#{pane_dead}').trim() === '1';
  }

  /** Polls the screen until `ok` holds; fails with the screen's contents. */
  async waitFor(what: string, ok: (lines: string[]) => boolean, timeoutMs = STEP_TIMEOUT_MS): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.lines();
      if (ok(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the pane shows:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until the pane shows `count` primary prompts, the last one empty (python is reading). */
  waitForPrompts(count: number, timeoutMs?: number): Promise<string[]> {
    return this.waitFor(
      `prompt #${count}`,
      (lines) => {
        const prompts = lines.filter((l) => l.startsWith('>>>'));
        return prompts.length >= count && last(lines) === '>>>';
      },
      timeoutMs,
    );
  }

  async waitForExit(): Promise<void> {
    await this.waitFor('python to exit', () => this.dead());
  }
}

const count = (lines: string[], line: string) => lines.filter((l) => l === line).length;
/** The last non-empty line: where the cursor is. */
const last = (lines: string[]) => lines.filter((l) => l !== '').at(-1);

let scratch = '';
let historyFile = '';
let sessions = 0;
function startPython(): Pane {
  // The environment is the test's (the tmux server inherits it) plus these.
  return Pane.start(`s${++sessions}`, scratch, {
    TERM: 'xterm-256color',
    PYWASI_PYTHON_HISTORY: historyFile,
  });
}

beforeAll(async () => {
  if (!version) return;
  await buildCpython();
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-repl-'));
  historyFile = path.join(scratch, 'state', 'python_history');
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (!version) return;
  try {
    tmux('kill-server');
  } catch {
    // no session was started
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describeTmux('the REPL on a terminal (tmux)', () => {
  test(
    'edits lines, recalls them with Up, completes with Tab, interrupts with Ctrl-C, ends with Ctrl-D',
    async () => {
      const pane = startPython();
      await pane.waitForPrompts(1, START_TIMEOUT_MS);

      pane.type('x = 41');
      pane.keys('Enter');
      await pane.waitForPrompts(2);
      pane.type('x + 1');
      pane.keys('Enter');
      let lines = await pane.waitForPrompts(3);
      expect(lines).toContain('42');

      // Up twice recalls "x = 41"; running it again and asking for x shows the recall worked.
      pane.keys('Up');
      await pane.waitFor('the first recall', (l) => last(l) === '>>> x + 1');
      pane.keys('Up');
      await pane.waitFor('the second recall', (l) => last(l) === '>>> x = 41');
      pane.keys('Enter');
      lines = await pane.waitForPrompts(4);
      expect(count(lines, '>>> x = 41')).toBe(2);
      pane.type('x * 2');
      pane.keys('Enter');
      lines = await pane.waitForPrompts(5);
      expect(lines).toContain('82');

      // Editing keys: Left and a deletion inside the line.
      pane.type('print("abXc")');
      pane.keys('Left', 'Left', 'Left', 'BSpace', 'Enter');
      lines = await pane.waitForPrompts(6);
      expect(lines).toContain('abc');

      // Tab completion through rlcompleter (site.py binds "tab: complete").
      pane.type('impo');
      pane.keys('Tab');
      await pane.waitFor('"impo" completed', (l) => last(l) === '>>> import');
      pane.type('os');
      pane.keys('Enter');
      await pane.waitForPrompts(7);
      pane.type('os.path.basen');
      pane.keys('Tab');
      await pane.waitFor('"os.path.basen" completed', (l) => last(l) === '>>> os.path.basename(');
      pane.type("'/a/b')");
      pane.keys('Enter');
      lines = await pane.waitForPrompts(8);
      expect(lines).toContain("'b'");
      // Several candidates: the second Tab lists them; Ctrl-U clears the line.
      pane.type('os.se');
      pane.keys('Tab');
      await new Promise((r) => setTimeout(r, 300)); // two key presses, not one paste of two tabs
      pane.keys('Tab');
      // (the listing redraws the line below it: one more ">>>" line on the screen)
      await pane.waitFor('the candidates', (l) => l.some((s) => s.includes('os.sep') && s.includes('os.set_blocking(')));
      pane.keys('C-u');
      pane.type('os.sep');
      pane.keys('Enter');
      lines = await pane.waitForPrompts(10);
      expect(lines).toContain("'/'");

      // Tab on an empty word indents (rlcompleter inserts a tab), as natively.
      pane.type('if True:');
      pane.keys('Enter');
      await pane.waitFor('the continuation prompt', (l) => last(l) === '...');
      pane.keys('Tab');
      pane.type('print("indented")');
      pane.keys('Enter', 'Enter');
      lines = await pane.waitForPrompts(11);
      expect(lines).toContain('indented');

      // Ctrl-C on a half-typed line: a bare KeyboardInterrupt on the next line, a fresh prompt.
      pane.type('never run');
      pane.keys('C-c');
      lines = await pane.waitForPrompts(12);
      expect(lines[lines.indexOf('>>> never run') + 1]).toBe('KeyboardInterrupt');

      // input() edits too, after what the program printed on that line (kept, as natively).
      pane.type('print("name", end="? "); x = input()');
      pane.keys('Enter');
      await pane.waitFor('the input() prompt', (l) => last(l) === 'name?');
      pane.type('Adx');
      pane.keys('BSpace');
      pane.type('a');
      pane.keys('Enter');
      await pane.waitForPrompts(13);
      pane.type('x');
      pane.keys('Enter');
      lines = await pane.waitForPrompts(14);
      expect(lines).toContain('name? Ada');
      expect(lines).toContain("'Ada'");

      pane.keys('C-d');
      await pane.waitForExit();

      const saved = readFileSync(historyFile, 'utf8').split('\n');
      expect(saved).toEqual(expect.arrayContaining(['x = 41', 'x + 1', 'x * 2', 'import os', 'os.sep', 'Ada', 'x']));
      expect(saved).not.toContain('never run');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'the history is kept across runs',
    async () => {
      const pane = startPython();
      await pane.waitForPrompts(1, START_TIMEOUT_MS);
      // The newest entries of the previous run: the answer to input() (as with GNU readline), x.
      pane.keys('Up');
      await pane.waitFor("the previous run's last line", (l) => last(l) === '>>> x');
      pane.keys('Up');
      await pane.waitFor("the previous run's line before", (l) => last(l) === '>>> Ada');
      pane.keys('C-u'); // clear the line
      pane.type('x = 7');
      pane.keys('Enter');
      await pane.waitForPrompts(2);
      // Prefix search: "os." and Up finds "os.sep" from the previous run.
      pane.type('os.');
      pane.keys('Up');
      await pane.waitFor('a prefix recall', (l) => last(l) === '>>> os.sep');
      pane.keys('C-a');
      pane.type('import os; ');
      pane.keys('Enter');
      const lines = await pane.waitForPrompts(3);
      expect(lines).toContain("'/'");
      pane.keys('C-d');
      await pane.waitForExit();
      const saved = readFileSync(historyFile, 'utf8').trimEnd().split('\n');
      expect(saved.slice(-2)).toEqual(['x = 7', 'import os; os.sep']);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'Ctrl-C while code runs (a loop, a sleep) raises KeyboardInterrupt and the REPL goes on with its state',
    async () => {
      const pane = startPython();
      await pane.waitForPrompts(1, START_TIMEOUT_MS);
      pane.type('kept = 6 * 7');
      pane.keys('Enter');
      await pane.waitForPrompts(2);
      for (const [code, prompts] of [['while True: pass', 3], ['import time; time.sleep(60)', 4]] as const) {
        pane.type(code);
        pane.keys('Enter');
        await new Promise((r) => setTimeout(r, 1000)); // running, not at a prompt
        pane.keys('C-c');
        const lines = (await pane.waitForPrompts(prompts)).filter((l) => l !== '');
        expect(lines.at(-2)).toBe('KeyboardInterrupt');
      }
      pane.type('kept');
      pane.keys('Enter');
      const lines = await pane.waitForPrompts(5);
      expect(lines).toContain('42');
      pane.keys('C-d');
      await pane.waitForExit();
    },
    TEST_TIMEOUT_MS,
  );
});
