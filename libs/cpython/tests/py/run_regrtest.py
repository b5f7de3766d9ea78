"""Runs CPython's regression tests (`python -m test ...`) the way pywasi needs.

CPython 3.11's test.support assumes WASI has no sockets (has_socket_support = not is_wasi), which
skips test_socket, test_select, test_httpservers, test_urllib2_localnet... wholesale. pywasi's
python.wasm has real POSIX sockets, so this runner declares socket support before regrtest starts.
Likewise socket_helper.has_gethostname (False on WASI: "WASI SDK 15.0 does not provide
gethostname"), which skips test_mailbox, test_smtpd, test_urllib and test_urllib2 at import: it is
set from whether socket.gethostname() answers (pywasi's does).

PYWASI_REGRTEST_IMPORT_AS_POSIX names test modules (comma-separated) whose *import* runs with
support.is_wasi = False: for modules that skip themselves at import time on WASI for a reason that
pywasi removes (test_selectors: "Cannot create socketpair on Emscripten/WASI"; test_os and
test_shutil: "WASI has no /dev/null", "Cannot create invalid FD on WASI"; test_urllib_response:
"Cannot create socket on WASI"). Their other is_wasi
skips then run too and, where WASI really lacks the feature (dup, umask), fail: the manifest lists
them. Checks made while the tests run still see is_wasi = True.

Everything after the script name goes to regrtest unchanged.
"""
import importlib
import os
import socket
import sys

from test import support
from test.support import socket_helper

support.has_socket_support = True
try:
    socket_helper.has_gethostname = bool(socket.gethostname())
except OSError:
    socket_helper.has_gethostname = False

_as_posix = {name for name in os.environ.get("PYWASI_REGRTEST_IMPORT_AS_POSIX", "").split(",") if name}
if _as_posix:
    _import_module = importlib.import_module

    def _import_module_as_posix(name, package=None):
        if name.rpartition(".")[2] not in _as_posix:
            return _import_module(name, package)
        saved = support.is_wasi
        support.is_wasi = False
        try:
            return _import_module(name, package)
        finally:
            support.is_wasi = saved

    importlib.import_module = _import_module_as_posix

from test.libregrtest import main  # noqa: E402

main()
