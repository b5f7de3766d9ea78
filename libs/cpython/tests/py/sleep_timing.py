"""Measures time.sleep(0.2) with the monotonic clocks; prints one JSON line."""
import json
import time

results = []
for _ in range(3):
    start = time.perf_counter()
    mono = time.monotonic()
    time.sleep(0.2)
    results.append({"perf_counter": time.perf_counter() - start, "monotonic": time.monotonic() - mono})
print(json.dumps({"sleeps": results}))
