"""Run with PYTHONTRACEMALLOC=1: tracing is on from start-up and sees this script's allocations."""
import json
import tracemalloc

assert tracemalloc.is_tracing(), "PYTHONTRACEMALLOC=1 did not start tracemalloc"
blocks = [bytearray(10_000) for _ in range(100)]
snapshot = tracemalloc.take_snapshot()
mine = [s for s in snapshot.statistics("filename") if s.traceback[0].filename == __file__]
current, peak = tracemalloc.get_traced_memory()
assert mine and mine[0].size >= 1_000_000, mine
print(json.dumps({"tracing": tracemalloc.is_tracing(), "frames": tracemalloc.get_traceback_limit(), "current": current, "peak": peak, "script_bytes": mine[0].size}))
