"""The cached moto helpers answer exactly as moto's own, and reach the modules that call them."""
from __future__ import annotations

import json

import moto.core.responses as responses
import moto.core.utils as utils
import pytest

from labkit.emulator import model_docs, speedups
from labkit.emulator.endpoint_data import ServicesOnDemand
from labkit.engines.inprocess import make_environ

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


def test_headers_dicts_are_made_as_botocore_makes_them():
    """A HeadersDict made from a dict, another's items(), pairs, a Mapping or keywords holds the same spellings,
    values and order as botocore's own __init__ (first spelling kept, last value wins); the copy is independent."""
    from botocore.awsrequest import HeadersDict

    speedups.install_header_lookups()
    assert HeadersDict.__init__ is speedups.headers_dict_init  # installed
    source = {"Content-Type": "a", "X-Amz-Date": "d", "content-type": "b", "x-amz-meta-My_Key": "v", "Host": "h"}
    given = HeadersDict(source)
    pairs = [*source.items(), ("HOST", "h2"), ("Accept", "x")]  # a repeated name: first spelling, last value
    for args, kwargs in (((source,), {}), ((given.items(),), {}), ((pairs,), {}), ((given,), {}),
                         ((), {"A": "1", "a": "2"}), ((source,), {"Extra": "e"}), ((), {})):
        mine = HeadersDict(*args, **kwargs)
        theirs = HeadersDict.__new__(HeadersDict)
        speedups.botocore_headers_dict_init(theirs, *args, **kwargs)
        assert [(str(k), v) for k, v in mine._dict.items()] == [(str(k), v) for k, v in theirs._dict.items()], args
    copy = HeadersDict(given.items())
    copy["X-Amz-Date"] = "other"
    assert given["x-amz-date"] == "d" and copy["x-amz-date"] == "other"


def test_response_headers_are_lower_cased_as_botocore_does():
    """The parser's HTTPHeaders of a HeadersDict, and of a plain dict, equal botocore's lowercase_dict's."""
    import botocore.parsers as parsers
    from botocore.awsrequest import HeadersDict
    from botocore.utils import lowercase_dict

    speedups.install_header_lookups()
    assert parsers.lowercase_dict is speedups.lowercase_headers  # installed
    headers = HeadersDict({"Content-Type": "a", "X-Amz-Meta-My_Key": "v", "x-amzn-RequestId": "r"})
    headers["CONTENT-TYPE"] = "b"
    for given in (headers, {"Content-Type": "a", "ETag": '"e"'}):
        mine = speedups.lowercase_headers(given)
        assert mine == lowercase_dict(given) and list(mine) == list(lowercase_dict(given))


@pytest.mark.parametrize("raw_uri", ["/", "/b/k", "/b/k?x=1&y=%2F", "//double/slash", "/b/a:b/c?q", "/b/%2Fkey",
                                     "/?list-type=2", "http://h:5000/b/k?x", "b/k", "", "/a?b?c"])
def test_raw_paths_are_moto_s(engine, raw_uri):
    """moto's Request.raw_path for each RAW_URI: a path, a query, a double slash, a colon, a full URL, no slash,
    none (werkzeug's path then)."""
    from moto.core.request import Request

    assert Request.__dict__["raw_path"].fget is speedups.raw_path  # installed
    environ = make_environ("GET", "http://127.0.0.1:5000/b/from-path", [], b"")
    environ["RAW_URI"] = raw_uri
    request = Request(environ)
    assert request.raw_path == speedups.moto_raw_path.fget(request)


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



def test_user_agents_are_botocore_s(engine, monkeypatch):
    """The remembered User-Agent header equals botocore's own for each client configuration and each call's feature
    IDs, whatever the order of calls, and follows a changed config input, a legacy header and a customized
    modify_components."""
    import boto3
    import botocore.useragent as useragent
    from botocore.config import Config
    from botocore.context import start_as_current_context

    assert useragent.UserAgentString.to_string is speedups.remembered_user_agent  # installed
    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b")
    configs = [Config(), Config(user_agent_extra="lab/1", user_agent_appid="app"), Config(user_agent="legacy/2"),
               Config(retries={"mode": "adaptive"})]
    features = [(), ("RETRY_MODE_STANDARD",), ("RETRY_MODE_STANDARD", "ENDPOINT_OVERRIDE"), ("PAGINATOR",), ()]
    seen = set()
    for config in configs:
        creator = session.client("sqs", region_name="us-east-1", config=config)._user_agent_creator
        for ids in features * 2:
            with start_as_current_context():
                useragent.register_feature_ids(ids)
                mine, theirs = creator.to_string(), speedups.botocore_user_agent(creator)
            assert mine == theirs, (config, ids)
            seen.add(mine)
        if config.user_agent is None:  # a changed input is seen, as botocore sees it
            creator._client_config.user_agent_extra = "changed/3"
            assert creator.to_string() == speedups.botocore_user_agent(creator) and "changed/3" in creator.to_string()
    assert len(seen) > len(configs) + 2  # the features made different headers
    creator = session.client("ssm", region_name="us-east-1")._user_agent_creator
    assert " " in creator.to_string()  # remembered with botocore's own modify_components
    monkeypatch.setattr(useragent, "modify_components", lambda components: components[:1])
    assert creator.to_string() == speedups.botocore_user_agent(creator) and " " not in creator.to_string()
