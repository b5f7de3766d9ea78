"""requests (Debian's packages, from ./deps) over HTTPS to a native server; prints a JSON report.

Usage: tls_requests.py PORT. requests verifies with certifi's bundle: Debian's certifi names
/etc/ssl/certs/ca-certificates.crt, where the host serves the guest's default trust.
"""
import json
import sys

import certifi
import requests

port = int(sys.argv[1])
session = requests.Session()
get = session.get(f"https://localhost:{port}/hello", timeout=20)
post = session.post(f"https://localhost:{port}/echo", data="from requests", timeout=20)
print(json.dumps({
    "requests": requests.__version__,
    "where": certifi.where(),
    "get": {"status": get.status_code, "body": get.text},
    "post": {"status": post.status_code, "body": post.text},
}))
