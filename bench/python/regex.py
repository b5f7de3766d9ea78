"""Regular expressions: compile once, search, findall and sub over a log-like text."""
import re

TEXT = "\n".join(
    f"2026-11-{d:02d} 12:{m:02d}:00 host{m % 7}.example.org GET /api/v{m % 3}/items/{d * m} 200 {d * 37 % 1000}ms"
    for d in range(1, 29) for m in range(0, 60, 3)
)
LINE = re.compile(r"^(\d{4})-(\d\d)-(\d\d) [\d:]+ (\S+) (GET|POST) (\S+) (\d{3}) (\d+)ms$", re.M)
HOST = re.compile(r"host(\d)\.example\.org")
NUMBER = re.compile(r"\d+")


def run():
    total = 0
    for _ in range(60):
        total += sum(int(m.group(8)) for m in LINE.finditer(TEXT))
        total += len(HOST.findall(TEXT))
        total += len(NUMBER.sub("#", TEXT))
    return total
