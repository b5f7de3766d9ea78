// The codecs of the guest/event-loop channel: every op's request and reply survive both ends'
// encoding, a shape the channel cannot carry is refused where it is defined, and POLL travels as
// int32 records in the 4 MiB data buffer, so that a guest polling tens of thousands of sockets fits
// (JSON in the 64 KiB meta buffer did not).
import { describe, expect, test } from '@jest/globals';
import { createChannelBuffers, DATA_SIZE, GuestChannel } from '../src/channel/channel.ts';
import { decodeFields, defineOp, encodeFields, flag, int, json, MAX_ARGS, type Shape, type ValueOf } from '../src/channel/codec.ts';
import { decodePollReply, decodePollRequest, encodePollReply, encodePollRequest, Ops, PollEvent, type PollReplyEntry, type PollRequestEntry } from '../src/channel/ops.ts';

/** A value for every field of `shape`, different per field. */
function sample(shape: Shape): Record<string, unknown> {
  let k = 0;
  const value: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    k++;
    if (field === int) value[key] = k * 1000 - 7 * k;
    else if (field === flag) value[key] = k % 2 === 0;
    else if (field.meta) value[key] = { key, nested: [k, 'é', null] };
    else if (key === 'entries') value[key] = [[3, PollEvent.READ], [9, PollEvent.WRITE]];
    else if (key === 'ready') value[key] = [[1, PollEvent.WRITE, 0, 5, 1]];
    else throw new Error(`no sample for field ${key}`);
  }
  return value;
}

describe('op codecs', () => {
  // Both ends encode into the same control block and buffers; any one end exercises the codec.
  const wire = new GuestChannel(createChannelBuffers());
  const slots = new Int32Array(32);

  test.each(Object.values(Ops).map((op) => [op.name, op] as const))('%s: request and reply round-trip', (_name, op) => {
    for (const shape of [op.request, op.reply] as Shape[]) {
      const value = sample(shape) as ValueOf<Shape>;
      encodeFields(shape, value, slots, 3, wire);
      expect(decodeFields(shape, slots, 3, wire)).toEqual(value);
    }
  });

  test('op codes are unique', () => {
    const codes = Object.values(Ops).map((op) => op.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  test('a shape the channel cannot carry is refused where the op is defined', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_ARGS + 1 }, (_, i) => [`f${i}`, int]));
    expect(() => defineOp(99, 'MANY', many, {})).toThrow(/MANY: 14 request fields, the channel has 13 slots/);
    expect(() => defineOp(99, 'TWOJSON', { a: json<string>(), b: json<string>() }, {})).toThrow(/TWOJSON: more than one request field uses meta/);
  });
});

describe('POLL requests and replies in the data buffer', () => {
  const data = new Int32Array(new SharedArrayBuffer(DATA_SIZE));

  test('20,000 sockets round-trip both ways', () => {
    const entries: PollRequestEntry[] = Array.from({ length: 20_000 }, (_, i) => [i + 3, i % 2 ? PollEvent.WRITE : PollEvent.READ]);
    expect(decodePollRequest(data, encodePollRequest(entries, data))).toEqual(entries);
    const ready: PollReplyEntry[] = entries.map(([, event], i) => [i, event, i % 7 ? 0 : 9, i * 10, i % 3 ? 0 : 1]);
    expect(decodePollReply(data, encodePollReply(ready, data))).toEqual(ready);
  });

  test('more entries than the buffer holds: a RangeError, not a silent cut', () => {
    const tooMany: PollRequestEntry[] = Array.from({ length: DATA_SIZE / 8 + 1 }, (_, i) => [i, PollEvent.READ]);
    expect(() => encodePollRequest(tooMany, data)).toThrow(RangeError);
  });

  test('a count past the buffer (a confused peer) decodes to what the buffer holds', () => {
    expect(decodePollRequest(data, 1 << 30)).toHaveLength(DATA_SIZE / 8);
    expect(decodePollReply(data, -5)).toEqual([]);
  });
});
