"""Imports the standard library python.wasm must carry and checks a few known answers.

Prints one JSON line: {"ok": [...], "platform": ...}; a missing module or a wrong answer raises.
"""
import importlib
import json
import sys

REQUIRED = [
    "json", "re", "hashlib", "zlib", "uuid", "decimal", "datetime", "asyncio", "socket",
    "select", "selectors", "http.server", "urllib.request", "xml.etree.ElementTree", "email",
    "bz2", "lzma", "sqlite3", "ssl", "_ssl", "_hashlib", "hmac",
]

ok = []
for name in REQUIRED:
    importlib.import_module(name)
    ok.append(name)

# json and re
import json as _json
import re

assert _json.loads('{"a": [1, 2.5, null, "\\u00e9"]}') == {"a": [1, 2.5, None, "\u00e9"]}
assert _json.dumps({"b": 1, "a": [True]}, sort_keys=True) == '{"a": [true], "b": 1}'
assert re.fullmatch(r"(\w+)@(\w+)\.org", "guido@python.org").groups() == ("guido", "python")
assert re.sub(r"\d+", lambda m: str(int(m.group()) * 2), "a1b22") == "a2b44"

# hashlib: published digests of b"" and b"abc"
import hashlib

KNOWN = {
    ("md5", b""): "d41d8cd98f00b204e9800998ecf8427e",
    ("md5", b"abc"): "900150983cd24fb0d6963f7d28e17f72",
    ("sha1", b"abc"): "a9993e364706816aba3e25717850c26c9cd0d89d",
    ("sha256", b""): "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ("sha256", b"abc"): "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    ("blake2b", b"abc"): "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
    "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    ("blake2s", b"abc"): "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
}
for (algorithm, data), digest in KNOWN.items():
    got = hashlib.new(algorithm, data).hexdigest()
    assert got == digest, f"{algorithm}({data!r}) = {got}, expected {digest}"
assert hashlib.md5(b"a" * 1_000_000).hexdigest() == "7707d6ae4e027c70eea2a935c2296f21"

# hashlib backed by OpenSSL (libs/openssl): its constructors, SHA-3, PBKDF2 and scrypt (RFC 7914
# vectors), HMAC through _hashlib; and the ssl module over the same library
import _hashlib
import hmac
import ssl

