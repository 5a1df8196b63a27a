"""In-process dispatch: botocore requests answered by the embedded engine's WSGI app in the calling thread, no HTTP.

The embedded engine serves one WSGI app (moto's ``DomainDispatcherApplication`` wrapped by labkit: the host-lookup
cache, API Gateway's execute-api router, the ``/_labkit/health`` route). Over HTTP, every call from the notebook
went through a socket to a server thread of the same process, which fought the kernel for the GIL. Here a
botocore ``before-send`` handler turns the prepared request into a WSGI environ, calls that same app and hands
botocore the answer: the same code answers both paths, so the same behaviour, accounts and regions hold on both.

Which requests are answered here (:meth:`Dispatcher.__call__`):

- a request to an engine's own address (``http://127.0.0.1:<port>``, or ``localhost:<port>``, which moto's Step
  Functions runner uses through ``MOTO_PORT``), while that engine runs;
- a request to an AWS endpoint (``*.amazonaws.com``), from a plain boto3 client made in this process after the
  engine started, while an in-process embedded engine runs and the process's engine is not ``aws``: such a
  client never reaches AWS (and it signs with the emulator's dummy credentials, see :func:`use_dummy_credentials`).

Anything else (LocalStack, a real AWS engine, another URL) passes through untouched.
"""
from __future__ import annotations

import io
import os
import threading
from urllib.parse import unquote, urlsplit

from botocore.awsrequest import AWSResponse, HeadersDict

from ..emulator.speedups import environ_key
from .http_server import NO_BODY_STATUSES, call_app

LOCAL_HOSTS = ("127.0.0.1", "localhost")
AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")
UNSENT = ("HTTP_EXPECT", "HTTP_TRANSFER_ENCODING", "CONTENT_LENGTH")  # the environ keys of headers left out
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                        "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


class RawBody(io.BytesIO):
    """The response body as botocore reads it from urllib3 (``read`` and ``stream``)."""

    def stream(self, amt: int = 65536, **_):
        while True:
            chunk = self.read(amt)
            if not chunk:
                return
            yield chunk


def header_pairs(headers) -> list[tuple[str, str]]:
    """``list(headers.items())`` of a botocore request's headers: (name as set, value) pairs in order. A
    ``HeadersDict`` is read from its dict of case-insensitive keys (``str`` of one is the name as set), without
    the key ``items()`` makes again to look each value up (about 6 -> 1 us a request)."""
    if type(headers) is HeadersDict:
        return [(str(key), value) for key, value in headers._dict.items()]
    return list(headers.items())


def body_bytes(body) -> bytes:
    """A prepared request's body as bytes (botocore gives bytes, str, a file object or None)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        if hasattr(body, "seek"):
            try:
                body.seek(0)  # a retry reads it again
            except (OSError, ValueError):
                pass
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(part if isinstance(part, bytes) else str(part).encode() for part in body)


def latin1(text: str) -> str:
    """WSGI's "bytes as latin-1" form of a str (PEP 3333), as werkzeug's server builds it."""
    return text.encode("utf-8").decode("latin-1")


_moto_names: tuple = ()  # moto.core.request's preserved-names environ key and should_preserve_original_header_name


def make_environ(method: str, url: str, headers, body: bytes) -> dict:
    """The WSGI environ werkzeug's server (with moto's request handler) would build for this request.

    ``headers``: (name, value) pairs. Names with an underscore are dropped, as werkzeug does, except S3
    metadata headers (``x-amz-meta-my_key``), whose spelling moto keeps (``moto.core.request``). The body is whole
    in ``wsgi.input``, so the environ says the input is terminated (``wsgi.input_terminated``, as a server that
    de-chunks sets it): werkzeug reads it as it is instead of wrapping it in a length-limited stream.
    """
    global _moto_names
    if not _moto_names:  # bound once, not imported on every request
        from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY, should_preserve_original_header_name

        _moto_names = (PRESERVED_HEADER_NAMES_ENVIRON_KEY, should_preserve_original_header_name)
    PRESERVED_HEADER_NAMES_ENVIRON_KEY, should_preserve_original_header_name = _moto_names
    parts = urlsplit(url)
    raw_path = parts.path or "/"
    raw_uri = raw_path + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    environ = {
        "wsgi.version": (1, 0), "wsgi.url_scheme": parts.scheme or "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(), "wsgi.multithread": True, "wsgi.multiprocess": False,
        "wsgi.run_once": False, "wsgi.input_terminated": True, "SERVER_SOFTWARE": "labkit-inprocess",
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": latin1(unquote(raw_path)),
        "QUERY_STRING": latin1(parts.query), "REQUEST_URI": latin1(raw_uri), "RAW_URI": latin1(raw_uri),
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": 0, "SERVER_NAME": host, "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    names: dict[str, str] = {}
    preserved: dict[str, list[str]] = {}
    dashed = ({environ_key(name) for name, _ in headers if "_" not in name}
              if any("_" in name for name, _ in headers) else set())  # only an underscored name needs it
    lines = []
    for name, value in headers:
        if type(value) is not str:
            value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if "\r\n" in value:
            value = value.replace("\r\n", "")
        key = environ_key(name)
        if key in UNSENT and "_" not in name:
            continue  # the body is whole here: its length is set below
        lines.append((name, value))
        if "_" in name:
            if should_preserve_original_header_name(name) and key not in dashed:
                names.setdefault(key, name)
                preserved.setdefault(key, []).append(value)
            continue
        if key != "CONTENT_TYPE" and key in environ:
            value = f"{environ[key]},{value}"
        environ[key] = value
    for key, values in preserved.items():
        environ[key] = ",".join(values)
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = names
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.setdefault("HTTP_HOST", parts.netloc)
    environ["labkit.header_lines"] = lines + [("Content-Length", str(len(body)))]
    return environ


def respond(app, method: str, url: str, headers, body: bytes) -> AWSResponse:
    """Call the WSGI ``app`` with this request; botocore's response object (an app exception: a 500, as over HTTP)."""
    environ = make_environ(method, url, headers, body)
    status, header_list, data = call_app(app, environ)
    code = int(status.split(" ", 1)[0])
    answer: dict[str, str] = {}
    for name, value in header_list:
        if name in answer:
            answer[name] = f"{answer[name]}, {value}"
        else:
            answer[name] = str(value)
    if method == "HEAD" or code in NO_BODY_STATUSES:
        data = b""
    else:
        answer = {k: v for k, v in answer.items() if k.lower() != "content-length"}
        answer["Content-Length"] = str(len(data))
    return AWSResponse(url, code, answer, RawBody(data))


