"""moto's server without Flask (labkit/emulator/flaskless.py): the same answers as moto's Flask apps, request by
request; moto's own code; and no Flask in a lab's kernel."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import types

import pytest

from labkit.emulator import flaskless
from labkit.engines.inprocess import body_bytes, make_environ, respond

REQUEST_IDS = re.compile(rb"(<RequestId>|\"RequestId\":\s*\"|<RequestID>)[^<\"]*")
RANDOM_HEADERS = {"x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "date"}
FLASK_ONLY = ("flask", "flask_cors", "jinja2", "click", "itsdangerous", "blinker")  # what only Flask brings in
BASE = "http://127.0.0.1:5000"


def flask_dispatcher():
    """moto's own dispatcher, with its Flask apps."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def answered_directly(dispatcher) -> int:
    """How many requests ``dispatcher``'s service apps answered without Flask."""
    return sum(app.direct for app in dispatcher.app_instances.values())


def plain(response) -> tuple:
    """A botocore response as (status, sorted lower-cased headers, body), what varies from call to call masked."""
    headers = sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() not in RANDOM_HEADERS)
    return response.status_code, headers, REQUEST_IDS.sub(rb"\1", response.content)


def both_answers(engine, ours, flask_app, calls):
    """Run each ``(service, operation, params)`` with an engine client whose every request is answered first by
    ``ours`` and then by ``flask_app``; the two answers of each request (see :func:`plain`)."""
    answers = []

    def answer(request, **_):
        pair = [plain(respond(app, request.method, request.url, list(request.headers.items()),
                              body_bytes(request.body))) for app in (ours, flask_app)]
        answers.append((request.method, request.url, *pair))
        return respond(flask_app, request.method, request.url, list(request.headers.items()), body_bytes(request.body))

    for service, operation, params in calls:
        client = engine.client(service)
        handler_id = f"flaskless-test-{service}"
        client.meta.events.register_first("before-send", answer, unique_id=handler_id)
        try:
            getattr(client, operation)(**params)
        except client.exceptions.ClientError:
            pass  # an error answer is compared like any other
        finally:
            client.meta.events.unregister("before-send", unique_id=handler_id)
    return answers


def signed_for(service: str) -> list[tuple[str, str]]:
    """An Authorization header naming ``service`` in its credential scope (how moto's dispatcher picks the app)."""
    return [("Authorization", f"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, "
                              "SignedHeaders=host, Signature=0")]


@pytest.mark.parametrize(("engine_name", "dispatch"),
                         [("embedded", "inprocess"), ("embedded", "http"), ("browser", "inprocess")])
