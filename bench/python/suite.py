"""Runs each workload `repeat` times after one warm-up and prints one JSON line per workload.

Used by bench/python-workloads.ts with native python3.11 and with python.wasm: the same code,
timed inside the interpreter, so start-up is not counted.
"""
import importlib
import json
import sys
import time

WORKLOADS = [
    "richards", "nbody", "fannkuch", "spectral_norm", "json_roundtrip", "regex", "generators",
    "calls", "floats", "small_objects",
]


def main(argv):
    repeat = int(argv[1]) if len(argv) > 1 else 3
    names = argv[2:] or WORKLOADS
    for name in names:
        module = importlib.import_module(name)
        expected = module.run()
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            result = module.run()
            best = min(best, time.perf_counter() - started)
            if result != expected:
                raise SystemExit(f"{name}: result changed between runs: {expected!r} != {result!r}")
        print(json.dumps({"workload": name, "seconds": best, "result": repr(expected)}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
