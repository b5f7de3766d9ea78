"""http.server's ThreadingHTTPServer (what `python -m http.server` runs) serving 8 clients at once:
each handler waits in a Barrier(8) before it answers, so every answer shows that 8 requests were
being handled at the same time, each on a thread of its own. GET /ping answers at once (for a
readiness poll); after 8 barrier requests the server stops. argv[1]: the port."""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENTS = 8
barrier = threading.Barrier(CLIENTS, timeout=60)
served = threading.Semaphore(0)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/ping":
            body = b"pong"
        else:
            arrived = barrier.wait()  # returns once CLIENTS handlers are waiting
            body = f"{threading.current_thread().name} {arrived}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.path != "/ping":
            served.release()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
for _ in range(CLIENTS):
    served.acquire()
server.shutdown()
server.server_close()
print(f"served {CLIENTS} clients at once", flush=True)
