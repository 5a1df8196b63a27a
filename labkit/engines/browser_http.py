"""The browser engine's address answers plain HTTP too: ``requests`` and ``urllib.request`` calls to it, in-process.

In the page nothing listens on ``http://127.0.0.1:4566`` (Pyodide has no server sockets), yet the labs and checks
fetch URLs the engine hands out, as a browser or ``curl`` would on AWS: S3 presigned URLs, API Gateway invoke URLs
(``labkit.engines.apigateway_invoke.invoke_url``), a Cognito pool's JSON Web Key Set. :func:`install` makes a
request to a running in-process engine's own address (``127.0.0.1`` or ``localhost`` and its port: what
:data:`labkit.engines.inprocess.dispatcher` answers for botocore) go to the engine's WSGI app, exactly as botocore's
calls do (:func:`labkit.engines.inprocess.respond`); every other URL goes out as before.

Two clients are covered, the ones the labs and labkit use: ``requests`` (its ``HTTPAdapter.send``, see
https://requests.readthedocs.io/en/latest/user/advanced/#transport-adapters) and ``urllib.request`` (a handler
tried before the standard ``HTTPHandler``, see
https://docs.python.org/3/library/urllib.request.html#openerdirector-objects).
"""
from __future__ import annotations

import email.message
import http
import io
import urllib.request
import urllib.response
from urllib.parse import urlsplit

from . import inprocess

_installed = False


def answer_here(method: str, url: str, headers, body):
    """The engine's answer (botocore's ``AWSResponse``: ``status_code``, ``headers``, ``content``) to a request for
    ``url`` when a running in-process engine owns its address, else None (the request goes out as usual)."""
    parts = urlsplit(url)
    if parts.hostname not in inprocess.LOCAL_HOSTS or not inprocess.dispatcher.has_engines():
        return None
    engine = inprocess.dispatcher.engine_for(parts.netloc)
    if engine is None:
        return None
    return inprocess.respond(engine.app, method, url, list(headers), inprocess.body_bytes(body))


def reason(code: int) -> str:
    """The standard reason phrase of an HTTP status code (``""`` for one it does not know)."""
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return ""


class EngineHandler(urllib.request.BaseHandler):
    """``urllib.request``: answers a request to the engine's address before ``HTTPHandler`` would open a socket."""

    handler_order = 100  # before the standard handlers (500)

    def http_open(self, request: urllib.request.Request):
        answer = answer_here(request.get_method(), request.full_url, request.header_items(), request.data)
        if answer is None:
            return None
        headers = email.message.Message()
        for name, value in answer.headers.items():
            headers[name] = value
        response = urllib.response.addinfourl(io.BytesIO(answer.content), headers, request.full_url,
                                              answer.status_code)
        response.msg = reason(answer.status_code)  # read by HTTPErrorProcessor, which raises HTTPError for >= 400
        return response


def _requests_send(send):
    def send_here(adapter, request, **kwargs):
        answer = answer_here(request.method, request.url, request.headers.items(), request.body)
        if answer is None:
            return send(adapter, request, **kwargs)
        from requests.models import Response
        from requests.structures import CaseInsensitiveDict
        from requests.utils import get_encoding_from_headers

        response = Response()
        response.status_code, response.reason = answer.status_code, reason(answer.status_code)
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.raw = io.BytesIO(answer.content)
        response.encoding = get_encoding_from_headers(response.headers)
        response.url, response.request, response.connection = request.url, request, adapter
        return response

    send_here.__wrapped__ = send
    return send_here


def install() -> None:
    """Route ``requests`` and ``urllib.request`` calls to a running in-process engine's address to it (idempotent;
    ``urllib.request``'s default opener is replaced by one with :class:`EngineHandler` first)."""
    global _installed
    if _installed:
        return
    import requests.adapters

    requests.adapters.HTTPAdapter.send = _requests_send(requests.adapters.HTTPAdapter.send)
    urllib.request.install_opener(urllib.request.build_opener(EngineHandler()))
    _installed = True


__all__ = ["EngineHandler", "answer_here", "install"]
