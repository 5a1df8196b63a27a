"""moto's server without Flask: its dispatcher and a WSGI app per service, Flask imported only when a request needs it.

moto's server (``moto/moto_server/werkzeug_app.py``) picks a service for each request
(``DomainDispatcherApplication``) and answers it with a Flask app per service (``create_backend_app``: moto's views in
a werkzeug URL map, flask-cors's ``Access-Control-Allow-Origin``). That module imports Flask and flask-cors at its
top, and ``moto/moto_server/utilities.py`` Flask's test client: Flask, jinja2, click, itsdangerous, blinker and the
debugger's modules in every lab's kernel (measured: about 3.5 MB), for requests whose views never use them.

:func:`module` runs moto's own source of those two modules with each name they import from Flask bound to a small
stand-in of labkit's (:data:`STAND_INS`), so the dispatcher, the request class and ``create_backend_app`` are
moto's code. ``create_backend_app`` then builds a :class:`ServiceApp` in place of a Flask app: the same URL map and
views, and a WSGI app that answers as moto's Flask app answers (moto's ``convert_to_flask_response`` around the
view, Flask's handling of an HTTP error, a routing error or a view's exception in moto's debug mode, and
flask-cors's header). A request whose CORS answer depends on it (``OPTIONS``, an ``Origin`` header) is answered by
moto's real Flask app for the service, made (and Flask imported) the first time such a request comes.

``tests/test_emulator_flaskless.py`` compares every kind of answer with moto's Flask app, request by request, and
fails when moto imports more of Flask than labkit stands in for (then :func:`module` falls back to moto's modules,
Flask and all: the same answers, the memory back).
"""
from __future__ import annotations

import ast
import importlib.util
import threading
import types

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from .registry import Patch

WERKZEUG_APP = "moto.moto_server.werkzeug_app"
UTILITIES = "moto.moto_server.utilities"
COPIED = (UTILITIES, WERKZEUG_APP)  # moto's modules run without Flask; an import of one from the other gets the copy
FLASK_PACKAGES = ("flask", "flask_cors")
ORIGIN_HEADERS = ("HTTP_ORIGIN", "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK")  # what flask-cors answers to
CORS_HEADERS = (("Access-Control-Allow-Origin", "*"),)  # flask-cors (moto's CORS(app)) on a same-origin answer
FLASK_SERVICES = ("moto_api",)  # moto's dashboard (/moto-api/) renders Flask templates in Flask's app context

PATCHES = [
    Patch(
        name="flaskless-server",
        changes="The embedded engine runs moto's moto_server/werkzeug_app.py and utilities.py from their source with "
                "the names they import from flask/flask_cors bound to labkit's stand-ins (a per-service WSGI app "
                "answering as moto's Flask app in debug mode, werkzeug's request and response with Flask's defaults, "
                "flask-cors's header); OPTIONS and cross-origin requests go to moto's real Flask app, made lazily.",
        symbols=("moto.moto_server.werkzeug_app.DomainDispatcherApplication",
                 "moto.moto_server.werkzeug_app.create_backend_app", "moto.moto_server.werkzeug_app.BackendRequest",
                 "moto.moto_server.werkzeug_app.MotoRequestHandler", "moto.moto_server.utilities.RegexConverter",
                 "moto.core.utils.convert_to_flask_response", "moto.core.request.normalize_request",
                 "moto.settings.DISABLE_GLOBAL_CORS", "flask.Flask.add_url_rule", "flask.Flask.create_url_adapter",
                 "flask.Flask.trap_http_exception", "flask.Flask.handle_http_exception", "flask.Response",
                 "flask.Request", "flask_cors.CORS"),
        upstream="moto/moto_server/werkzeug_app.py: import Flask and flask-cors inside create_backend_app (and "
                 "FlaskClient inside utilities' AWSTestHelper), so the dispatcher loads without them.",
    ),
]


class Request(WerkzeugRequest):
    """``flask.Request``'s stand-in (the base of moto's ``BackendRequest``): werkzeug's request with the limits
    Flask's request reads from its app's configuration, at Flask's defaults (``MAX_CONTENT_LENGTH``,
    ``MAX_FORM_MEMORY_SIZE``, ``MAX_FORM_PARTS``; moto's request sets its own form memory size)."""

    max_content_length = None
    max_form_memory_size = 500_000
    max_form_parts = 1_000


class Response(WerkzeugResponse):
    """``flask.Response``'s stand-in: werkzeug's response with Flask's default mimetype (``text/html``)."""

    default_mimetype = "text/html"


