"""Fetches a URL with urllib.request (GET and POST); prints one JSON line with what came back."""
import json
import sys
import urllib.request

url = sys.argv[1]
with urllib.request.urlopen(url, timeout=10) as response:
    get = {"status": response.status, "body": response.read().decode(), "type": response.headers["Content-Type"]}
request = urllib.request.Request(url + "echo", data=b"from python.wasm", method="POST")
with urllib.request.urlopen(request, timeout=10) as response:
    post = {"status": response.status, "body": response.read().decode()}
print(json.dumps({"get": get, "post": post}))
