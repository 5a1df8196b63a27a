"""The embedded engine's HTTP server: moto's request handling, with HTTP/1.1 keep-alive.

werkzeug's development server closes the connection after every response, so each API call pays for a new
TCP connection and a new server thread. This server keeps connections open: it reads each request's body in
full before calling the app (so the connection always sits at the start of the next request) and answers
with an exact Content-Length.
"""
from __future__ import annotations

import io
import os
import socket
import sys
import threading
import traceback
from socketserver import TCPServer, ThreadingMixIn

from ..emulator.flaskless import module as moto_server_module

NO_BODY_STATUSES = {204, 304}
MotoRequestHandler = moto_server_module().MotoRequestHandler  # moto's, loaded without Flask


class KeepAliveHandler(MotoRequestHandler):
    """moto's handler (its environ keeps S3 metadata header spelling), answering without closing."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: do not hold the second one back

    def run_wsgi(self) -> None:  # werkzeug routes every do_METHOD here
        environ = self.make_environ()
        environ["wsgi.input"] = io.BytesIO(read_body(environ))
        environ["labkit.header_lines"] = list(self.headers.items())  # as sent: API Gateway's multiValueHeaders
        status, headers, body = call_app(self.server.app, environ)
        code, _, reason = status.partition(" ")
        sends_body = self.command != "HEAD" and int(code) not in NO_BODY_STATUSES
        self.send_response(int(code), reason)
        for name, value in headers:
            # our own length for a body; for HEAD, the app's: the length a GET would return
            if name.lower() != "content-length" or self.command == "HEAD":
                self.send_header(name, value)
        if sends_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if sends_body:
            self.wfile.write(body)

    def log_request(self, *args, **kwargs) -> None:  # no request log in cell output
        pass


def read_body(environ: dict) -> bytes:
    """The whole request body: to its Content-Length, or to the last chunk of a chunked upload."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        return stream.read()
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return stream.read(length) if length > 0 else b""


TRACEBACK_VARIABLE = "LABKIT_ENGINE_TRACEBACKS"


def error_line(environ: dict, exc: BaseException) -> str:
    """One stderr line for an exception inside the engine: the request, the exception and where it was raised
    (a learner's notebook never shows the engine's traceback; set ``LABKIT_ENGINE_TRACEBACKS=1`` to see it)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    message = " ".join(str(exc).split())[:200]
    return (f"labkit engine: error on {environ['REQUEST_METHOD']} {environ['PATH_INFO']}: "
            f"{type(exc).__name__}: {message}{where}; the call failed with HTTP 500 "
            f"(set {TRACEBACK_VARIABLE}=1 for the traceback)")


def call_app(app, environ: dict) -> tuple[str, list, bytes]:
    """Run the WSGI app to completion; an exception becomes a 500 and one line on stderr (the traceback too
    when ``LABKIT_ENGINE_TRACEBACKS`` is set)."""
    answer: dict = {}
    chunks: list[bytes] = []

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)
        return chunks.append

    try:
        result = app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    except Exception as exc:
        print(error_line(environ, exc), file=sys.stderr)
        if os.environ.get(TRACEBACK_VARIABLE):
            traceback.print_exc(file=sys.stderr)
        return "500 Internal Server Error", [("Content-Type", "text/plain")], b"Internal Server Error"
    return answer["status"], answer["headers"], b"".join(chunks)


class KeepAliveServer(ThreadingMixIn, TCPServer):
    """A thread per open connection; closing the server also closes the connections it still holds."""

    daemon_threads = allow_reuse_address = True
    request_queue_size = 128  # a class connecting at once
    multithread, multiprocess, ssl_context = True, False, None  # what werkzeug's handler asks its server

    def __init__(self, host: str, port: int, app):
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((host, port), KeepAliveHandler)

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self._open_lock:
            for connection in self._open:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
