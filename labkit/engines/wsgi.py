"""labkit's own parts of an embedded engine's server: the route ``/_labkit/health``, so clients can tell it from
LocalStack, and, on ``python -m labkit serve``, the request's "Differs from AWS" notices in a response header."""
from __future__ import annotations

import json

from ..emulator.notices import HEADER, collected

HEALTH_PATH = "/_labkit/health"


class HealthRoute:
    def __init__(self, app, document: dict):
        self.app, self.body = app, json.dumps(document).encode()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(self.body)))])
            return [self.body]
        return self.app(environ, start_response)


class NoticeHeader:
    """WSGI app: ``app``, with the ids of the notices (:mod:`labkit.emulator.notices`) its request raised in the
    ``x-labkit-differences`` response header (``id1,id2``; no header when there is none), so that a shared engine's
    client shows them in the learner's cell. Every request carries its own, not only the process's first.

    The answer is buffered (the header must wait for the last notice): the keep-alive front buffers it anyway.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        answer: list = []

        def hold(status, headers, exc_info=None):
            answer[:] = [status, list(headers), exc_info]
            return chunks.append

        chunks: list[bytes] = []
        with collected() as ids:
            result = self.app(environ, hold)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        status, headers, exc_info = answer
        if ids:
            headers.append((HEADER, ",".join(ids)))
        start_response(status, headers, exc_info)
        return chunks
