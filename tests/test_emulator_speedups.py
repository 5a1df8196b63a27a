"""The cached moto helpers answer exactly as moto's own, and reach the modules that call them."""
from __future__ import annotations

import json
import re

import moto.core.responses as responses
import moto.core.utils as utils
import pytest

from labkit.emulator import model_docs, speedups
from labkit.emulator.endpoint_data import ServicesOnDemand
from labkit.engines.inprocess import body_bytes, make_environ, respond

NAMES = ["theNewAttribute", "MaxNumberOfMessages", "VisibilityTimeout", "", "DBInstanceIdentifier", "SSEKMSKeyId",
         "ReceiveMessageWaitTimeSeconds", "x", "ABC", "listObjectsV2"]


def test_installed_where_moto_calls_them(engine):
    speedups.install()  # a second install changes nothing
    assert utils.camelcase_to_underscores.uncached.__name__ == "camelcase_to_underscores"
    assert not hasattr(utils.camelcase_to_underscores.uncached, "uncached")
    assert responses.method_names_from_class is utils.method_names_from_class
    assert hasattr(responses.method_names_from_class, "uncached")


def test_cached_answers_are_moto_answers(engine):
    convert = utils.camelcase_to_underscores
    for name in NAMES * 2:  # the second pass is answered from the cache
        assert convert(name) == convert.uncached(name)
    assert convert("MaxNumberOfMessages") == "max_number_of_messages"
    assert convert(None) is None


def test_each_caller_gets_its_own_list(engine):
    methods = utils.method_names_from_class(responses.BaseResponse)
    assert methods == utils.method_names_from_class.uncached(responses.BaseResponse)
    methods.clear()
    assert "_dispatch" in utils.method_names_from_class(responses.BaseResponse)