def cors(app, **_) -> None:
    """``flask_cors.CORS``'s stand-in: ``app`` adds flask-cors's header (:data:`CORS_HEADERS`) to its answers."""
    app.cors_headers = CORS_HEADERS


class ServiceApp:
    """``flask.Flask``'s stand-in in moto's ``create_backend_app``, and the WSGI app of one moto service.

    moto's code sets ``debug``, ``service``, ``request_class``, ``url_map`` (with its regex converter) and
    ``view_functions`` and adds its rules with :meth:`add_url_rule`, as on a Flask app. A request is answered as
    moto's Flask app answers it: the URL map's rule (a ``NotFound``, ``MethodNotAllowed`` or redirect otherwise,
    answered by the exception itself), its view called as moto's ``convert_to_flask_response`` calls it
    (:func:`call_view`), an HTTP exception out of the view answered by itself, a ``BadRequestKeyError`` or any other
    exception propagated (Flask's debug mode, which moto turns on), flask-cors's header added unless the answer
    has its own. ``OPTIONS`` and cross-origin requests, any app moto did not put in debug mode and the services of
    :data:`FLASK_SERVICES` are answered by :meth:`flask_app`. ``direct``: how many requests were answered without
    Flask (tests read it).
    """

    cors_headers: tuple = ()  # set by moto's CORS(app) (see cors)

    def __init__(self, import_name: str, template_folder: str | None = None):
        self.import_name, self.template_folder = import_name, template_folder
        self.debug = False
        self.service = None
        self.request_class = Request
        self.view_functions: dict = {}
        self.url_map = Map()
        self._adapter = None  # the URL map bound once (see match)
        self._flask = None
        self._flask_lock = threading.Lock()
        self._by_flask: bool | None = None  # every request to Flask (worked out at the first, once moto set it up)
        self.direct = 0
        from moto.core.utils import convert_to_flask_response
        from werkzeug.exceptions import BadRequestKeyError, HTTPException

        self._names = (convert_to_flask_response, HTTPException, BadRequestKeyError)  # read on every request

    def add_url_rule(self, rule: str, endpoint: str, view_func, methods, **options) -> None:
        """Flask's ``add_url_rule`` as moto calls it: a werkzeug ``Rule`` for the methods (upper-cased) and options."""
        self.url_map.add(Rule(rule, methods={method.upper() for method in methods}, endpoint=endpoint, **options))
        self.view_functions[endpoint] = view_func

    def __call__(self, environ, start_response):
        if self._by_flask is None:
            self._by_flask = not self.debug or self.service in FLASK_SERVICES
        if (self._by_flask or environ.get("REQUEST_METHOD") == "OPTIONS"
                or any(name in environ for name in ORIGIN_HEADERS)):
            return self.flask_app()(environ, start_response)  # CORS headers that depend on the request
        convert_to_flask_response, HTTPException, BadRequestKeyError = self._names
        request = self.request_class(environ)
        try:
            rule, _ = self.match(request)
            view = self.view_functions[rule.endpoint]
            if type(view) is not convert_to_flask_response:
                return self.flask_app()(environ, start_response)
            response = call_view(view.callback, request)
        except HTTPException as error:  # Flask's handle_user_exception in debug mode, no error handlers
            if isinstance(error, BadRequestKeyError):
                raise  # Flask traps it in debug mode: it propagates
            response = Response.force_type(error, environ)
        # flask-cors leaves a view's own CORS headers; werkzeug's `in` raises and catches a BadRequestKeyError when
        # the name is absent (as it is in nearly every answer), so the names are compared here
        if self.cors_headers and all(name.lower() != "access-control-allow-origin" for name, _ in response.headers):
            for name, value in self.cors_headers:
                response.headers.add(name, value)
        self.direct += 1
        return response(environ, start_response)

    def match(self, request):
        """``(rule, arguments)`` of the view ``request`` goes to, as Flask's ``create_url_adapter(request).match(
        return_rule=True)`` finds them; werkzeug's HTTPException when none (or a redirect). Flask binds the URL map
        to each request's environ; moto's map matches only the path, the method and the websocket flag, so it is
        bound once and given those three, and a request without a path, a websocket upgrade or one that matches
        nothing is matched the way Flask does (a redirect names the request's host)."""
        environ = request.environ
        if environ.get("PATH_INFO") and "HTTP_UPGRADE" not in environ:
            if self._adapter is None:
                self._adapter = self.url_map.bind("", subdomain=self.url_map.default_subdomain or "")
            try:
                return self._adapter.match(path_info=request.path, method=request.method, return_rule=True,
                                           websocket=False)
            except self._names[1]:
                pass
        return self.url_map.bind_to_environ(environ, server_name=None,
                                            subdomain=self.url_map.default_subdomain or "").match(return_rule=True)

    def flask_app(self):
        """moto's own Flask app for this service (made once; imports Flask): same views, same state."""
        if self._flask is None:
            with self._flask_lock:
                if self._flask is None:
                    from moto.moto_server.werkzeug_app import create_backend_app

                    self._flask = create_backend_app(self.service)
        return self._flask