def test_a_lab_kernel_imports_no_flask(engine_name, dispatch):
    """A fresh process that imports labkit and gets S3, SQS and DynamoDB answers (in-process, or every call over the
    HTTP front; the browser engine, which the page's kernel runs, on CPython) has imported neither Flask nor what
    only Flask needs (jinja2, click, ...). tests/test_pyodide.py asserts the same under Pyodide."""
    code = ("import sys, labkit; labkit.client('s3').list_buckets(); labkit.client('sqs').list_queues(); "
            "labkit.client('dynamodb').list_tables(); "
            f"print(sorted(name for name in {FLASK_ONLY!r} if name in sys.modules))")
    env = {**os.environ, "LABKIT_ENGINE": engine_name, "LABKIT_DISPATCH": dispatch}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_answers_are_flask_s(engine):
    """Every answer equals moto's Flask app's for the same request: successes, errors raised as HTTP exceptions
    (S3's NoSuchKey, SSM's ParameterNotFound), HEAD, S3 metadata spelling, the JSON, query and REST protocols,
    flask-cors's header. When this fails, moto or Flask changed what happens around a view: update
    labkit/emulator/flaskless.py."""
    ours, flask_app = flaskless.dispatcher(), flask_dispatcher()
    s3, ssm, sqs = engine.client("s3"), engine.client("ssm"), engine.client("sqs")
    s3.create_bucket(Bucket="flaskless-direct")
    s3.put_object(Bucket="flaskless-direct", Key="a b/ü.txt", Body=b"hello", Metadata={"my_key": "v"})
    ssm.put_parameter(Name="/flaskless/direct", Value="1", Type="String", Overwrite=True)
    queue = sqs.create_queue(QueueName="flaskless-direct")["QueueUrl"]
    calls = [
        ("s3", "list_buckets", {}),
        ("s3", "head_bucket", {"Bucket": "flaskless-direct"}),
        ("s3", "get_object", {"Bucket": "flaskless-direct", "Key": "a b/ü.txt"}),
        ("s3", "head_object", {"Bucket": "flaskless-direct", "Key": "a b/ü.txt"}),
        ("s3", "head_object", {"Bucket": "flaskless-direct", "Key": "missing"}),
        ("s3", "get_object", {"Bucket": "flaskless-direct", "Key": "missing"}),
        ("s3", "list_objects_v2", {"Bucket": "flaskless-direct"}),
        ("s3", "put_object", {"Bucket": "flaskless-direct", "Key": "same", "Body": b"x" * 100}),
        ("ssm", "get_parameter", {"Name": "/flaskless/direct"}),
        ("ssm", "get_parameter", {"Name": "/flaskless/missing"}),
        ("sqs", "get_queue_attributes", {"QueueUrl": queue, "AttributeNames": ["QueueArn"]}),
        ("sqs", "get_queue_url", {"QueueName": "flaskless-missing"}),
        ("iam", "get_user", {"UserName": "flaskless-missing"}),
        ("dynamodb", "describe_table", {"TableName": "flaskless-missing"}),
        ("lambda", "get_function", {"FunctionName": "flaskless-missing"}),
        ("apigateway", "get_rest_api", {"restApiId": "missing"}),
    ]
    try:
        answers = both_answers(engine, ours, flask_app, calls)
    finally:
        s3.delete_object(Bucket="flaskless-direct", Key="a b/ü.txt")
        s3.delete_object(Bucket="flaskless-direct", Key="same")
        s3.delete_bucket(Bucket="flaskless-direct")
        ssm.delete_parameter(Name="/flaskless/direct")
        sqs.delete_queue(QueueUrl=queue)
    assert len(answers) == len(calls) and answered_directly(ours) == len(calls)  # none by Flask
    for method, url, by_ours, by_flask in answers:
        assert by_ours == by_flask, (method, url)
    statuses = [by_flask[0] for *_, by_flask in answers]
    assert 404 in statuses and 400 in statuses and 200 in statuses  # errors were compared too
    assert ("x-amz-meta-my_key", "v") in answers[3][3][1]  # the metadata spelling reached both
    assert ("access-control-allow-origin", "*") in answers[0][3][1]  # flask-cors's header, on both


def test_what_no_view_takes_is_answered_as_flask_answers_it(engine):
    """A URL no rule matches (404), a method no rule takes (405) and a path werkzeug redirects (308, its Location
    naming the request's host): the same status, headers and body as moto's Flask app, without Flask."""
    ours, flask_app = flaskless.dispatcher(), flask_dispatcher()
    requests = [("GET", f"{BASE}/no/such/path/x", "lambda"), ("TRACE", f"{BASE}/", "s3"),
                ("GET", f"{BASE}/2015-03-31/functions//f", "lambda"), ("HEAD", f"{BASE}/no/such/path/x", "lambda"),
                ("POST", f"{BASE}/restapis//x", "apigateway")]
    statuses = []
    for method, url, service in requests:
        by_ours, by_flask = (plain(respond(app, method, url, signed_for(service), b"")) for app in (ours, flask_app))
        assert by_ours == by_flask, (method, url)
        statuses.append(by_ours[0])
    assert {404, 405, 308} <= set(statuses), statuses
    assert answered_directly(ours) == len(requests)
    assert all(app._flask is None for app in ours.app_instances.values())  # no Flask app was made