def test_moto_still_recomputes(engine):
    """moto's own helpers and host lookup are uncached; when this fails, moto caches them: drop labkit's cache."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    for name in speedups.NAMES:
        assert not hasattr(getattr(utils, name).uncached, "cache_info"), name
    assert not hasattr(DomainDispatcherApplication.get_backend_for_host, "cache_info")


def test_moto_and_the_engine_share_loaded_service_models(engine):
    speedups.install()
    loader = engine.session()._session.get_component("data_loader")
    assert loader is speedups.shared_loader()
    assert utils.get_service_model("sqs").operation_names  # answered as moto's own
    client_model = engine.client("sqs").meta.service_model._service_description
    assert speedups.load_service_model("sqs", "service-2") is client_model  # one parse, shared


def same_in_order(plain, ordered, where="") -> None:
    """``plain`` holds only dicts where ``ordered`` (botocore's own decoding) holds OrderedDicts, with the same keys
    in the same order and the same values (endpoints.json's services: a dict decoding each on first read)."""
    if isinstance(ordered, dict):
        assert type(plain) in (dict, ServicesOnDemand), where
        assert list(plain) == list(ordered), where
        for key in ordered:
            same_in_order(plain[key], ordered[key], f"{where}/{key}")
    elif isinstance(ordered, list):
        assert type(plain) is list and len(plain) == len(ordered), where
        for index, (mine, theirs) in enumerate(zip(plain, ordered)):
            same_in_order(mine, theirs, f"{where}[{index}]")
    else:
        assert type(plain) is type(ordered) and plain == ordered, where


def test_the_shared_loader_decodes_plain_dicts_in_botocore_s_order(engine):
    """The shared loader reads with speedups.plain_json_file_loader, whose data (endpoints.json, a service model
    with its sdk-extras merged, a paginator file) is botocore's own, key for key in the same order, held in dicts
    instead of OrderedDicts (less memory), a service model without its documentation text (test_emulator_model_docs.py
    checks what is left out). (Compared on fresh loaders: botocore's endpoint resolver writes what it
    resolves into the loaded endpoints.)"""
    from botocore.loaders import Loader, create_loader

    speedups.install()
    assert type(speedups.shared_loader().load_data("sdk-default-configuration")) is dict
    ours, botocore_s = Loader(file_loader=speedups.plain_json_file_loader()), create_loader()
    for name in ("endpoints", "sqs/2012-11-05/paginators-1"):
        same_in_order(ours.load_data(name), botocore_s.load_data(name), name)
    without_text = model_docs.decode(json.dumps(botocore_s.load_service_model("s3", "service-2")))  # model_docs.py
    same_in_order(ours.load_service_model("s3", "service-2"), without_text, "s3")
    assert engine.client("s3").list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_botocore_still_decodes_ordered_dicts():
    """botocore's own loader decodes OrderedDicts; when this fails, it decodes dicts itself: drop
    speedups.plain_json_file_loader."""
    from collections import OrderedDict

    from botocore.loaders import create_loader

    assert type(create_loader().load_data("sdk-default-configuration")) is OrderedDict


def test_moto_still_makes_a_loader_per_model(engine, monkeypatch):
    """moto's own _load_service_model builds a new loader for each call; when this fails, moto keeps one: drop
    labkit's shared loader."""
    made = []
    original = utils.create_loader
    monkeypatch.setattr(utils, "create_loader", lambda *a, **k: made.append(1) or original(*a, **k))
    speedups.moto_load_service_model("sqs", "service-2")
    speedups.moto_load_service_model("sqs", "service-2")
    assert len(made) == 2


REQUEST_IDS = re.compile(rb"(<RequestId>|\"RequestId\":\s*\"|<RequestID>)[^<\"]*")
RANDOM_HEADERS = {"x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "date"}


def both_answers(engine, direct, flask_app, calls):
    """Run each ``(service, operation, params)`` with an engine client whose every request is answered first by
    ``direct`` (counted) and then by ``flask_app``; yields the two answers (status, headers, body) of each request,
    what varies from call to call (request ids, Date) masked."""
    answers = []

    def answer(request, **_):
        pair = []
        for app in (direct, flask_app):
            response = respond(app, request.method, request.url, list(request.headers.items()),
                               body_bytes(request.body))
            headers = sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() not in RANDOM_HEADERS)
            pair.append((response.status_code, headers, REQUEST_IDS.sub(rb"\1", response.content)))
        answers.append((request.method, request.url, *pair))
        return respond(flask_app, request.method, request.url, list(request.headers.items()), body_bytes(request.body))

    for service, operation, params in calls:
        client = engine.client(service)
        handler_id = f"speedups-test-{service}"
        client.meta.events.register_first("before-send", answer, unique_id=handler_id)
        try:
            getattr(client, operation)(**params)
        except client.exceptions.ClientError:
            pass  # an error answer is compared like any other
        finally:
            client.meta.events.unregister("before-send", unique_id=handler_id)
    return answers


def test_direct_views_answer_as_flask(engine):
    """Every answer of speedups.direct_views equals Flask's (moto's own app) for the same request: successes,
    errors raised as HTTP exceptions (S3's NoSuchKey, SSM's ParameterNotFound), HEAD, S3 metadata spelling, the JSON,
    query and REST protocols. When this fails, moto or Flask changed what happens around a view: update
    call_view/added_headers in labkit/emulator/speedups.py (or drop direct_views)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    direct = speedups.direct_views(DomainDispatcherApplication(create_backend_app))
    flask_app = DomainDispatcherApplication(create_backend_app)
    s3, ssm, sqs = engine.client("s3"), engine.client("ssm"), engine.client("sqs")
    s3.create_bucket(Bucket="speedups-direct")
    s3.put_object(Bucket="speedups-direct", Key="a b/ü.txt", Body=b"hello", Metadata={"my_key": "v"})
    ssm.put_parameter(Name="/speedups/direct", Value="1", Type="String", Overwrite=True)
    queue = sqs.create_queue(QueueName="speedups-direct")["QueueUrl"]
    calls = [
        ("s3", "list_buckets", {}),
        ("s3", "head_bucket", {"Bucket": "speedups-direct"}),
        ("s3", "get_object", {"Bucket": "speedups-direct", "Key": "a b/ü.txt"}),
        ("s3", "head_object", {"Bucket": "speedups-direct", "Key": "a b/ü.txt"}),
        ("s3", "head_object", {"Bucket": "speedups-direct", "Key": "missing"}),
        ("s3", "get_object", {"Bucket": "speedups-direct", "Key": "missing"}),
        ("s3", "list_objects_v2", {"Bucket": "speedups-direct"}),
        ("s3", "put_object", {"Bucket": "speedups-direct", "Key": "same", "Body": b"x" * 100}),
        ("ssm", "get_parameter", {"Name": "/speedups/direct"}),
        ("ssm", "get_parameter", {"Name": "/speedups/missing"}),
        ("sqs", "get_queue_attributes", {"QueueUrl": queue, "AttributeNames": ["QueueArn"]}),
        ("sqs", "get_queue_url", {"QueueName": "speedups-missing"}),
        ("iam", "get_user", {"UserName": "speedups-missing"}),
        ("dynamodb", "describe_table", {"TableName": "speedups-missing"}),
        ("lambda", "get_function", {"FunctionName": "speedups-missing"}),
    ]
    try:
        answers = both_answers(engine, direct, flask_app, calls)
    finally:
        s3.delete_object(Bucket="speedups-direct", Key="a b/ü.txt")
        s3.delete_object(Bucket="speedups-direct", Key="same")
        s3.delete_bucket(Bucket="speedups-direct")
        ssm.delete_parameter(Name="/speedups/direct")
        sqs.delete_queue(QueueUrl=queue)
    assert len(answers) == len(calls) and direct.direct == len(calls)  # each answered directly, not by Flask
    for method, url, by_direct, by_flask in answers:
        assert by_direct == by_flask, (method, url)
    statuses = [by_flask[0] for *_, by_flask in answers]
    assert 404 in statuses and 400 in statuses and 200 in statuses  # errors were compared too
    assert ("x-amz-meta-my_key", "v") in answers[3][3][1]  # the metadata spelling reached both
    assert ("access-control-allow-origin", "*") in answers[0][3][1]  # flask-cors's header, on both


def test_flask_still_answers_what_direct_views_leave(engine):
    """A cross-origin or OPTIONS request (CORS headers that depend on it) and a URL no view matches go to Flask."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    direct = speedups.direct_views(DomainDispatcherApplication(create_backend_app))
    flask_app = DomainDispatcherApplication(create_backend_app)
    url = f"{engine._url}/"
    auth = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                             "SignedHeaders=host, Signature=0"}
    for method, headers in (("GET", {**auth, "Origin": "https://example.com"}),
                            ("OPTIONS", {**auth, "Origin": "https://example.com",
                                         "Access-Control-Request-Method": "GET"})):
        by_direct = respond(direct, method, url, list(headers.items()), b"")
        by_flask = respond(flask_app, method, url, list(headers.items()), b"")
        assert by_direct.status_code == by_flask.status_code
        assert by_direct.headers.get("Access-Control-Allow-Origin") == "https://example.com"
    assert direct.direct == 0


class Raising:
    """A moto response class whose dispatch raises ``error`` (what a view may raise, whatever moto answers today)."""

    error: Exception = RuntimeError()

    @classmethod
    def dispatch(cls, request, full_url, headers):
        raise cls.error


def test_direct_views_fail_as_flask(engine, monkeypatch):
    """An exception out of a moto view ends as Flask ends it: an HTTP exception (moto's errors are) becomes its own
    answer with its headers, a ClientError a 400, a BadRequestKeyError or any other exception a 500 (Flask's debug
    mode, on in moto's apps, propagates them to labkit's one-line 500)."""
    import moto.ssm.urls
    from botocore.exceptions import ClientError
    from moto.core.exceptions import JsonRESTError
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.exceptions import BadRequestKeyError

    monkeypatch.setitem(moto.ssm.urls.url_paths, "{0}/$", Raising.dispatch)
    direct = speedups.direct_views(DomainDispatcherApplication(create_backend_app))
    flask_app = DomainDispatcherApplication(create_backend_app)
    errors = [JsonRESTError("ThrottlingException", "Rate exceeded"),
              ClientError({"Error": {"Code": "Odd", "Message": "odd"}}, "GetParameter"),
              BadRequestKeyError("Name"), RuntimeError("emulator bug")]
    statuses = []
    for error in errors:
        monkeypatch.setattr(Raising, "error", error)
        answers = both_answers(engine, direct, flask_app, [("ssm", "get_parameter", {"Name": "x"})])
        for _, _, by_direct, by_flask in answers:  # botocore retries a throttle and a 500: every try compared
            assert by_direct == by_flask, error
        statuses.append(answers[0][3][0])
        if isinstance(error, JsonRESTError):
            assert ("content-type", "application/json") in answers[0][3][1]  # the error's own header
    assert statuses == [400, 400, 500, 500]


def test_objects_alive_when_a_request_loads_code_are_frozen(monkeypatch):
    """After a request that loaded modules, gc.freeze() moves what is alive out of full collections; a request that
    loads nothing freezes nothing."""
    import sys
    import types

    freezes = []
    monkeypatch.setattr(speedups, "gc", types.SimpleNamespace(freeze=lambda: freezes.append(len(sys.modules))))

    def loading(environ, start_response):
        monkeypatch.setitem(sys.modules, "labkit_speedups_test_module", types.ModuleType("labkit_speedups_test"))
        start_response("200 OK", [])
        return [b""]

    def plain(environ, start_response):
        start_response("200 OK", [])
        return [b""]

    app = speedups.freeze_after_loading(plain)
    assert app({}, lambda *a: None) == [b""] and len(freezes) == 1  # the first request: the modules loaded so far
    app({}, lambda *a: None)
    assert len(freezes) == 1
    app.app = loading
    app({}, lambda *a: None)
    assert len(freezes) == 2


def test_random_strings_are_drawn_as_moto_draws_them(engine):
    """labkit's random_string takes moto's parameters, answers in moto's alphabet and length, and a seeded moto
    repeats itself; when this fails, moto changed get_random_string: update or drop speedups-random-strings."""
    import inspect

    from moto.moto_api._internal import mock_random
    from moto.moto_api._internal.moto_random import MotoRandom

    engine.client("sqs").list_queues()  # an answer: moto's generator is loaded, the patch in place
    assert MotoRandom.get_random_string is speedups.random_string
    moto_own = speedups.moto_get_random_string
    assert [(p.name, p.default) for p in inspect.signature(moto_own).parameters.values()] == \
        [(p.name, p.default) for p in inspect.signature(speedups.random_string).parameters.values()]
    for options in ({}, {"include_digits": False}, {"lower_case": True}, {"include_digits": False, "lower_case": True}):
        ours, theirs = mock_random.get_random_string(length=5000, **options), moto_own(mock_random, 5000, **options)
        assert len(ours) == len(theirs) == 5000 and set(ours) == set(theirs), options
    assert len(mock_random.get_random_string()) == len(moto_own(mock_random)) == 20
    mock_random.seed(17)
    first = mock_random.get_random_string(52)
    mock_random.seed(17)
    assert mock_random.get_random_string(52) == first
    mock_random.seed()


def test_receipt_handles_are_drawn_as_moto_draws_them(engine):
    """An SQS receipt handle is as moto makes one (length, letters); when this fails, moto changed its receipt
    handles: update or drop sqs-receipt-handles."""
    import string

    import moto.sqs.models as models

    from labkit.emulator import sqs

    engine.client("sqs").list_queues()
    assert models.generate_receipt_handle is sqs.receipt_handle
    ours = "".join(sqs.receipt_handle() for _ in range(30))
    theirs = "".join(sqs.moto_generate_receipt_handle() for _ in range(30))
    assert len(ours) == len(theirs) and set(ours) == set(theirs) == set(string.ascii_lowercase)


def test_messages_are_retained_as_moto_retains_them(engine):
    """The retention check reads the queue's period and gives moto's answer for messages inside and past it (and
    past it by another queue's period); an unknown queue fails as in moto."""
    from moto.sqs.exceptions import QueueDoesNotExist
    from moto.sqs.models import SQSBackend, sqs_backends

    from labkit.emulator import sqs

    client = engine.client("sqs")
    client.create_queue(QueueName="retention-short", Attributes={"MessageRetentionPeriod": "60"})
    client.create_queue(QueueName="retention-long")
    assert SQSBackend.is_message_valid_based_on_retention_period is sqs.within_retention
    backend = sqs_backends[engine.account_id][engine.region]

    class Sent:
        def __init__(self, seconds_ago):
            self.sent_timestamp = int((utils.unix_time() - seconds_ago) * 1000)

    for queue in ("retention-short", "retention-long"):
        for seconds_ago in (0, 30, 59, 61, 3_600, 4 * 86_400 - 5, 4 * 86_400 + 5):
            message = Sent(seconds_ago)
            assert sqs.within_retention(backend, queue, message) == sqs.moto_within_retention(
                backend, queue, message), (queue, seconds_ago)
    assert sqs.within_retention(backend, "retention-short", Sent(30))
    assert not sqs.within_retention(backend, "retention-short", Sent(61))
    assert sqs.within_retention(backend, "retention-long", Sent(61))
    for check in (sqs.within_retention, sqs.moto_within_retention):
        with pytest.raises(QueueDoesNotExist):
            check(backend, "no-such-queue", Sent(0))


def test_a_view_gets_the_headers_moto_gives_it():
    """call_view hands the callback dict(request.headers), as moto's convert_to_flask_response does: names as
    sent (an S3 metadata name keeps its underscore), empty Content-Type left out."""
    from moto.moto_server.werkzeug_app import BackendRequest

    headers = [("Host", "s3.amazonaws.com"), ("X-Amz-Meta-my_key", "v"), ("x-amz-meta-Other", "w"),
               ("Content-Type", ""), ("Authorization", "AWS4-HMAC-SHA256 x"), ("Content-Length", "3")]
    request = BackendRequest(make_environ("PUT", "http://127.0.0.1:5000/b/k?x=1", headers, b"abc"))
    given = []
    speedups.call_view(lambda request, url, headers: given.append((url, headers)) or (200, {}, ""), request)
    assert given == [(request.raw_url, dict(request.headers))]
    assert given[0][1]["X-Amz-Meta-my_key"] == "v" and "Content-Type" not in given[0][1]


def test_views_are_matched_as_flask_matches_them(engine):
    """DirectViews.match (a URL map bound once per moto app) finds the rule Flask's per-request adapter finds, or
    raises the same HTTP error, for paths and methods of several services; a websocket upgrade, an empty path and
    an app with host matching are matched by Flask's own adapter."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.exceptions import HTTPException

    direct = speedups.direct_views(DomainDispatcherApplication(create_backend_app))
    base = "http://127.0.0.1:5000"
    requests = [("PUT", f"{base}/bucket/a%2Fb/c.txt", "s3"), ("GET", f"{base}/bucket", "s3"), ("GET", f"{base}/", "s3"),
                ("HEAD", f"{base}/bucket/k", "s3"), ("POST", f"{base}/", "sqs"), ("GET", f"{base}/123/queue", "sqs"),
                ("POST", f"{base}/", "ssm"), ("GET", f"{base}/2015-03-31/functions/f", "lambda"),
                ("DELETE", f"{base}/2015-03-31/functions/f/policy/s", "lambda"),
                ("PATCH", f"{base}/2015-03-31/functions/f", "lambda"), ("GET", f"{base}/no/such/path/x", "lambda")]
    outcomes = []
    for method, url, service in requests:
        credential = f"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host"
        environ = make_environ(method, url, [("Authorization", credential)], b"")
        app = direct.dispatcher.get_application(environ)
        found = []
        for match in (lambda request: direct.match(app, request),
                      lambda request: app.create_url_adapter(request).match(return_rule=True)):
            try:
                rule, arguments = match(app.request_class(environ))
                found.append((rule.endpoint, rule.rule, arguments))
            except HTTPException as error:
                found.append(type(error).__name__)
        assert found[0] == found[1], (method, url)
        outcomes.append(found[0])
    assert any(isinstance(o, str) for o in outcomes) and any(not isinstance(o, str) for o in outcomes)
    assert all(adapter is not None for adapter in direct._adapters.values())  # moto's apps: bound once
    import flask

    methods = flask.Flask("speedups-methods")  # moto's rules take every method: one that does not
    methods.add_url_rule("/only-get", "only_get", lambda: "", methods=["GET"])
    for method in ("GET", "PUT"):
        found = []
        for match in (lambda request: direct.match(methods, request),
                      lambda request: methods.create_url_adapter(request).match(return_rule=True)):
            try:
                found.append(match(methods.request_class(make_environ(method, f"{base}/only-get", [], b"")))[0].rule)
            except HTTPException as error:
                found.append(type(error).__name__)
        assert found[0] == found[1] == ("/only-get" if method == "GET" else "MethodNotAllowed")

    app = direct.dispatcher.get_application(make_environ("GET", f"{base}/", [], b""))
    bound_per_request = []
    app.create_url_adapter, flask_adapter = (lambda request: bound_per_request.append(1) or flask_adapter(request),
                                             app.create_url_adapter)
    try:
        for headers in ([("Upgrade", "websocket"), ("Connection", "upgrade")], []):
            environ = make_environ("GET", f"{base}/", headers, b"")
            if not headers:
                environ["PATH_INFO"] = ""
            try:
                direct.match(app, app.request_class(environ))
            except HTTPException:
                pass  # Flask's adapter decides: a websocket request to a plain route is a WebsocketMismatch
        assert len(bound_per_request) == 2
        app.url_map.host_matching = True
        direct._adapters.pop(app)
        with pytest.raises(HTTPException):  # its rules name no host: Flask's adapter finds none
            direct.match(app, app.request_class(make_environ("GET", f"{base}/", [], b"")))
        assert direct._adapters[app] is None and len(bound_per_request) == 3
    finally:
        app.url_map.host_matching = False
        del app.create_url_adapter
        direct._adapters.pop(app, None)


def test_root_urls_are_werkzeug_s(engine):
    """The remembered root URL is werkzeug's for each scheme, host and root path (IDNA host, percent-encoded path);
    a URL with a path or query string is computed each time."""
    import werkzeug.sansio.request as werkzeug_request
    from werkzeug.sansio.utils import get_current_url

    remembered = werkzeug_request.get_current_url
    assert hasattr(remembered, "cache_info")  # installed with the engine
    cases = [("http", "127.0.0.1:5000", ""), ("https", "xn--n3h.example", "/a%20b/"), ("http", "localhost", "/x"),
             ("http", "127.0.0.1:5000", None), ("https", "s3.amazonaws.com", "/%E2%98%83")]
    for _ in range(2):  # the second pass is answered from memory
        for case in cases:
            assert remembered(*case) == get_current_url(*case), case
    hits = remembered.cache_info().hits
    assert remembered("http", "h", "/r", "/p q", b"a=1") == get_current_url("http", "h", "/r", "/p q", b"a=1")
    assert remembered.cache_info().hits == hits
    from moto.moto_server.werkzeug_app import BackendRequest

    request = BackendRequest(make_environ("GET", "http://127.0.0.1:5000/b/k%2Fx?y=1", [("Host", "127.0.0.1:5000")], b""))
    assert request.raw_url == "http://127.0.0.1:5000/b/k%2Fx?y=1"


def test_access_keys_are_found_as_moto_finds_them(engine):
    """The remembered access-key search gives moto's pattern's answer for each Authorization header."""
    pattern = responses.BaseResponse.access_key_regex
    assert isinstance(pattern, speedups.RememberedPattern)  # installed with the engine
    headers = ["AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/s3/aws4_request, "
               "SignedHeaders=host;x-amz-date, Signature=not-computed-answered-in-process",
               "AWS4-HMAC-SHA256 Credential=ASIAZZZZZZZZZZZZZZZZ/20261201/eu-west-1/sqs/aws4_request, Signature=ab",
               "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", "Bearer token", "AWS4-HMAC-SHA256 nothing", "",
               "Other, AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/s3/aws4_request"]
    for _ in range(2):
        for header in headers:
            mine, moto_s = pattern.search(header), pattern.pattern.search(header)
            assert (mine and mine.group(1)) == (moto_s and moto_s.group(1)), header
    assert pattern.groupindex == pattern.pattern.groupindex  # any other attribute is the pattern's


def test_environ_headers_read_as_moto_reads_them(engine):
    """moto's EnvironHeaders give the names, values and order they gave before, and look names up as werkzeug
    does (KeyError when absent, BadRequestKeyError for a name that is no str)."""
    from moto.core.request import EnvironHeaders
    from werkzeug.datastructures import EnvironHeaders as WerkzeugEnvironHeaders
    from werkzeug.exceptions import BadRequestKeyError

    assert EnvironHeaders.__iter__ is speedups.environ_headers  # installed with the engine
    sent = [("Host", "127.0.0.1:5000"), ("X-Amz-Meta-my_key", "v"), ("x-amz-meta-Other", "w"), ("Content-Type", ""),
            ("Authorization", "AWS4-HMAC-SHA256 x"), ("X-Amz-Date", "20261201T000000Z"), ("x-amz-meta-a_b", "1"),
            ("Accept-Encoding", "identity"), ("X-Amz-Target", "AmazonSSM.GetParameter")]
    for body, content_type in ((b"abc", ""), (b"", "application/x-amz-json-1.1")):
        environ = make_environ("PUT", "http://127.0.0.1:5000/b/k", [*sent, ("Content-Type", content_type)], body)
        headers = EnvironHeaders(environ)
        for _ in range(2):
            assert list(headers) == list(speedups.moto_environ_headers(headers))
        names = [name for name, _ in sent] + ["content-type", "CONTENT-LENGTH", "X_Amz_Date", "Missing", "HTTP_HOST"]
        for name in names:
            try:
                expected = WerkzeugEnvironHeaders._get_key(headers, name)
            except KeyError as error:
                with pytest.raises(type(error)):
                    headers[name]
            else:
                assert headers[name] == expected and name in headers, name
        with pytest.raises(BadRequestKeyError):
            headers[3]
    assert ("Content-Type", "") not in list(EnvironHeaders(make_environ("GET", "http://h/", [("Content-Type", "")], b"")))


def test_direct_requests_have_flask_s_limits():
    """A request DirectViews makes reads the limits Flask's request reads in the app's context (the app's
    configuration; a value set on the request wins) and parses form bodies as Flask's does."""
    import flask
    from moto.moto_server.werkzeug_app import BackendRequest

    app = flask.Flask("limits")
    app.request_class = BackendRequest
    app.config.update(MAX_CONTENT_LENGTH=123_456, MAX_FORM_PARTS=7, MAX_FORM_MEMORY_SIZE=4_321)
    direct = speedups.request_class(app)
    body = b"Action=SendMessage&MessageBody=hi%20there&QueueUrl=http%3A%2F%2Fq"
    environ = make_environ("POST", "http://127.0.0.1:5000/", [("Content-Type", "application/x-www-form-urlencoded")],
                           body)
    mine = direct(dict(environ, **{"wsgi.input": __import__("io").BytesIO(body)}))
    with app.test_request_context(environ_base=None):
        theirs = app.request_class(environ)
        for name in ("max_content_length", "max_form_parts", "max_form_memory_size"):
            assert getattr(mine, name) == getattr(theirs, name), name
        assert mine.form.to_dict(flat=False) == theirs.form.to_dict(flat=False)
    assert mine.data == theirs.data == b"" and mine.max_content_length == 123_456
    mine.max_content_length = 5
    assert mine.max_content_length == 5 and direct.max_content_length == 123_456
    assert isinstance(mine, BackendRequest) and mine.from_wsgi_server


def test_the_clock_helpers_answer_as_moto_s(engine):
    """moto's utcnow/utcfromtimestamp/unix_time/unix_time_millis are replaced wherever moto imported them, by
    functions giving the same values (now: within the time between the two calls)."""
    import datetime

    import moto.sqs.models as sqs_models

    moto_s = speedups.moto_clock
    assert set(moto_s) == set(speedups.CLOCK)  # installed with the engine
    assert utils.unix_time is speedups.unix_time and sqs_models.unix_time is speedups.unix_time
    for value in (0, 1.5, 1_733_000_000, 1_733_000_000.123456, -86_400.25):
        assert speedups.utc_from_timestamp(value) == moto_s["utcfromtimestamp"](value)
    for when in (datetime.datetime(2026, 12, 1, 14, 5, 6, 789), datetime.datetime(1969, 7, 20, 20, 17),
                 datetime.datetime(1970, 1, 1)):
        assert speedups.unix_time(when) == moto_s["unix_time"](when)
        assert speedups.unix_time_millis(when) == moto_s["unix_time_millis"](when)
    before, mine, after = moto_s["utcnow"](), speedups.utc_now(), moto_s["utcnow"]()
    assert before <= mine <= after and mine.tzinfo is None
    assert moto_s["unix_time"]() <= speedups.unix_time() <= moto_s["unix_time"]()


ENDPOINT_CASES = [  # (service, region, client config, operation, call arguments)
    ("s3", "us-east-1", {}, "PutObject", {"Bucket": "b", "Key": "k"}),
    ("s3", "eu-west-1", {}, "GetObject", {"Bucket": "my.dotted.bucket", "Key": "a/b"}),
    ("s3", "us-east-1", {"s3": {"addressing_style": "path"}}, "ListObjectsV2", {"Bucket": "b"}),
    ("s3", "us-west-2", {"s3": {"use_accelerate_endpoint": True}}, "GetObject", {"Bucket": "b", "Key": "k"}),
    ("s3", "us-east-1", {"use_fips_endpoint": True, "use_dualstack_endpoint": True}, "CreateBucket", {"Bucket": "b"}),
    ("s3", "us-east-1", {}, "CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "x/y"}),
    ("s3", "us-east-1", {}, "ListBuckets", {}),
    ("dynamodb", "us-east-1", {}, "BatchGetItem", {"RequestItems": {"t1": {"Keys": []}, "t2": {"Keys": []}}}),
    ("dynamodb", "eu-central-1", {}, "GetItem", {"TableName": "t", "Key": {}}),
    ("sqs", "us-east-1", {}, "SendMessage", {"QueueUrl": "http://q", "MessageBody": "m"}),
    ("ssm", "ap-southeast-2", {}, "GetParameter", {"Name": "/p"}),
    ("sts", "us-east-1", {}, "GetCallerIdentity", {}),
]


@pytest.mark.parametrize("service, region, config, operation, arguments", ENDPOINT_CASES)
def test_endpoint_parameters_are_botocore_s(engine, service, region, config, operation, arguments):
    """The planned endpoint parameters equal botocore's own for the same call, on each call (the plan is made once
    per client and operation); a client with its own endpoint URL too."""
    import boto3
    from botocore.config import Config

    from botocore.regions import EndpointRulesetResolver

    assert EndpointRulesetResolver._get_provider_params is speedups.planned_provider_params  # installed
    for endpoint_url in (None, "http://127.0.0.1:4566"):
        client = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b").client(
            service, region_name=region, endpoint_url=endpoint_url, config=Config(**config))
        resolver, model = client._ruleset_resolver, client.meta.service_model.operation_model(operation)
        for _ in range(2):
            mine = speedups.planned_provider_params(resolver, model, dict(arguments), {})
            theirs = speedups.botocore_provider_params(resolver, model, dict(arguments), {})
            assert mine == theirs and list(mine) == list(theirs)
        assert model in resolver._labkit_endpoint_plans


def test_endpoint_builtins_are_read_as_botocore_reads_them(engine):
    """A builtin given as a function (the account ID of the credentials) is called; an unknown builtin name fails
    with botocore's error."""
    import boto3
    from botocore.endpoint_provider import ParameterDefinition
    from botocore.exceptions import UnknownEndpointResolutionBuiltInName

    client = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", aws_account_id="111122223333"
                                   ).client("dynamodb", region_name="us-east-1")
    resolver, model = client._ruleset_resolver, client.meta.service_model.operation_model("GetItem")
    assert callable(resolver._builtins["AWS::Auth::AccountId"])
    mine = speedups.planned_provider_params(resolver, model, {"TableName": "t"}, {})
    assert mine == speedups.botocore_provider_params(resolver, model, {"TableName": "t"}, {})
    assert mine["AccountId"] == "111122223333"
    resolver._param_definitions = {**resolver._param_definitions, "Odd": ParameterDefinition(
        "Odd", "string", builtIn="AWS::NoSuchBuiltin")}
    resolver._labkit_endpoint_plans.clear()
    for provider_params in (speedups.planned_provider_params, speedups.botocore_provider_params):
        with pytest.raises(UnknownEndpointResolutionBuiltInName):
            provider_params(resolver, model, {"TableName": "t"}, {})


