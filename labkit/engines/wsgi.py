"""labkit's own route on an embedded engine's server: ``/_labkit/health``, so clients can tell it from LocalStack."""
from __future__ import annotations

import json

HEALTH_PATH = "/_labkit/health"


class HealthRoute:
    def __init__(self, app, document: dict):
        self.app, self.body = app, json.dumps(document).encode()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(self.body)))])
            return [self.body]
        return self.app(environ, start_response)
