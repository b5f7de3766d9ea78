// The messages of /dev/pywasi-readline as values, and their bytes (the format is documented at the
// top of readline-device.ts). Both directions are here so tests can play the guest's part.

export type GuestMessage =
  | { kind: 'hello' }
  | { kind: 'prompt'; prompt: string; preset: string; tabCompletes: boolean }
  | { kind: 'matches'; text: string; matches: string[] }
  | { kind: 'add'; entry: string }
  | { kind: 'history'; entries: string[] };

export type HostReply =
  | { kind: 'line'; line: string }
  | { kind: 'eof' }
  | { kind: 'interrupt' }
  | { kind: 'complete'; before: string; after: string }
  | { kind: 'history'; entries: string[] }
  | { kind: 'ok' };

/** A message that breaks the protocol; the device answers EINVAL. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const NUL = '\0';

/** Items each ended by NUL (so an empty list and a list of one empty item differ). */
function joinItems(items: readonly string[]): string {
  return items.map((s) => s + NUL).join('');
}

function splitItems(text: string, what: string): string[] {
  if (text === '') return [];
  if (!text.endsWith(NUL)) throw new ProtocolError(`${what}: the last item is not NUL-terminated`);
  return text.slice(0, -1).split(NUL);
}

/** "a\0b" → ["a", "b"]; exactly one NUL expected. */
function splitPair(text: string, what: string): [string, string] {
  const at = text.indexOf(NUL);
  if (at < 0) throw new ProtocolError(`${what}: missing NUL separator`);
  return [text.slice(0, at), text.slice(at + 1)];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtocolError(`${what}: not UTF-8`);
  }
}

export function encodeGuestMessage(m: GuestMessage): Buffer {
  switch (m.kind) {
    case 'hello':
      return Buffer.from('G');
    case 'prompt':
      return Buffer.from(`P${m.tabCompletes ? 'c' : 't'}${m.prompt}${NUL}${m.preset}`);
    case 'matches':
      return Buffer.from(`M${m.text}${NUL}${joinItems(m.matches)}`);
    case 'add':
      return Buffer.from(`A${m.entry}`);
    case 'history':
      return Buffer.from(`H${joinItems(m.entries)}`);
  }
}

export function decodeGuestMessage(bytes: Uint8Array): GuestMessage {
  const all = text(bytes, 'message');
  const body = all.slice(1);
  switch (all[0]) {
    case 'G':
      if (body) throw new ProtocolError('G takes no payload');
      return { kind: 'hello' };
    case 'P': {
      const flag = body[0];
      if (flag !== 'c' && flag !== 't') throw new ProtocolError("P: the Tab flag must be 'c' or 't'");
      const [prompt, preset] = splitPair(body.slice(1), 'P');
      return { kind: 'prompt', prompt, preset, tabCompletes: flag === 'c' };
    }
    case 'M': {
      const [word, rest] = splitPair(body, 'M');
      return { kind: 'matches', text: word, matches: splitItems(rest, 'M') };
    }
    case 'A':
      return { kind: 'add', entry: body };
    case 'H':
      return { kind: 'history', entries: splitItems(body, 'H') };
    default:
      throw new ProtocolError(all ? `unknown message kind ${JSON.stringify(all[0])}` : 'empty message');
  }
}

export function encodeHostReply(r: HostReply): Buffer {
  switch (r.kind) {
    case 'line':
      return Buffer.from(`L${r.line}`);
    case 'eof':
      return Buffer.from('E');
    case 'interrupt':
      return Buffer.from('I');
    case 'complete':
      return Buffer.from(`C${r.before}${NUL}${r.after}`);
    case 'history':
      return Buffer.from(`H${joinItems(r.entries)}`);
    case 'ok':
      return Buffer.from('K');
  }
}

export function decodeHostReply(bytes: Uint8Array): HostReply {
  const all = text(bytes, 'reply');
  const body = all.slice(1);
  switch (all[0]) {
    case 'L':
      return { kind: 'line', line: body };
    case 'E':
      return { kind: 'eof' };
    case 'I':
      return { kind: 'interrupt' };
    case 'C': {
      const [before, after] = splitPair(body, 'C');
      return { kind: 'complete', before, after };
    }
    case 'H':
      return { kind: 'history', entries: splitItems(body, 'H') };
    case 'K':
      return { kind: 'ok' };
    default:
      throw new ProtocolError(all ? `unknown reply kind ${JSON.stringify(all[0])}` : 'empty reply');
  }
}

/** The newest entries whose "H" reply fits in `maxBytes`. */
export function newestThatFit(entries: readonly string[], maxBytes: number): string[] {
  let bytes = 1; // the kind
  let first = entries.length;
  while (first > 0) {
    const size = Buffer.byteLength(entries[first - 1]!) + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    first--;
  }
  return entries.slice(first);
}
