# A Flask app served by its own development server, app.run(): werkzeug's run_simple binds a
# socket, hands its fd to the server class (socket.fromfd, a dup) and serves. dup.test.ts talks to
# it from a native client.
import sys

from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello from flask in python.wasm"


@app.route("/echo", methods=["POST"])
def echo():
    return b"echo: " + request.get_data()


app.run(host="127.0.0.1", port=int(sys.argv[1]))