def test_a_view_s_own_cors_header_is_kept(engine, monkeypatch):
    """A view that sets Access-Control-Allow-Origin itself (any case) keeps it, alone; flask-cors's is added to the
    others, as Flask's after-request hook does."""
    from flask import Response
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    direct = speedups.direct_views(DomainDispatcherApplication(create_backend_app))
    engine.client("sqs").list_queues()
    environ = make_environ("POST", "http://127.0.0.1:5000/", [("Content-Type", "application/x-amz-json-1.0"),
                           ("X-Amz-Target", "AmazonSQS.ListQueues"), ("Authorization",
                           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/sqs/aws4_request")],
                           b"{}")
    for own, expected in (([("access-control-allow-origin", "https://mine")], ["https://mine"]), ([], ["*"])):
        monkeypatch.setattr(speedups, "call_view", lambda callback, request, own=own: Response("{}", 200, own))
        started = []
        direct(dict(environ, **{"wsgi.input": __import__("io").BytesIO(b"{}")}), lambda *a: started.append(a))
        origins = [value for name, value in started[0][1] if name.lower() == "access-control-allow-origin"]
        assert origins == expected


def test_headers_dict_answers_in_and_get_as_a_mapping():
    """botocore's HeadersDict answers `in` and get() as MutableMapping's (through __getitem__) do: any case,
    default for an absent name, the same error for a name that is no str."""
    from collections.abc import Mapping

    from botocore.awsrequest import HeadersDict

    speedups.install_header_lookups()
    assert HeadersDict.__contains__ is speedups.headers_dict_contains  # installed
    headers = HeadersDict({"Content-Type": "a", "X-Amz-Date": "d", "x-amz-meta-my_key": "v"})
    headers["content-type"] = "b"  # same header, another case
    for name in ("Content-Type", "CONTENT-TYPE", "x-amz-date", "X-Amz-Meta-My_Key", "Missing", ""):
        assert (name in headers) == Mapping.__contains__(headers, name), name
        assert headers.get(name) == Mapping.get(headers, name), name
        assert headers.get(name, "default") == Mapping.get(headers, name, "default"), name
    assert headers.get("content-type") == "b" and "missing" not in headers
    for mine, theirs in ((lambda: 3 in headers, lambda: Mapping.__contains__(headers, 3)),
                         (lambda: headers.get(3), lambda: Mapping.get(headers, 3))):
        with pytest.raises(AttributeError):
            mine()
        with pytest.raises(AttributeError):
            theirs()


def test_request_ids_are_filled_in_as_moto_fills_them(engine):
    """The request ID goes into the headers and an XML body's <RequestId> as moto puts it there; other bodies
    (JSON, no RequestId, bytes, empty) come back unchanged, as from moto's substitution."""
    assert responses.BaseResponse._enrich_response is speedups.enrich_response  # installed with the engine
    bodies = ["<R><ResponseMetadata><RequestId>old</RequestId></ResponseMetadata></R>",
              "<A><RequestId>x</RequestId><B/><RequestId>y</RequestId></A>", '{"RequestId": "keep"}',
              "<R>none</R>", "", b"<RequestId>bytes stay</RequestId>", "<RequestId>\nmulti\n</RequestId>"]
    for body in bodies:
        outcomes = []
        for enrich in (speedups.enrich_response, speedups.moto_enrich_response):
            headers, filled = enrich({"status": 200, "content-type": "text/xml"}, body)
            request_id = headers["x-amzn-requestid"]
            assert len(request_id) == 52 and headers["status"] == "200"
            outcomes.append(filled.replace(request_id, "ID") if isinstance(filled, str) else filled)
        assert outcomes[0] == outcomes[1], body
    headers, filled = speedups.enrich_response({}, bodies[0])
    assert f"<RequestId>{headers['x-amzn-requestid']}</RequestId>" in filled and "status" not in headers
