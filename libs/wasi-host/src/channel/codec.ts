// The shapes of the channel's requests and replies (channel.ts). An operation is described once, by
// its request and reply fields, and both ends encode and decode through that description: no end
// reads "argument 3" by hand. Every field takes one int32 slot; a value that is not an int32 keeps
// its bulk elsewhere and its size in the slot (JSON in meta, int32 records in data).
import type { Errno } from '../errno.ts';

/** What a field may use besides its slot. */
export interface Wire {
  writeJson(value: unknown): number;
  readJson<T>(len: number): T;
  readonly dataInts: Int32Array;
}

export interface Field<T> {
  /** Uses the meta buffer: at most one such field per request or reply. */
  readonly meta?: true;
  put(value: T, wire: Wire): number;
  get(slot: number, wire: Wire): T;
}

export const int: Field<number> = { put: (v) => v, get: (slot) => slot };
export const flag: Field<boolean> = { put: (v) => (v ? 1 : 0), get: (slot) => slot !== 0 };

/** A structured value, rare on the hot path: JSON in meta, its length in the slot. */
export function json<T>(): Field<T> {
  return { meta: true, put: (v, wire) => wire.writeJson(v), get: (len, wire) => wire.readJson<T>(len) };
}

/** JSON in meta or null, which takes no meta (slot 0): a reply that may be a bare status (a
 * status-only reply leaves every result slot 0, channel.ts) decodes it as null. */
export function nullableJson<T>(): Field<T | null> {
  return { meta: true, put: (v, wire) => (v === null ? 0 : wire.writeJson(v)), get: (len, wire) => (len === 0 ? null : wire.readJson<T>(len)) };
}

/** Many fixed-size records as int32s in the data buffer, their count in the slot. */
export function records<T>(encode: (value: T, dest: Int32Array) => number, decode: (src: Int32Array, count: number) => T): Field<T> {
  return { put: (v, wire) => encode(v, wire.dataInts), get: (count, wire) => decode(wire.dataInts, count) };
}

/** Any field (its value type erased): what a shape holds. */
export interface SomeField {
  readonly meta?: true;
  put(value: never, wire: Wire): number;
  get(slot: number, wire: Wire): unknown;
}
export type Shape = Record<string, SomeField>;
export type ValueOf<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface OpCodec<Q extends Shape = Shape, R extends Shape = Shape> {
  readonly code: number;
  readonly name: string;
  readonly request: Q;
  readonly reply: R;
}

/** Slots in the control block (channel.ts). */
export const MAX_ARGS = 13;
export const MAX_RESULTS = 15;

export function defineOp<Q extends Shape, R extends Shape>(code: number, name: string, request: Q, reply: R): OpCodec<Q, R> {
  const check = (shape: Shape, what: string, max: number) => {
    const fields = Object.values(shape);
    if (fields.length > max) throw new Error(`${name}: ${fields.length} ${what} fields, the channel has ${max} slots`);
    if (fields.filter((f) => f.meta).length > 1) throw new Error(`${name}: more than one ${what} field uses meta`);
  };
  check(request, 'request', MAX_ARGS);
  check(reply, 'reply', MAX_RESULTS);
  return { code, name, request, reply };
}

/** Writes `value`'s fields into consecutive slots from `at`. */
export function encodeFields<S extends Shape>(shape: S, value: ValueOf<S>, slots: Int32Array, at: number, wire: Wire): void {
  let i = at;
  for (const key in shape) slots[i++] = (shape[key] as Field<unknown>).put(value[key], wire);
}

export function decodeFields<S extends Shape>(shape: S, slots: Int32Array, at: number, wire: Wire): ValueOf<S> {
  const value: Record<string, unknown> = {};
  let i = at;
  for (const key in shape) value[key] = shape[key]!.get(slots[i++]!, wire);
  return value as ValueOf<S>;
}

/** An errno the guest can be answered with, other than success. */
export type Failure = Exclude<(typeof Errno)[keyof typeof Errno], 0>;

/** A call's outcome, Go style: `const [err, reply] = channel.call(op, request); if (err) return err;` */
export type Outcome<T> = readonly [0, T] | readonly [Failure, undefined];
