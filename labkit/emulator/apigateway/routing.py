"""Which stage, resource and method a request to a REST API reaches, and the request as API Gateway reads it.

The embedded engine serves LocalStack's URL form, so the same lab URL works on both engines::

    {endpoint}/restapis/{api_id}/{stage}/_user_request_/{path}

A resource is chosen among the resources of the stage's deployment (:mod:`.deployments`), the most specific first:
literal path parts, then ``{param}``, then a greedy ``{proxy+}`` (which needs at least one path part: ``/files``
does not match ``/files/{proxy+}``), as AWS documents in "Set up a proxy integration with a proxy resource". No
resource or no method (nor ``ANY``): ``403 {"message": "Missing Authentication Token"}``, as on AWS.

Repeated headers and query string parameters are kept apart, as the Lambda proxy event shows them
("Input format of a Lambda function for proxy integration"): the ``multiValue…`` maps hold every value in the
order sent; the single-value maps hold the last one.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from ... import engines

URL_PATTERN = re.compile(r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?$")

#: where :class:`labkit.engines.http_server.KeepAliveHandler` puts the request's header lines, as sent (WSGI joins
#: repeated headers with commas and changes their spelling; API Gateway keeps both)
HEADER_LINES = "labkit.header_lines"

STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently",
               302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
               502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def invoke_url(api_id: str, stage: str, engine=None) -> str:
    """The base URL that invokes ``stage`` of REST API ``api_id`` on the current engine (no trailing slash)."""
    engine = engine or engines.current()
    if engine.name == "aws":
        return f"https://{api_id}.execute-api.{engine.region}.amazonaws.com/{stage}"
    return f"{engine.endpoint_url}/restapis/{api_id}/{stage}/_user_request_"


class Reply(Exception):
    """A response API Gateway itself produces (an error, a MOCK answer); ``reason`` goes to ``x-labkit-apigateway``.

    ``kind``: its gateway response type (``MISSING_AUTHENTICATION_TOKEN`` …), None for the class default.
    """

    def __init__(self, status: int, body, reason: str, headers: dict | None = None, kind: str | None = None):
        super().__init__(reason)
        self.status, self.reason, self.headers, self.kind = status, reason, dict(headers or {}), kind
        self.body = body if isinstance(body, (bytes, str)) else json.dumps(body)


def missing_token(reason: str) -> Reply:
    """AWS's answer when no stage, resource or method matches: 403 Missing Authentication Token."""
    return Reply(403, {"message": "Missing Authentication Token"}, reason, kind="MISSING_AUTHENTICATION_TOKEN")


@dataclass
class Request:
    """One client request as API Gateway sees it.

    ``headers``/``query``: name → every value in the order sent (header names spelt as the client sent them);
    ``body``: the raw bytes.
    """
    method: str
    path: str
    headers: dict[str, list[str]]
    query: dict[str, list[str]]
    body: bytes
    source_ip: str
    protocol: str
    path_parameters: dict[str, str] = field(default_factory=dict)

    def header(self, name: str, default: str | None = None) -> str | None:
        """The last value of header ``name`` (any case), as the single-value ``headers`` map holds it."""
        wanted = name.lower()
        for key, values in self.headers.items():
            if key.lower() == wanted:
                return values[-1]
        return default

    def single_headers(self) -> dict[str, str]:
        return last_values(self.headers)

    def single_query(self) -> dict[str, str]:
        return last_values(self.query)


def read_request(environ, path: str) -> Request:
    """The :class:`Request` in a WSGI ``environ`` (its body already read in full by the server)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ.get("wsgi.input")
    body = stream.read(length) if (stream is not None and length) else b""
    return Request(method=environ.get("REQUEST_METHOD", "GET").upper(), path=path,
                   headers=group(header_lines(environ)),
                   query=group(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)),
                   body=body, source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
                   protocol=environ.get("SERVER_PROTOCOL", "HTTP/1.1"))


def header_lines(environ) -> list[tuple[str, str]]:
    """The request's header lines, as sent when the server kept them, else rebuilt from the WSGI environ."""
    lines = environ.get(HEADER_LINES)
    if lines is not None:
        return [(name, value) for name, value in lines]
    rebuilt = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            rebuilt.append(("-".join(w.capitalize() for w in key[5:].split("_")), value))
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            rebuilt.append((name, environ[key]))
    return rebuilt


def group(pairs) -> dict[str, list[str]]:
    """``[(name, value), …]`` → name → values in order; names compare without case (first spelling kept)."""
    grouped: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    for name, value in pairs:
        key = spelling.setdefault(name.lower(), name)
        grouped.setdefault(key, []).append(value)
    return grouped


def last_values(multi: dict[str, list[str]]) -> dict[str, str]:
    """The single-value view of a multi-value map: the last value of each name."""
    return {name: values[-1] for name, values in multi.items() if values}


def match_resource(resources, path: str):
    """The most specific resource for ``path`` and its path parameters (literal > ``{param}`` > ``{proxy+}``).

    ``resources``: objects with ``path`` (``/pets/{id}``); returns ``(resource, {name: value})`` or ``(None, {})``.
    """
    parts = [p for p in path.split("/") if p]
    best, best_score, best_params = None, None, {}
    for resource in resources:
        template = [p for p in resource.path.split("/") if p]
        params, score = {}, []
        ok = True
        for i, piece in enumerate(template):
            if piece.startswith("{") and piece.endswith("+}"):
                if i != len(template) - 1 or len(parts) <= i:
                    ok = False
                else:
                    params[piece[1:-2]] = "/".join(parts[i:])
                    score.append(0)
                break
            if i >= len(parts):
                ok = False
                break
            if piece.startswith("{") and piece.endswith("}"):
                params[piece[1:-1]] = parts[i]
                score.append(1)
            elif piece == parts[i]:
                score.append(2)
            else:
                ok = False
                break
        else:
            ok = ok and len(template) == len(parts)
        if ok and (best_score is None or score > best_score):
            best, best_score, best_params = resource, score, params
    return best, best_params


def arn_path(path: str) -> str:
    """The request path as it appears in the method ARN: without its leading and trailing slashes.

    A REST API routes ``/hello/`` exactly as ``/hello`` (:func:`match_resource` ignores empty segments), and the
    method ARN API Gateway checks against a Lambda permission's ``SourceArn`` and hands to authorizers ends in
    ``GET/hello`` for both: on AWS the URL ``sam init`` outputs, ``…/Prod/hello/``, answers through SAM's
    ``…/GET/hello`` permission. AWS documents no page on it; observed and relied on in
    aws-powertools/powertools-lambda-python#1552 (and PR #1609, "AWS API Gateway routes /my/path/ exactly as
    /my/path") and aws/chalice#65. The proxy event's ``path`` keeps the slash the client sent.
    """
    return path.strip("/")


def find_method(resource, verb: str):
    """The method of ``resource`` for ``verb``, else its ``ANY`` method, else None."""
    return resource.methods.get(verb) or resource.methods.get("ANY")


def error_type(status: int) -> str:
    """The ``x-amzn-ErrorType`` API Gateway sends with its own error responses."""
    return {401: "UnauthorizedException", 403: "ForbiddenException", 404: "NotFoundException",
            429: "TooManyRequestsException"}.get(status, "InternalServerErrorException" if status >= 500 else
                                                 "BadRequestException")
