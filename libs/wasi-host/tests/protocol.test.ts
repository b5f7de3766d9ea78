// The POLL codec of the guest/event-loop channel: int32 records in the 4 MiB data buffer, so that
// a guest polling tens of thousands of sockets fits (JSON in the 64 KiB meta buffer did not).
import { describe, expect, test } from '@jest/globals';
import { DATA_SIZE } from '../src/channel.ts';
import { decodePollReply, decodePollRequest, encodePollReply, encodePollRequest, PollEvent, type PollReplyEntry, type PollRequestEntry } from '../src/protocol.ts';

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