class Dispatcher:
    """The ``before-send`` handler: answers a request in-process when one of this process's engines should.

    Engines register with :meth:`add` (their address and WSGI app) and leave with :meth:`remove`.
    """

    def __init__(self):
        self._by_netloc: dict[str, object] = {}  # "127.0.0.1:5123" → engine
        self._engines: list = []  # running in-process engines, newest last
        self._lock = threading.Lock()
        self.calls = 0

    def add(self, engine, port: int) -> None:
        with self._lock:
            for host in LOCAL_HOSTS:
                self._by_netloc[f"{host}:{port}"] = engine
            self._engines.append(engine)

    def remove(self, engine) -> None:
        with self._lock:
            self._by_netloc = {k: v for k, v in self._by_netloc.items() if v is not engine}
            self._engines = [known for known in self._engines if known is not engine]

    def has_engines(self) -> bool:
        return bool(self._engines)

    def engine_for(self, netloc: str):
        """The engine that answers a request to ``netloc``, or None (the request goes out as usual)."""
        engine = self._by_netloc.get(netloc)
        if engine is not None or not self._engines:
            return engine
        host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
        if not host.endswith(AWS_DOMAINS):
            return None
        from . import _current

        if _current is not None and _current.name == "aws":
            return None  # the explicit opt-out: real AWS, nothing captured
        if any(engine is _current for engine in self._engines):
            return _current
        return self._engines[-1]

    def __call__(self, request, **_):
        if not self._engines:
            return None
        netloc = urlsplit(request.url).netloc
        engine = self.engine_for(netloc)
        if engine is None:
            return None
        headers = header_pairs(request.headers)
        if netloc not in self._by_netloc and engine.account_id != engine.default_account:
            if not any(name.lower() == "x-moto-account-id" for name, _ in headers):
                headers.append(("x-moto-account-id", engine.account_id))  # as labkit's own clients send it
        self.calls += 1
        return respond(engine.app, request.method, request.url, headers, body_bytes(request.body))


dispatcher = Dispatcher()
_registered = False
_saved_environment: dict[str, str | None] | None = None


def register() -> None:
    """Have every botocore session made from now on (and boto3's default one, made anew) consult the dispatcher."""
    global _registered
    import boto3
    from botocore.handlers import BUILTIN_HANDLERS

    if not _registered:
        BUILTIN_HANDLERS.append(("before-send", dispatcher))
        _registered = True
    boto3.DEFAULT_SESSION = None  # made before: without the handler, and maybe with the learner's credentials


def use_dummy_credentials(region: str, credentials: dict) -> None:
    """While an in-process engine runs, plain boto3 in this process signs with the emulator's dummy keys.

    The learner's own keys (environment or profile) would never leave the process anyway, but this keeps them out
    of the emulator's state and lets boto3 work where no credentials are configured; the region defaults to the
    engine's. :func:`restore_credentials` puts the previous environment back.
    """
    global _saved_environment
    if _saved_environment is None:
        _saved_environment = {name: os.environ.get(name) for name in (*CREDENTIAL_VARIABLES, "AWS_DEFAULT_REGION")}
    for name in CREDENTIAL_VARIABLES:
        os.environ.pop(name, None)
    os.environ["AWS_ACCESS_KEY_ID"] = credentials["aws_access_key_id"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = credentials["aws_secret_access_key"]
    if not _saved_environment.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
        os.environ["AWS_DEFAULT_REGION"] = region


def restore_credentials() -> None:
    """The environment's AWS variables as they were before the first in-process engine started."""
    global _saved_environment
    if _saved_environment is None:
        return
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_environment = None
    import boto3

    boto3.DEFAULT_SESSION = None