assert hashlib.sha256 is _hashlib.openssl_sha256, hashlib.sha256
assert hashlib.sha3_256(b"abc").hexdigest() == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
assert hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 1, 32).hex() == "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
assert hashlib.scrypt(b"password", salt=b"NaCl", n=1024, r=8, p=16, dklen=64).hex() == (
    "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
assert hmac.digest(b"key", b"The quick brown fox jumps over the lazy dog", "sha256").hex() == (
    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
assert ssl.OPENSSL_VERSION.startswith("OpenSSL 3.5."), ssl.OPENSSL_VERSION
assert ssl.HAS_TLSv1_3 and ssl.HAS_SNI and ssl.HAS_ALPN
assert ssl.get_default_verify_paths().openssl_cafile == "/etc/ssl/cert.pem"

# zlib round trip, including a stream in pieces
import zlib

payload = b"".join(i.to_bytes(4, "little") for i in range(50_000)) + b"pywasi" * 1000
packed = zlib.compress(payload, 9)
assert len(packed) < len(payload) // 2
assert zlib.decompress(packed) == payload
d = zlib.decompressobj()
assert b"".join(d.decompress(packed[i:i + 777]) for i in range(0, len(packed), 777)) + d.flush() == payload
assert zlib.crc32(b"hello") == 0x3610A686 and zlib.adler32(b"hello") == 0x062C0215

# bz2 and lzma (libbz2, liblzma): one-shot, incremental, both .xz and legacy .lzma, a corrupt
# stream refused, and tarfile's compressed modes through them
import bz2
import io
import lzma
import tarfile

assert bz2.decompress(bz2.compress(payload, 9)) == payload
feeder = bz2.BZ2Decompressor()
packed_bz2 = bz2.compress(payload)
assert b"".join(feeder.decompress(packed_bz2[i:i + 1000]) for i in range(0, len(packed_bz2), 1000)) == payload
for fmt in (lzma.FORMAT_XZ, lzma.FORMAT_ALONE):
    assert lzma.decompress(lzma.compress(payload, format=fmt, preset=6)) == payload
packed_xz = bytearray(lzma.compress(payload, check=lzma.CHECK_SHA256))
packed_xz[len(packed_xz) // 2] ^= 0x55
try:
    lzma.decompress(bytes(packed_xz))
    raise AssertionError("a corrupt .xz stream was accepted")
except lzma.LZMAError:
    pass
for mode in ("bz2", "xz"):
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode=f"w:{mode}") as tar:
        member = tarfile.TarInfo("data.bin")
        member.size = len(payload)
        tar.addfile(member, io.BytesIO(payload))
    archive.seek(0)
    with tarfile.open(fileobj=archive, mode=f"r:{mode}") as tar:
        assert tar.extractfile("data.bin").read() == payload

# uuid: version bits, uniqueness, a name-based UUID with a known value
import uuid

u1, u4 = uuid.uuid1(), uuid.uuid4()
assert u1.version == 1 and u4.version == 4 and u1.variant == uuid.RFC_4122
assert len({uuid.uuid4() for _ in range(200)}) == 200
assert len({uuid.uuid1() for _ in range(200)}) == 200
assert str(uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")) == "886313e1-3b8a-5372-9b90-0c9aee199e5d"

# decimal (the C _decimal) and datetime
import decimal

import _decimal  # the C implementation is built in

assert decimal.Decimal is _decimal.Decimal
with decimal.localcontext() as ctx:
    ctx.prec = 50
    assert str(decimal.Decimal(2).sqrt())[:22] == "1.41421356237309504880"
assert decimal.Decimal("0.1") + decimal.Decimal("0.2") == decimal.Decimal("0.3")
import datetime

d0 = datetime.datetime(2024, 2, 28, 23, 30, tzinfo=datetime.timezone.utc)
assert (d0 + datetime.timedelta(hours=1)).isoformat() == "2024-02-29T00:30:00+00:00"
assert datetime.date.fromisoformat("2023-12-31").isocalendar()[1] == 52

# xml.etree (pyexpat) and email
import xml.etree.ElementTree as ET

root = ET.fromstring("<a><b n='1'>x</b><b n='2'>y</b></a>")
assert [b.get("n") for b in root.iter("b")] == ["1", "2"]
from email.message import EmailMessage
from email import message_from_string, policy

message = EmailMessage()
message["Subject"] = "h\u00e9llo"
message.set_content("body")
assert message_from_string(message.as_string(), policy=policy.default)["Subject"] == "h\u00e9llo"

# sqlite3: in memory, and in a file (the guest's private /tmp), with a transaction rolled back,
# JSON and FTS5 built in
import os
import sqlite3
import tempfile

assert sqlite3.sqlite_version == "3.40.1", sqlite3.sqlite_version
con = sqlite3.connect(":memory:")
con.execute("create table t(x)")
con.executemany("insert into t values (?)", [(i,) for i in range(10)])
assert con.execute("select sum(x) from t").fetchone() == (45,)
assert con.execute("""select json_extract('{"a": [1, 2]}', '$.a[1]')""").fetchone() == (2,)
con.execute("create virtual table docs using fts5(body)")
con.executemany("insert into docs values (?)", [("wasm sockets",), ("python in wasm",), ("native",)])
assert con.execute("select count(*) from docs where docs match 'wasm'").fetchone() == (2,)
with tempfile.TemporaryDirectory() as scratch:
    path = os.path.join(scratch, "data.db")
    with sqlite3.connect(path) as db:
        db.execute("create table kv(k text primary key, v)")
        db.execute("insert into kv values ('a', 1)")
    db.close()
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute("insert into kv values ('b', 2)")
            raise KeyError("roll back")
    except KeyError:
        pass
    assert db.execute("select k, v from kv").fetchall() == [("a", 1)]
    db.close()
    assert os.path.getsize(path) > 0 and not os.path.exists(path + ".lock")

print(json.dumps({"ok": ok, "platform": sys.platform}))