def test_cross_origin_and_options_requests_go_to_flask(engine):
    """A cross-origin or OPTIONS request (its CORS headers depend on it) is answered by moto's Flask app, made then."""
    ours, flask_app = flaskless.dispatcher(), flask_dispatcher()
    url = f"{BASE}/"
    for method, headers in (("GET", [*signed_for("s3"), ("Origin", "https://example.com")]),
                            ("OPTIONS", [*signed_for("s3"), ("Origin", "https://example.com"),
                                         ("Access-Control-Request-Method", "GET")])):
        by_ours, by_flask = (plain(respond(app, method, url, headers, b"")) for app in (ours, flask_app))
        assert by_ours == by_flask
        assert ("access-control-allow-origin", "https://example.com") in by_ours[1]
    assert answered_directly(ours) == 0
    assert all(app._flask is not None for app in ours.app_instances.values())


def test_moto_s_dashboard_is_answered_by_flask(engine):
    """moto's dashboard (/moto-api/) renders a Flask template: it is answered by moto's Flask app, as moto's server
    answers it (without Flask's app context its view fails)."""
    ours, flask_app = flaskless.dispatcher(), flask_dispatcher()
    by_ours, by_flask = (plain(respond(app, "GET", f"{BASE}/moto-api/", [], b"")) for app in (ours, flask_app))
    assert by_ours == by_flask and by_ours[0] == 200
    assert answered_directly(ours) == 0


class Raising:
    """A moto response class whose dispatch raises ``error`` (what a view may raise, whatever moto answers today)."""

    error: Exception = RuntimeError()

    @classmethod
    def dispatch(cls, request, full_url, headers):
        raise cls.error


def test_view_errors_end_as_flask_ends_them(engine, monkeypatch):
    """An exception out of a moto view ends as Flask ends it: an HTTP exception (moto's errors are) becomes its own
    answer with its headers, a ClientError a 400, a BadRequestKeyError or any other exception a 500 (Flask's debug
    mode, on in moto's apps, propagates them to labkit's one-line 500)."""
    import moto.ssm.urls
    from botocore.exceptions import ClientError
    from moto.core.exceptions import JsonRESTError
    from werkzeug.exceptions import BadRequestKeyError

    monkeypatch.setitem(moto.ssm.urls.url_paths, "{0}/$", Raising.dispatch)
    ours, flask_app = flaskless.dispatcher(), flask_dispatcher()
    errors = [JsonRESTError("ThrottlingException", "Rate exceeded"),
              ClientError({"Error": {"Code": "Odd", "Message": "odd"}}, "GetParameter"),
              BadRequestKeyError("Name"), RuntimeError("emulator bug")]
    statuses = []
    for error in errors:
        monkeypatch.setattr(Raising, "error", error)
        answers = both_answers(engine, ours, flask_app, [("ssm", "get_parameter", {"Name": "x"})])
        for _, _, by_ours, by_flask in answers:  # botocore retries a throttle and a 500: every try compared
            assert by_ours == by_flask, error
        statuses.append(answers[0][3][0])
        if isinstance(error, JsonRESTError):
            assert ("content-type", "application/json") in answers[0][3][1]  # the error's own header
    assert statuses == [400, 400, 500, 500]


def test_a_view_s_own_cors_header_is_kept(engine, monkeypatch):
    """A view that sets Access-Control-Allow-Origin itself (any case) keeps it, alone; flask-cors's is added to the
    others, as Flask's after-request hook does."""
    ours = flaskless.dispatcher()
    engine.client("sqs").list_queues()
    environ = make_environ("POST", f"{BASE}/", [("Content-Type", "application/x-amz-json-1.0"),
                           ("X-Amz-Target", "AmazonSQS.ListQueues"), *signed_for("sqs")], b"{}")
    for own, expected in (([("access-control-allow-origin", "https://mine")], ["https://mine"]), ([], ["*"])):
        monkeypatch.setattr(flaskless, "call_view",
                            lambda callback, request, own=own: flaskless.Response("{}", 200, own))
        started = []
        ours(dict(environ, **{"wsgi.input": io.BytesIO(b"{}")}), lambda *a: started.append(a))
        origins = [value for name, value in started[0][1] if name.lower() == "access-control-allow-origin"]
        assert origins == expected


