"""Imports the package `pywasi pip install` put into ./deps and uses it."""
import json
import sys

import hello_pywasi
from hello_pywasi import greet

assert "/deps/" in hello_pywasi.__file__, hello_pywasi.__file__
print(json.dumps({"greeting": greet("wasm"), "version": hello_pywasi.__version__, "file": hello_pywasi.__file__, "data": hello_pywasi.read_data()}))
