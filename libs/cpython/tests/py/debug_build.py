"""Checks a --with-pydebug interpreter: sys.gettotalrefcount() exists and moves with allocations."""
import json
import sys
import sysconfig

assert hasattr(sys, "gettotalrefcount"), "not a debug build (no sys.gettotalrefcount)"
before = sys.gettotalrefcount()
keep = [object() for _ in range(1000)]
after = sys.gettotalrefcount()
assert after - before >= 1000, (before, after)
print(json.dumps({"totalrefcount": after, "delta": after - before, "Py_DEBUG": sysconfig.get_config_var("Py_DEBUG"), "abiflags": sys.abiflags}))
