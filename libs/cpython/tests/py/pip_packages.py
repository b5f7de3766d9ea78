"""Uses rich, attrs and httpx (with its dependencies) that `pywasi pip install` put into ./deps.

rich prints a table (no colour, fixed width); attrs makes a class; httpx builds a request and
sends one through a MockTransport (no server). The last line is a JSON report.
"""
import json

import attrs
import h11
import httpcore
import httpx
from rich.console import Console
from rich.table import Table


@attrs.define
class Wheel:
    name: str
    version: str


wheels = [Wheel("attrs", attrs.__version__), Wheel("httpx", httpx.__version__), Wheel("h11", h11.__version__)]
table = Table(title="in python.wasm")
table.add_column("package")
table.add_column("version", justify="right")
for wheel in wheels:
    table.add_row(wheel.name, wheel.version)
Console(width=60, color_system=None, force_terminal=False).print(table)

request = httpx.Request("POST", "https://example.org/items", params={"q": "wasm"}, json={"n": 1}, headers={"X-Test": "1"})


def handler(sent: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"echo": json.loads(sent.content), "path": sent.url.path})


with httpx.Client(transport=httpx.MockTransport(handler), base_url="https://example.org") as client:
    response = client.post("/items", json={"n": 2})

print(
    json.dumps(
        {
            "wheel": repr(wheels[0]),
            "url": str(request.url),
            "method": request.method,
            "content_type": request.headers["content-type"],
            "body": request.content.decode(),
            "status": response.status_code,
            "reply": response.json(),
            "files": {name: module.__file__ for name, module in [("attrs", attrs), ("httpx", httpx), ("httpcore", httpcore)]},
        }
    )
)
