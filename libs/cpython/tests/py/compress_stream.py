"""Streams MiB mebibytes through bz2 and lzma compressors and back, 1 MiB at a time, never holding
the whole; prints one JSON line per codec with the sizes and whether the digests match.

Usage: compress_stream.py MIB
"""
import bz2
import hashlib
import json
import lzma
import sys

mib = int(sys.argv[1])


BASE = b"".join(b"%08d pywasi streams %d\n" % (j, j * j % 9973) for j in range(40_000))[: 1 << 20]


def chunks():
    # Compressible but not trivial: text with counters, every MiB different (its index spliced in).
    for i in range(mib):
        at = (i * 4099) % (len(BASE) - 16)
        yield BASE[:at] + b"<chunk %06d>" % i + BASE[at + 14:]


for name, compressor, decompressor in (
    ("bz2", bz2.BZ2Compressor(9), bz2.BZ2Decompressor()),
    # preset 1: the same LZMA2 stream machinery, a fifth of preset 6's time on this data
    ("lzma", lzma.LZMACompressor(preset=1), lzma.LZMADecompressor()),
):
    source, result = hashlib.sha256(), hashlib.sha256()
    packed = unpacked = 0

    def feed(data):
        global packed, unpacked
        packed += len(data)
        out = decompressor.decompress(data)
        unpacked += len(out)
        result.update(out)

    for chunk in chunks():
        source.update(chunk)
        feed(compressor.compress(chunk))
    feed(compressor.flush())
    print(json.dumps({"codec": name, "in": mib << 20, "packed": packed, "out": unpacked,
                      "same": source.digest() == result.digest(), "eof": decompressor.eof}), flush=True)
