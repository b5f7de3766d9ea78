"""The whole 3.11 standard library is in python311.zip (stdlib.test.ts): modules that were left
out before import and work, and data files modules read are there."""
import importlib
import importlib.util
import json
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
names = [
    "asyncore", "asynchat", "smtpd", "_pyio", "_pydecimal", "mailbox", "cgi", "cgitb", "imghdr",
    "sndhdr", "pipes", "aifc", "chunk", "sunau", "uu", "xdrlib", "mailcap", "nntplib", "telnetlib",
    "distutils.version", "distutils.util", "lib2to3.refactor", "pydoc_data.topics", "webbrowser",
    "email.mime.image", "venv", "ensurepip", "_osx_support", "_aix_support", "__phello__",
]
report = {"missing": [n for n in names if importlib.util.find_spec(n) is None]}
for n in names:
    importlib.import_module(n)

from distutils.version import LooseVersion
import _pydecimal
import _pyio
import imghdr
import io
import pydoc
import pydoc_data.topics
from email.mime.image import MIMEImage
from lib2to3 import pygram, pytree  # noqa: F401 (loads Grammar.txt from the zip)
from lib2to3.refactor import RefactoringTool, get_fixers_from_package

png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
tool = RefactoringTool(get_fixers_from_package("lib2to3.fixes"))
report.update(
    loose=LooseVersion("1.10") > LooseVersion("1.9"),
    decimal=str(_pydecimal.Decimal("1.1") + _pydecimal.Decimal("2.2")),
    pyio=_pyio.BytesIO(b"abc").read(),
    imghdr=imghdr.what(None, png),
    mime=MIMEImage(png).get_content_type(),
    topics="if" in pydoc_data.topics.topics,
    lib2to3=str(tool.refactor_string("print 'x'\n", "<stdin>")).strip(),
    # pydoc's (and xmlrpc.server's) documentation server serves its style sheet from the zip.
    css="CSS file for pydoc" in pydoc._url_handler("pydoc_data/_pydoc.css", "text/css"),
)
report["pyio"] = report["pyio"].decode()
print(json.dumps(report))