_view_names: tuple = ()  # botocore's ClientError, moto's normalize_request and recorder: bound at the first view


def call_view(callback, request):
    """What moto's ``convert_to_flask_response.__call__`` does with Flask's current request: the callback's
    answer as a Flask response (moto/core/utils.py, moto 5.2.5)."""
    global _view_names
    if not _view_names:  # bound once: three import statements cost about 4 us on every request
        from botocore.exceptions import ClientError
        from moto.core.request import normalize_request
        from moto.moto_api import recorder

        _view_names = (ClientError, normalize_request, recorder)
    ClientError, normalize_request, recorder = _view_names
    try:
        request = normalize_request(request)
        recorder._record_request(request)
        # dict(request.headers) as moto passes it, in one pass (dict() of the headers looks each name up again)
        result = callback(request, request.raw_url, dict(request.headers.items()))
    except ClientError as exc:
        result = 400, {}, exc.response["Error"]["Message"]
    if len(result) == 3:
        status, headers, content = result
    else:
        status, headers, content = 200, {}, result
    response = Response(response=content, status=status, headers=headers)
    if request.method == "HEAD" and "content-length" in headers:
        response.headers["Content-Length"] = headers["content-length"]
    return response


STAND_INS = {"flask.Flask": ServiceApp, "flask.Request": Request, "flask.Response": Response,
             "flask_cors.CORS": cors, "flask.testing.FlaskClient": object}  # moto's test client: unused here

_copies: dict[str, types.ModuleType] = {}
_lock = threading.RLock()  # a copy may load another copy (werkzeug_app imports utilities)


def module(name: str = WERKZEUG_APP) -> types.ModuleType:
    """moto's module ``name`` (one of :data:`COPIED`) without Flask, made once (:func:`load`); moto's module itself
    when its source imports something of Flask that has no stand-in, or no longer parses as labkit expects."""
    if name not in _copies:
        with _lock:
            if name not in _copies:
                try:
                    _copies[name] = load(name)
                except (ImportError, SyntaxError):
                    _copies[name] = importlib.import_module(name)
    return _copies[name]


def load(name: str) -> types.ModuleType:
    """Run moto's module ``name`` from its source file in a new module object (not in ``sys.modules``): each
    ``from flask… import X`` is left out and ``X`` bound to its :data:`STAND_INS` entry; an import from another
    module of :data:`COPIED` takes that module's copy. ``ImportError`` naming what has no stand-in."""
    spec = importlib.util.find_spec(name)
    tree = ast.parse(spec.loader.get_source(name), spec.origin)
    bound: dict = {}

    class LeaveFlaskOut(ast.NodeTransformer):
        def visit_Import(self, node):
            if any(alias.name.split(".")[0] in FLASK_PACKAGES for alias in node.names):
                raise ImportError(f"{name} imports {', '.join(a.name for a in node.names)}: no stand-in")
            return node

        def visit_ImportFrom(self, node):
            source = importlib.util.resolve_name("." * node.level + (node.module or ""), spec.parent)
            if source.split(".")[0] not in FLASK_PACKAGES and source not in COPIED:
                return node
            for alias in node.names:
                if source in COPIED:
                    bound[alias.asname or alias.name] = getattr(module(source), alias.name)
                elif f"{source}.{alias.name}" in STAND_INS:
                    bound[alias.asname or alias.name] = STAND_INS[f"{source}.{alias.name}"]
                else:
                    raise ImportError(f"{name} imports {source}.{alias.name}: no stand-in")
            return None

        def visit_Try(self, node):  # moto's `try: from flask import … except ImportError: warn; raise`
            self.generic_visit(node)
            return node if node.body else None

    tree = ast.fix_missing_locations(LeaveFlaskOut().visit(tree))
    copy = types.ModuleType(name, f"moto's {name}, run by labkit without Flask (labkit/emulator/flaskless.py).")
    copy.__dict__.update(__file__=spec.origin, __package__=spec.parent, **bound)
    exec(compile(tree, spec.origin, "exec", dont_inherit=True), copy.__dict__)
    return copy


def dispatcher():
    """A new moto ``DomainDispatcherApplication`` whose apps are :class:`ServiceApp` (a WSGI app for all of moto)."""
    copy = module()
    return copy.DomainDispatcherApplication(copy.create_backend_app)