def test_a_view_gets_the_headers_moto_gives_it():
    """call_view hands the callback dict(request.headers), as moto's convert_to_flask_response does: names as
    sent (an S3 metadata name keeps its underscore), empty Content-Type left out."""
    backend_request = flaskless.module().BackendRequest
    headers = [("Host", "s3.amazonaws.com"), ("X-Amz-Meta-my_key", "v"), ("x-amz-meta-Other", "w"),
               ("Content-Type", ""), ("Authorization", "AWS4-HMAC-SHA256 x"), ("Content-Length", "3")]
    request = backend_request(make_environ("PUT", f"{BASE}/b/k?x=1", headers, b"abc"))
    given = []
    flaskless.call_view(lambda request, url, headers: given.append((url, headers)) or (200, {}, ""), request)
    assert given == [(request.raw_url, dict(request.headers))]
    assert given[0][1]["X-Amz-Meta-my_key"] == "v" and "Content-Type" not in given[0][1]


def test_views_are_matched_as_flask_matches_them(engine):
    """ServiceApp.match (a URL map bound once) finds the rule Flask's per-request adapter finds in moto's Flask app,
    or raises the same HTTP error, for paths and methods of several services, a websocket upgrade and an empty path."""
    from werkzeug.exceptions import HTTPException

    ours, flask_app = flaskless.dispatcher(), flask_dispatcher()
    requests = [("PUT", "/bucket/a%2Fb/c.txt", "s3", []), ("GET", "/bucket", "s3", []), ("GET", "/", "s3", []),
                ("HEAD", "/bucket/k", "s3", []), ("POST", "/", "sqs", []), ("GET", "/123/queue", "sqs", []),
                ("POST", "/", "ssm", []), ("GET", "/2015-03-31/functions/f", "lambda", []),
                ("DELETE", "/2015-03-31/functions/f/policy/s", "lambda", []),
                ("PATCH", "/2015-03-31/functions/f", "lambda", []), ("GET", "/no/such/path/x", "lambda", []),
                ("TRACE", "/", "s3", []), ("GET", "/", "s3", [("Upgrade", "websocket"), ("Connection", "upgrade")]),
                ("GET", "", "s3", [])]
    outcomes = []
    for method, path, service, headers in requests:
        environ = make_environ(method, f"{BASE}{path or '/'}", [*signed_for(service), *headers], b"")
        if not path:
            environ["PATH_INFO"] = ""
        app, theirs = ours.get_application(environ), flask_app.get_application(environ)
        found = []
        for match in (lambda: app.match(app.request_class(environ)),
                      lambda: theirs.create_url_adapter(theirs.request_class(environ)).match(return_rule=True)):
            try:
                rule, arguments = match()
                found.append((rule.rule, sorted(rule.methods), arguments))
            except HTTPException as error:
                found.append((type(error).__name__, getattr(error, "new_url", None)))
        assert found[0] == found[1], (method, path)
        outcomes.append(found[0])
    assert any(len(o) == 2 for o in outcomes) and any(len(o) == 3 for o in outcomes)


def test_requests_have_flask_s_limits():
    """A request of the copy's BackendRequest reads the limits moto's (Flask's) request reads in a Flask app of
    Flask's default configuration, and parses a form body the same way."""
    import flask
    from moto.moto_server.werkzeug_app import BackendRequest

    app = flask.Flask("limits")
    ours = flaskless.module().BackendRequest
    body = b"Action=SendMessage&MessageBody=hi%20there&QueueUrl=http%3A%2F%2Fq"
    environ = make_environ("POST", f"{BASE}/", [("Content-Type", "application/x-www-form-urlencoded")], body)
    mine = ours(dict(environ, **{"wsgi.input": io.BytesIO(body)}))
    with app.test_request_context():
        theirs = BackendRequest(environ)
        for name in ("max_content_length", "max_form_parts", "max_form_memory_size"):
            assert getattr(mine, name) == getattr(theirs, name), name
        assert mine.form.to_dict(flat=False) == theirs.form.to_dict(flat=False)
    assert mine.from_wsgi_server and mine.form["MessageBody"] == "hi there"


@pytest.mark.parametrize("service", ["s3", "sqs", "dynamodb", "lambda", "apigateway", "ssm", "moto_api"])
def test_service_apps_are_moto_s_flask_apps(engine, service):
    """moto's create_backend_app builds a ServiceApp as it builds its Flask app: the same rules (path, methods,
    trailing-slash rule), the same view for each, debug mode on, flask-cors's headers as its after-request hook adds
    them to a same-origin answer, and no other hook, error handler or session that a ServiceApp would not honour."""
    from moto.moto_server.werkzeug_app import create_backend_app

    ours, theirs = flaskless.module().create_backend_app(service), create_backend_app(service)

    def rules(app):
        return [(rule.rule, sorted(rule.methods), rule.strict_slashes, app.view_functions[rule.endpoint].callback)
                for rule in app.url_map.iter_rules()]

    assert rules(ours) == rules(theirs) and rules(ours)
    assert ours.debug is theirs.debug is True and not ours.url_map.host_matching
    assert {name for name in ours.url_map.converters} == {name for name in theirs.url_map.converters}
    hooks = (theirs.before_request_funcs, theirs.teardown_request_funcs, theirs.url_value_preprocessors,
             theirs.error_handler_spec)
    assert not any(functions for hook in hooks for functions in hook.values())
    assert theirs.secret_key is None and not theirs.config["TRAP_HTTP_EXCEPTIONS"]
    assert theirs.config["TRAP_BAD_REQUEST_ERRORS"] is None and theirs.config["SERVER_NAME"] is None
    with theirs.test_request_context("/", method="GET"):
        probed = theirs.process_response(theirs.response_class())
    added = [(name, value) for name, value in probed.headers.items()
             if (name, value) not in theirs.response_class().headers.items()]
    assert added == list(ours.cors_headers)


def test_the_stand_ins_are_flask_s_defaults():
    """Flask's response mimetype and location-header rule; Flask's default request limits."""
    import flask

    assert flaskless.Response.default_mimetype == flask.Response.default_mimetype
    assert flaskless.Response.autocorrect_location_header == flask.Response.autocorrect_location_header
    config = flask.Flask.default_config
    assert flaskless.Request.max_content_length == config["MAX_CONTENT_LENGTH"]
    assert flaskless.Request.max_form_memory_size == config["MAX_FORM_MEMORY_SIZE"]
    assert flaskless.Request.max_form_parts == config["MAX_FORM_PARTS"]


def functions_of(namespace: dict, module_name: str) -> dict:
    """Every function a module defines (top level and in its classes), by qualified name."""
    found = {}
    for value in namespace.values():
        if getattr(value, "__module__", None) != module_name:
            continue
        members = vars(value).values() if isinstance(value, type) else [value]
        for member in members:
            member = getattr(member, "__func__", member)
            if isinstance(member, types.FunctionType):
                found[member.__qualname__] = member
    return found


@pytest.mark.parametrize("name", flaskless.COPIED)
def test_the_copies_run_moto_s_code(name):
    """Each copy defines every function moto's module defines, with the same bytecode and constants, and every
    global name those functions read is bound in the copy (a Flask name moto started to use would not be)."""
    import importlib

    real, copy = importlib.import_module(name), flaskless.module(name)
    assert copy is not real  # loaded without Flask, not moto's module
    theirs, ours = functions_of(vars(real), name), functions_of(vars(copy), name)
    assert set(ours) == set(theirs) and ours
    for qualname, function in ours.items():
        assert function.__code__.co_code == theirs[qualname].__code__.co_code, qualname
        assert function.__code__.co_consts == theirs[qualname].__code__.co_consts, qualname
        missing = [n for n in function.__code__.co_names if n in vars(real) and n not in vars(copy)]
        assert not missing, (qualname, missing)
    assert not [n for n in vars(real) if n not in vars(copy) and not n.startswith("__")]  # every name of moto's


def test_a_flask_name_without_a_stand_in_falls_back_to_moto_s_module(monkeypatch):
    """When moto imports something of Flask labkit has no stand-in for, load says what, and module gives moto's own
    module (Flask and all: the same answers)."""
    import moto.moto_server.werkzeug_app as real

    monkeypatch.delitem(flaskless.STAND_INS, "flask_cors.CORS")
    with pytest.raises(ImportError, match="flask_cors.CORS"):
        flaskless.load(flaskless.WERKZEUG_APP)
    monkeypatch.setattr(flaskless, "_copies", {})
    assert flaskless.module() is real
