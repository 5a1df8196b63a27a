"""The embedded engine's requests made cheaper, no answer changed.

Answers moto recomputes on every request, though they never change, are remembered (measured: ~20 % of moto's time):

- ``camelcase_to_underscores`` turns each parameter and attribute name into snake case, character by character.
- ``method_names_from_class`` lists a response class's methods with ``inspect.getmembers`` on every call.
- ``DomainDispatcherApplication.get_backend_for_host`` lists moto's package folder on every request to map the
  Host header to a service (:func:`cache_host_lookup`; measured: about 1 ms per call).
- ``moto.core.utils._load_service_model`` makes a new botocore loader for each service model it reads, so each
  service's model file (S3's is several MB of JSON) is parsed again though the notebook's client has just parsed
  it: :func:`shared_loader` is one loader for moto and the embedded engine's boto3 session (botocore's loader
  caches what it has read; neither side changes a loaded model).

- moto's server answers each request through Flask: a request context, the debug helpers, flask-cors's
  after-request hook and the response's round trip cost about 12 % of an in-process call, and Flask's import about
  3.5 MB of the kernel. labkit/emulator/flaskless.py answers as moto's Flask apps answer, without Flask; each
  service's URL map is bound once and given the request's path and method (measured: 40 -> 12 us per request).

- ``MotoRandom.get_random_string`` (every answer's 52-character request id, and most of moto's generated ids)
  draws each character with its own ``random.choice`` call: :func:`random_string` draws them in one
  ``random.choices`` call on the same generator (same alphabet and length, uniform; a seeded moto stays
  deterministic). SQS's 185-character receipt handles are drawn the same way (labkit/emulator/sqs.py).

- A full garbage collection walks every object of the process, most of them the code and models of moto, botocore
  and labkit that live as long as the kernel (measured on the benchmark's workload: a full collection of
  90-135 ms every ~2,800 calls, about 3 % of their time). :func:`freeze_after_loading` moves them out of the
  collector's way with ``gc.freeze()`` after each request that loaded modules (a service's first call loads its
  moto code), as the Python documentation describes for objects that never become garbage. Objects that die are
  still freed; only a reference cycle among objects alive at a freeze is left uncollected.

- Every botocore session moto makes (one for every backend's region list, three more while EC2's module imports,
  each for a single ``get_available_regions``) gets a new botocore loader, which parses ``endpoints.json`` (7 MB
  in memory) and the service's whole model again (EC2's: 14 MB) though the notebook's own clients hold the same:
  :func:`share_default_loader` has every session of this process that uses botocore's default data path read
  through :func:`shared_loader` (measured: about 60 MB less allocated when a lab first calls SSM, which loads EC2).
  That loader decodes JSON objects as plain dicts, not botocore's OrderedDicts (:func:`plain_json_file_loader`):
  same keys, values and order in about 60 % of the memory, for as long as the kernel runs; ``endpoints.json``'s
  services are decoded one by one when looked up (labkit/emulator/endpoint_data.py).

- botocore signs every request with Signature Version 4: a canonical request, a string to sign and five HMACs,
  though a request the embedded engine answers in this process has its signature read by nobody unless IAM is
  enforced (labkit's ``enforce_iam`` or moto's ``INITIAL_NO_AUTH_ACTION_COUNT``). :class:`InProcessSigning` skips
  those three steps then, and only then (measured on the benchmark's workload, batches alternating in one
  process: 1.95 -> 1.79 ms CPU per call, -8 %); the headers moto reads (the access key and region of the
  credential scope, ``X-Amz-Date``, the session token, S3's payload hash) are botocore's own.

- botocore parses every timestamp of a response (an S3 ``Last-Modified``, an ISO 8601 date) with dateutil, though
  the same strings come back call after call: :func:`remembered_timestamps` remembers the datetime of each date
  string (measured as the signatures above: -5 % CPU per workload call).

- Smaller per-request work, each the library's own answer computed once or without an exception (measured together
  on the workload, the same way: about -10 to -14 % CPU per call on a loaded machine): werkzeug's root URL, moto's
  access-key search and header names (:func:`install_request_memos`); each endpoint-ruleset parameter's source per
  client and operation (:func:`planned_provider_params`); ``in``/``get``, construction and the parser's
  lower-cased copy of botocore's ``HeadersDict`` (:func:`install_header_lookups`); moto's clock helpers
  (:data:`CLOCK`); the ``<RequestId>`` fill only where a body has one (:func:`enrich_response`); botocore's
  ``User-Agent`` header per client and feature list (:func:`remembered_user_agent`); moto's raw path without a URL
  parse (:func:`raw_path`). The HeadersDict construction and lower-casing, the User-Agent and the raw path
  together, switched on and off between batches in one process: -2 to -5 % CPU per workload call (median ratio of
  30 pairs in each of three runs: 0.954, 0.979, 0.960).

The caches depend only on their argument, so a cache changes no answer. moto's modules import the two helpers by
name, so the cached versions replace every reference already imported, and moto's own module for those imported
later.

Upstream change (moto): ``functools.lru_cache`` on the two helpers in ``moto/core/utils.py`` and on
``get_backend_for_host``. ``tests/test_emulator_speedups.py::test_moto_still_recomputes`` fails once moto caches
them; then drop those caches.
"""
from __future__ import annotations

import datetime
import functools
import gc
import os
import re
import string
import sys
from collections.abc import ItemsView
from urllib.parse import urlsplit

from .registry import Patch

NAMES = ("camelcase_to_underscores", "method_names_from_class")

PATCHES = [
    Patch(
        name="speedups-helpers",
        changes="Caches moto.core.utils.camelcase_to_underscores and method_names_from_class (pure functions) "
                "wherever moto's modules imported them.",
        symbols=tuple(f"moto.core.utils.{name}" for name in NAMES),
        upstream="moto/core/utils.py: functools.lru_cache on both helpers.",
    ),
    Patch(
        name="speedups-service-models",
        changes="moto.core.utils._load_service_model reads service models through one shared botocore loader "
                "(also the embedded engine's session's), so each model file is parsed once per process.",
        symbols=("moto.core.utils._load_service_model", "moto.core.utils.create_loader"),
        upstream="moto/core/utils.py: create the loader once (module level) in _load_service_model.",
    ),
    Patch(
        name="speedups-host-lookup",
        changes="Caches the embedded engine's DomainDispatcherApplication.get_backend_for_host (per Host header).",
        symbols=("moto.moto_server.werkzeug_app.DomainDispatcherApplication.get_backend_for_host",),
        upstream="moto/moto_server/werkzeug_app.py: cache get_backend_for_host per host.",
    ),
    Patch(
        name="speedups-random-strings",
        changes="MotoRandom.get_random_string draws its characters in one random.choices call (same generator, "
                "alphabet and length) instead of one random.choice call per character.",
        symbols=("moto.moto_api._internal.moto_random.MotoRandom.get_random_string",),
        upstream="moto/moto_api/_internal/moto_random.py: self.choices(pool, k=length) in get_random_string.",
    ),
    Patch(
        name="speedups-plain-json",
        changes="The shared botocore loader (moto's and the embedded engine's) reads its JSON data files with "
                "botocore's file loader except that objects decode as dicts instead of OrderedDicts (same keys, "
                "values and order; about 40 % less memory for endpoints.json and the service models a lab keeps).",
        symbols=("botocore.loaders.JSONFileLoader._load_file", "botocore.loaders.JSONFileLoader.load_file",
                 "botocore.loaders.Loader.load_data_with_path"),
        upstream="botocore/loaders.py: json.loads without object_pairs_hook=OrderedDict (dicts keep order).",
    ),
    Patch(
        name="speedups-inprocess-signing",
        changes="botocore's SigV4 signers ('v4', 's3v4' in botocore.auth.AUTH_TYPE_MAPS) skip the canonical request "
                "and the HMAC chain for a request the embedded engine answers in this process while nothing reads "
                "its signature (labkit's IAM enforcement off, moto's INITIAL_NO_AUTH_ACTION_COUNT unset): the "
                "Authorization header keeps its credential scope and signed headers; its Signature says it was not "
                "computed. Every other request (presigned URLs, other endpoints, enforced IAM) is signed as before.",
        symbols=("botocore.auth.AUTH_TYPE_MAPS", "botocore.auth.SigV4Auth.add_auth",
                 "botocore.auth.SigV4Auth.canonical_request", "botocore.auth.SigV4Auth.string_to_sign",
                 "botocore.auth.SigV4Auth.signature", "botocore.auth.SigV4Auth.headers_to_sign",
                 "botocore.auth.SigV4Auth.signed_headers", "botocore.auth.SIGNED_HEADERS_BLACKLIST",
                 "botocore.auth.S3SigV4Auth",
                 "moto.settings.INITIAL_NO_AUTH_ACTION_COUNT"),
        upstream="None: a real client must sign; only an in-process emulator that reads no signature may skip it.",
    ),
    Patch(
        name="speedups-timestamps",
        changes="botocore.parsers.DEFAULT_TIMESTAMP_PARSER remembers what it parsed from a date string (an S3 "
                "Last-Modified, an ISO 8601 date): the same string on the same day gives the same datetime; numbers "
                "and numeric strings (read in the local time zone) are parsed each time, as before.",
        symbols=("botocore.parsers.DEFAULT_TIMESTAMP_PARSER", "botocore.parsers.ResponseParser.__init__",
                 "botocore.utils.parse_timestamp"),
        upstream="botocore/utils.py: parse_timestamp could skip dateutil for the two formats AWS sends.",
    ),
    Patch(
        name="speedups-clock",
        changes="moto.core.utils's utcnow, utcfromtimestamp, unix_time and unix_time_millis, wherever moto's modules "
                "imported them, replaced by the same computations without an import statement in each call and "
                "without working the epoch out again (unix_time).",
        symbols=("moto.core.utils.utcnow", "moto.core.utils.utcfromtimestamp", "moto.core.utils.unix_time",
                 "moto.core.utils.unix_time_millis"),
        upstream="moto/core/utils.py: import UTC once at module level; a module-level epoch in unix_time.",
    ),
    Patch(
        name="speedups-endpoint-plans",
        changes="botocore's EndpointRulesetResolver._get_provider_params works out once per client and operation where "
                "each endpoint parameter takes its value from (static/dynamic/operation/client context, builtin); the "
                "values, hooks and JMESPath are read on every call in botocore's order.",
        symbols=("botocore.regions.EndpointRulesetResolver._get_provider_params",
                 "botocore.regions.EndpointRulesetResolver._resolve_param_from_context",
                 "botocore.regions.EndpointRulesetResolver._get_static_context_params",
                 "botocore.regions.EndpointRulesetResolver._get_dynamic_context_params",
                 "botocore.regions.EndpointRulesetResolver._get_client_context_params",
                 "botocore.regions.EndpointRulesetResolver._resolve_param_as_operation_context_param",
                 "botocore.regions.EndpointRulesetResolver._resolve_param_as_builtin",
                 "botocore.regions.EndpointRulesetResolver._get_customized_builtins",
                 "botocore.regions.EndpointRulesetResolver._register_endpoint_feature_ids",
                 "botocore.regions.EndpointResolverBuiltins"),
        upstream="botocore/regions.py: cache each operation's parameter sources in _get_provider_params.",
    ),
    Patch(
        name="speedups-request-id-fill",
        changes="moto's BaseResponse._enrich_response runs its <RequestId> substitution only on a text body that has "
                "a <RequestId> (every other body came back unchanged); the request ID header as before.",
        symbols=("moto.core.responses.BaseResponse._enrich_response", "moto.core.responses.gen_amzn_requestid_long"),
        upstream="moto/core/responses.py: skip the regex when '<RequestId>' is not in the body.",
    ),
    Patch(
        name="speedups-header-lookups",
        changes="botocore's HeadersDict answers `in` and get() with one dict lookup of its case-insensitive key "
                "instead of MutableMapping's __getitem__ with a KeyError raised and caught for an absent name, and "
                "is made from a dict, a list of pairs or another HeadersDict's items() in one comprehension; "
                "botocore.parsers' lowercase_dict reads a HeadersDict's lower-cased keys directly.",
        symbols=("botocore.awsrequest.HeadersDict", "botocore.awsrequest.HeadersDict.__getitem__",
                 "botocore.awsrequest.HeadersDict.__init__", "botocore.awsrequest.HeadersDict.__setitem__",
                 "botocore.parsers.lowercase_dict", "botocore.utils.lowercase_dict",
                 "botocore.awsrequest.HeadersDict.__contains__", "botocore.awsrequest.HeadersDict.get",
                 "botocore.awsrequest._HeaderKey"),
        upstream="botocore/awsrequest.py: __contains__ and get on HeadersDict.",
    ),
    Patch(
        name="speedups-request-memos",
        changes="Remembered per argument, for every request moto answers: werkzeug's root URL "
                "(werkzeug.sansio.request.get_current_url without path or query string), the search of moto's "
                "BaseResponse.access_key_regex (per Authorization header), and the environ key and header name of "
                "moto's EnvironHeaders (its _get_key and __iter__ as werkzeug's and moto's, names worked out once).",
        symbols=("werkzeug.sansio.request.get_current_url", "werkzeug.sansio.utils.get_current_url",
                 "moto.core.responses.BaseResponse.access_key_regex", "moto.core.request.EnvironHeaders.__iter__",
                 "moto.core.request.EnvironHeaders._get_key",
                 "moto.core.request.environ_key_for_header", "moto.core.request.PRESERVED_HEADER_NAMES_ENVIRON_KEY",
                 "werkzeug.datastructures.EnvironHeaders._get_key", "werkzeug.datastructures.EnvironHeaders.__iter__"),
        upstream="werkzeug: cache root_url's IRI decoding; moto: one access-key parse per request.",
    ),
    Patch(
        name="speedups-one-data-loader",
        changes="botocore.session.create_loader returns the shared loader for botocore's default data path, so each "
                "Session (moto makes several) reads endpoints.json and each service model once per process; a "
                "session given another data path (AWS_DATA_PATH) gets its own loader, as before.",
        symbols=("botocore.session.create_loader",),
        upstream="moto: one boto3 Session for region lists (moto/core/base_backend.py, "
                 "moto/ec2/models/availability_zones_and_regions.py make their own).",
    ),
    Patch(
        name="speedups-raw-path",
        changes="moto's Request.raw_path takes a RAW_URI that starts with '/' up to its '?' without parsing it with "
                "urlparse (which finds no scheme in it, so moto does the same); any other goes to moto's property.",
        symbols=("moto.core.request.Request.raw_path",),
        upstream="moto/core/request.py: parse RAW_URI only when it does not start with '/'.",
    ),
    Patch(
        name="speedups-user-agent",
        changes="botocore's UserAgentString.to_string (called twice a request) remembers the header it built for "
                "each set of feature IDs, as long as botocore's cached static parts stay the same object; a "
                "customized modify_components or a legacy (Config.user_agent) header goes to botocore as before.",
        symbols=("botocore.useragent.UserAgentString.to_string", "botocore.useragent.UserAgentString._get_static_parts",
                 "botocore.useragent.modify_components",
                 "botocore.useragent._default_modify_components", "botocore.useragent.get_context"),
        upstream="botocore/useragent.py: cache the features component per feature set beside the static parts.",
    ),
]


INSTALL_WHEN = ()  # at engine start (labkit.emulator.lazy): the random strings wait for moto's generator below
RANDOM_MODULE = "moto.moto_api._internal.moto_random"


def install() -> None:
    """Swap in the cached helpers, and the faster random strings once moto loads its generator (idempotent)."""
    import moto.core.utils as utils

    from .lazy import when_loaded

    for name in NAMES:
        original = getattr(utils, name)
        if not hasattr(original, "uncached"):
            replace_everywhere(name, original, remembered(original))
    for name, faster in CLOCK.items():
        if getattr(utils, name) is not faster:
            moto_clock[name] = getattr(utils, name)
            replace_everywhere(name, moto_clock[name], faster)
    global moto_load_service_model
    if utils._load_service_model is not load_service_model:
        moto_load_service_model = utils._load_service_model
        utils._load_service_model = load_service_model
    share_default_loader()
    install_inprocess_signing()
    install_timestamp_cache()
    install_request_memos()
    install_endpoint_plans()
    install_header_lookups()
    install_request_id_fill()
    install_user_agent_memo()
    install_raw_path()
    when_loaded((RANDOM_MODULE,), "speedups-random-strings", install_random_string)


def replace_everywhere(name: str, original, faster) -> None:
    """Put ``faster`` in place of ``original`` wherever a loaded module holds it as ``name`` (moto's modules import
    their helpers by name; moto.core.utils itself included, so modules loaded later import ``faster``)."""
    for module in list(sys.modules.values()):
        if getattr(module, name, None) is original:
            setattr(module, name, faster)


EPOCH = datetime.datetime(1970, 1, 1)  # moto's utcfromtimestamp(0)


def utc_now() -> datetime.datetime:
    """moto's ``utcnow``: now in UTC as a naive datetime (moto imports ``datetime.UTC`` inside each call)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def utc_from_timestamp(value) -> datetime.datetime:
    """moto's ``utcfromtimestamp``: the naive UTC datetime of POSIX timestamp ``value`` (seconds)."""
    return datetime.datetime.fromtimestamp(value, datetime.timezone.utc).replace(tzinfo=None)


def unix_time(dt: datetime.datetime | None = None) -> float:
    """moto's ``unix_time``: seconds from the epoch to naive UTC ``dt`` (default: now), the same arithmetic,
    without working the epoch out again on each call."""
    delta = (dt or utc_now()) - EPOCH
    return (delta.days * 86400) + (delta.seconds + (delta.microseconds / 1e6))


def unix_time_millis(dt: datetime.datetime | None = None) -> float:
    """moto's ``unix_time_millis``: :func:`unix_time` in milliseconds."""
    return unix_time(dt) * 1000.0


CLOCK = {"utcnow": utc_now, "utcfromtimestamp": utc_from_timestamp, "unix_time": unix_time,
         "unix_time_millis": unix_time_millis}  # moto.core.utils's clock helpers, each called several times a request
moto_clock: dict = {}  # moto's own, once replaced (the guard test calls them)


botocore_provider_params = None  # botocore's EndpointRulesetResolver._get_provider_params, once replaced


def install_endpoint_plans() -> None:
    """Put :func:`planned_provider_params` in place of botocore's ``EndpointRulesetResolver._get_provider_params``
    (idempotent; every client of the process)."""
    global botocore_provider_params
    from botocore.regions import EndpointRulesetResolver

    if EndpointRulesetResolver._get_provider_params is not planned_provider_params:
        botocore_provider_params = EndpointRulesetResolver._get_provider_params
        EndpointRulesetResolver._get_provider_params = planned_provider_params


def endpoint_plan(resolver, operation_model) -> tuple:
    """Where each parameter of ``resolver``'s endpoint ruleset takes its value from for ``operation_model``, worked
    out once per resolver (a client) and operation: ``(name, static value, is dynamic, member name, is an operation
    context parameter, is a client context parameter, its variable, builtin name, whether botocore knows that
    builtin)``. These come from the service
    model only (botocore's ``_get_static_context_params``, ``_get_dynamic_context_params``,
    ``operation_context_parameters``, ``_get_client_context_params``)."""
    from botocore.regions import EndpointResolverBuiltins

    plans = resolver.__dict__.setdefault("_labkit_endpoint_plans", {})
    plan = plans.get(operation_model)
    if plan is None:
        static = resolver._get_static_context_params(operation_model)
        dynamic = resolver._get_dynamic_context_params(operation_model)
        operation = operation_model.operation_context_parameters
        client = resolver._get_client_context_params()
        known = set(EndpointResolverBuiltins.__members__.values())
        plan = plans[operation_model] = tuple(
            (name, static.get(name), name in dynamic, dynamic.get(name), name in operation, name in client,
             client.get(name), definition.builtin, definition.builtin in known)
            for name, definition in resolver._param_definitions.items())
    return plan


def planned_provider_params(self, operation_model, call_args, request_context) -> dict:
    """botocore's ``EndpointRulesetResolver._get_provider_params``: the endpoint ruleset's parameter values for a
    call (a dict, parameter name -> value), taken in botocore's order (a static context value, the call's
    argument named by a dynamic context parameter, an operation context parameter's JMESPath, the client's
    context, the builtins after the ``before-endpoint-resolution`` hooks), with the per-parameter lookups in the
    service model done once per operation (:func:`endpoint_plan`; botocore repeated about 4 cached lookups per
    parameter per call, S3 has 20 parameters, and checked each builtin's name against the enum's values). Hooks,
    JMESPath and builtins run on every call as before."""
    builtins = self._get_customized_builtins(operation_model, call_args, request_context)
    params = {}
    for name, static, dynamic, member, operation, client, variable, builtin, known in endpoint_plan(
            self, operation_model):
        value = static
        if value is None and dynamic:
            value = call_args.get(member)
        if value is None and operation:
            value = self._resolve_param_as_operation_context_param(name, operation_model, call_args)
        if value is None and client:
            value = self._client_context.get(variable)
        if value is None and builtin is not None:
            if not known:  # botocore's UnknownEndpointResolutionBuiltInName
                value = self._resolve_param_as_builtin(builtin_name=builtin, builtins=builtins)
            else:  # botocore's _resolve_param_as_builtin, the name checked once in the plan
                value = builtins.get(builtin)
                if callable(value):
                    value = value()
        if value is not None:
            params[name] = value
            self._register_endpoint_feature_ids(name, value)
    return params


botocore_user_agent = None  # botocore's UserAgentString.to_string, once replaced
_useragent = None  # the module botocore.useragent (its modify_components and get_context are read on each call)


def install_user_agent_memo() -> None:
    """Put :func:`remembered_user_agent` in place of botocore's ``UserAgentString.to_string`` (idempotent; every
    client of the process)."""
    global botocore_user_agent, _useragent
    import botocore.useragent as useragent

    _useragent = useragent
    if useragent.UserAgentString.to_string is not remembered_user_agent:
        botocore_user_agent = useragent.UserAgentString.to_string
        useragent.UserAgentString.to_string = remembered_user_agent


def remembered_user_agent(self) -> str:
    """botocore's ``UserAgentString.to_string``: the ``User-Agent`` header (a str) of a client's request. botocore
    keeps the request-independent parts and rebuilds the feature-ID component (``m/...``: the client's features and
    those of the call's context, sanitized and truncated to 1024 bytes) on every call, twice a request (py-spy: about
    3 % of a workload call). Here botocore's own header is remembered per client for each feature list, joined as
    botocore joins it, while botocore's static parts (which it checks against the session and config on each call)
    stay the same object; a customized ``botocore.customizations.useragent.modify_components`` or a legacy header
    goes to botocore each time ("Configuring a user agent", AWS SDKs and Tools Reference Guide)."""
    useragent = _useragent
    if useragent.modify_components is not useragent._default_modify_components:
        return botocore_user_agent(self)
    static = self._get_static_parts()
    if static.legacy is not None:
        return static.legacy
    context = useragent.get_context()
    features = (self._client_features or set()).union(set() if context is None else context.features)
    memo = self.__dict__.get("_labkit_user_agents")
    if memo is None or memo[0] is not static:
        memo = self._labkit_user_agents = (static, {})
    key = ",".join(features)
    header = memo[1].get(key)
    if header is None:
        header = memo[1][key] = botocore_user_agent(self)
    return header


SIGNED_VERSIONS = ("v4", "s3v4")  # botocore's signature versions of labkit's clients (S3's, every other service's)
UNCOMPUTED_SIGNATURE = "not-computed-answered-in-process"  # what the Authorization header's Signature= says then


def signature_unread(request) -> bool:
    """True when the embedded engine answers botocore's ``request`` (an ``AWSRequest``) in this process
    (:data:`labkit.engines.inprocess.dispatcher`) and nothing there reads its signature: labkit's IAM enforcement
    (:mod:`labkit.emulator.iam`) is off and moto's own (``INITIAL_NO_AUTH_ACTION_COUNT``) never starts. Those two
    are the only readers of a SigV4 signature in the embedded engine (``IAMRequestBase.check_signature``); the
    workshop server's :class:`labkit.engines.sigv4.SigV4Gate` verifies requests that come over HTTP only."""
    settings, dispatcher, _ = _signing_context
    iam = sys.modules.get("labkit.emulator.iam")  # not loaded: enforcement was never enabled
    if (iam is not None and iam.is_enforcing()) or settings.INITIAL_NO_AUTH_ACTION_COUNT != float("inf"):
        return False
    return dispatcher.engine_for(urlsplit(request.url).netloc) is not None


_signing_context: tuple = ()  # moto's settings, the in-process dispatcher, botocore's unsigned header names


class InProcessSigning:
    """Mixin for botocore's SigV4 signers (``SigV4Auth``, ``S3SigV4Auth``): when :func:`signature_unread` holds for
    the request, ``add_auth`` (botocore's own) sets the same headers (``X-Amz-Date``, the session token, S3's
    ``X-Amz-Content-SHA256``, an ``Authorization`` with the credential scope moto reads the access key and region
    from, and the signed headers) but skips the canonical request, the string to sign and the HMAC chain
    (measured: -8 % CPU per workload call); ``Signature=`` is :data:`UNCOMPUTED_SIGNATURE`. Otherwise botocore
    signs as always ("Create a signed AWS API request", IAM User Guide)."""

    _skip = False

    def add_auth(self, request):
        self._skip = signature_unread(request)  # botocore makes a signer for each signing
        super().add_auth(request)

    def canonical_request(self, request):
        return "" if self._skip else super().canonical_request(request)

    def headers_to_sign(self, request):
        """botocore's (an ``HTTPHeaders``); when skipping, only the names, which are all ``signed_headers`` reads for
        the Authorization header's SignedHeaders: the request's own, lower-cased, but those botocore never signs,
        and ``host`` (botocore builds an email message and parses the URL for its value)."""
        if not self._skip:
            return super().headers_to_sign(request)
        return {name.lower() for name in request.headers.keys()}.difference(_signing_context[2]) | {"host"}

    def string_to_sign(self, request, canonical_request):
        return "" if self._skip else super().string_to_sign(request, canonical_request)

    def signature(self, string_to_sign, request):
        return UNCOMPUTED_SIGNATURE if self._skip else super().signature(string_to_sign, request)


def install_inprocess_signing() -> None:
    """Put :class:`InProcessSigning` signers in botocore's ``AUTH_TYPE_MAPS`` for :data:`SIGNED_VERSIONS`
    (idempotent; every client of the process, each deciding per request)."""
    global _signing_context
    from botocore import auth
    from moto import settings

    from ..engines.inprocess import dispatcher

    _signing_context = (settings, dispatcher, frozenset(auth.SIGNED_HEADERS_BLACKLIST))
    for version in SIGNED_VERSIONS:
        signer = auth.AUTH_TYPE_MAPS[version]
        if not issubclass(signer, InProcessSigning):
            auth.AUTH_TYPE_MAPS[version] = type(f"InProcess{signer.__name__}", (InProcessSigning, signer), {})


def install_timestamp_cache() -> None:
    """Put :func:`remembered_timestamps` around botocore's ``DEFAULT_TIMESTAMP_PARSER`` (idempotent); botocore reads
    it each time it makes a response parser, that is for every response."""
    import botocore.parsers as parsers

    if not hasattr(parsers.DEFAULT_TIMESTAMP_PARSER, "cache_info"):
        parsers.DEFAULT_TIMESTAMP_PARSER = remembered_timestamps(parsers.DEFAULT_TIMESTAMP_PARSER)


def remembered_timestamps(parse):
    """botocore's ``parse_timestamp`` (``parse``: a str or number -> ``datetime.datetime``; ValueError when invalid),
    remembering its answers for date strings (measured: ~5 % of a workload call, most of it in dateutil).

    A date string's datetime depends on the string and, for the parts it leaves out, today's date (dateutil's
    default), so both are the key. Numbers and numeric strings are epoch seconds that botocore converts to the
    local time zone, which can change: they are parsed each time. A datetime is immutable, so callers can share
    one. ``cache_info()`` as ``functools.lru_cache`` gives it (tests read it)."""
    remember = functools.lru_cache(maxsize=4096)(lambda value, _today: parse(value))

    @functools.wraps(parse)
    def parse_timestamp(value):
        if not isinstance(value, str):
            return parse(value)
        try:
            float(value)
        except ValueError:
            return remember(value, today())
        return parse(value)

    parse_timestamp.cache_info = remember.cache_info
    return parse_timestamp


def today():
    """Today's date (here so a test can move it)."""
    return datetime.date.today()


REQUEST_ID_IN_XML = r"(?<=<RequestId>).*(?=<\/RequestId>)"  # moto's BaseResponse._enrich_response's pattern
moto_enrich_response = None  # moto's BaseResponse._enrich_response, once replaced (the guard test calls it)


def install_request_id_fill() -> None:
    """Put :func:`enrich_response` in place of moto's ``BaseResponse._enrich_response`` (idempotent)."""
    global moto_enrich_response
    from moto.core.responses import BaseResponse

    if BaseResponse.__dict__["_enrich_response"].__func__ is not enrich_response:
        moto_enrich_response = BaseResponse._enrich_response
        BaseResponse._enrich_response = staticmethod(enrich_response)


def enrich_response(headers: dict, body):
    """moto's ``BaseResponse._enrich_response``: ``(headers, body)`` with ``status`` as text, a new request ID in
    ``headers`` (``x-amzn-requestid``) and in an XML body's ``<RequestId>``. moto runs its look-behind regular
    expression over every body; here only over a text body that has a ``<RequestId>`` (on any other, moto's
    substitution changes nothing, or fails on bytes, which moto ignores)."""
    if "status" in headers:
        headers["status"] = str(headers["status"])
    request_id = sys.modules["moto.core.responses"].gen_amzn_requestid_long(headers)  # as moto's, no import each call
    if isinstance(body, str) and "<RequestId>" in body:
        body = re.sub(REQUEST_ID_IN_XML, request_id, body)
    return headers, body


def install_header_lookups() -> None:
    """botocore's ``HeadersDict`` (every prepared request's and response's headers) answers ``in`` and ``get`` with
    one lookup of its case-insensitive key (idempotent); ``MutableMapping``'s versions look the key up through
    ``__getitem__`` and raise and catch a KeyError for each absent name (the response parser asks for every
    header its output shape names); and is made from a dict, pairs or another's ``items()`` in one comprehension
    (:func:`headers_dict_init`), and the response parser's lower-cased copy of one (``HTTPHeaders`` of every
    answer's ``ResponseMetadata``) is read from its keys (:func:`lowercase_headers`)."""
    global _HeaderKey, _HeadersDict, botocore_headers_dict_init, botocore_lowercase_dict
    import botocore.parsers as parsers
    from botocore.awsrequest import HeadersDict, _HeaderKey

    _HeadersDict = HeadersDict
    if HeadersDict.__contains__ is not headers_dict_contains:
        HeadersDict.__contains__ = headers_dict_contains
        HeadersDict.get = headers_dict_get
    if HeadersDict.__init__ is not headers_dict_init:
        botocore_headers_dict_init = HeadersDict.__init__
        HeadersDict.__init__ = headers_dict_init
    if parsers.lowercase_dict is not lowercase_headers:
        botocore_lowercase_dict = parsers.lowercase_dict
        parsers.lowercase_dict = lowercase_headers


_HeaderKey = _HeadersDict = None  # botocore's case-insensitive header key and headers classes, bound when installed
botocore_headers_dict_init = None  # botocore's HeadersDict.__init__, once replaced (the test compares with it)
botocore_lowercase_dict = None  # botocore.utils.lowercase_dict as botocore.parsers imported it, once replaced


def lowercase_headers(original) -> dict:
    """botocore's ``lowercase_dict`` as its response parser calls it (``ResponseMetadata.HTTPHeaders``): a dict of
    each name lower-cased to its value. A ``HeadersDict`` (what the parser is given) is read from its keys, which
    hold the lower-cased name already, instead of ``__iter__`` and ``__getitem__`` making a key again per name."""
    if type(original) is _HeadersDict:
        return {key._lower: value for key, value in original._dict.items()}
    return botocore_lowercase_dict(original)


def headers_dict_init(self, *args, **kwargs) -> None:
    """botocore's ``HeadersDict(...)``: a case-insensitive dict of headers filled as ``MutableMapping.update`` fills
    it, one ``__setitem__`` per pair (the first spelling of a name kept, the last value wins). A plain dict (an
    answer's headers), a list of pairs (each prepared request's: ``AWSRequestPreparer._prepare_headers`` gives the
    ``items()`` of the request's ``HTTPHeaders``) or another ``HeadersDict``'s ``items()`` (its ``copy()``) fills it
    in one comprehension; the latter's keys are reused as they are, each being the key ``__setitem__`` would make
    again (botocore never changes one). Anything else goes through ``update`` as before."""
    if not kwargs and len(args) == 1 and type(self) is _HeadersDict:  # a subclass may have its own __setitem__
        other = args[0]
        if type(other) is dict:
            self._dict = {_HeaderKey(name): value for name, value in other.items()}
            return
        if type(other) is list:  # (name, value) pairs: a request's email-message headers' items()
            self._dict = {_HeaderKey(name): value for name, value in other}
            return
        if type(other) is ItemsView and type(other._mapping) is _HeadersDict:
            self._dict = dict(other._mapping._dict)
            return
    self._dict = {}
    self.update(*args, **kwargs)


def headers_dict_contains(self, name) -> bool:
    """``name in headers`` for a botocore ``HeadersDict``: whether a header of that name, in any case, is set."""
    return _HeaderKey(name) in self._dict


def headers_dict_get(self, name, default=None):
    """``headers.get(name, default)`` for a botocore ``HeadersDict``: the value of header ``name`` (any case), or
    ``default``."""
    return self._dict.get(_HeaderKey(name), default)


moto_raw_path = None  # moto's Request.raw_path property, once replaced (the test compares with it)


def install_raw_path() -> None:
    """Put :func:`raw_path` in place of moto's ``Request.raw_path`` property (idempotent)."""
    global moto_raw_path
    from moto.core.request import Request

    if Request.__dict__["raw_path"].fget is not raw_path:
        moto_raw_path = Request.__dict__["raw_path"]
        Request.raw_path = property(raw_path, doc=moto_raw_path.__doc__)


def raw_path(self) -> str:
    """moto's ``Request.raw_path``: the request's path before percent-decoding (a str starting with ``/``). moto
    parses ``RAW_URI`` with ``urlparse`` on each read (several a request) only to see whether it has a scheme; a
    URI that starts with ``/`` has none (a scheme starts with a letter, RFC 3986 section 3.1), so moto takes the
    part before ``?`` then, as here without the parse. Any other URI (a full URL, none) goes to moto's."""
    raw_uri = self.environ.get("RAW_URI", "")
    if raw_uri.startswith("/"):
        return raw_uri.split("?", 1)[0]
    return moto_raw_path.fget(self)


def install_request_memos() -> None:
    """Remembered answers for three things moto works out again for every request (idempotent): the root URL
    (:func:`remembered_root_url`), the access key in the Authorization header (:class:`RememberedPattern`) and the
    headers read from the WSGI environ (:func:`install_environ_headers`)."""
    import werkzeug.sansio.request as werkzeug_request
    from moto.core.responses import BaseResponse

    if not hasattr(werkzeug_request.get_current_url, "cache_info"):
        werkzeug_request.get_current_url = remembered_root_url(werkzeug_request.get_current_url)
    if not isinstance(BaseResponse.access_key_regex, RememberedPattern):
        BaseResponse.access_key_regex = RememberedPattern(BaseResponse.access_key_regex)
    install_environ_headers()


def remembered_root_url(get_current_url):
    """werkzeug's ``get_current_url(scheme, host, root_path=None, path=None, query_string=None) -> str`` (the IRI of
    a request's URL), remembering the answers without a path or query string: a request's ``root_url`` and
    ``host_url``, which moto reads for every request (``Request.raw_url``) and werkzeug builds each time through
    ``uri_to_iri`` (measured: ~3 % of a workload call). The function is pure; ``cache_info()`` as lru_cache's."""
    remember = functools.lru_cache(maxsize=256)(get_current_url)

    @functools.wraps(get_current_url)
    def current_url(scheme, host, root_path=None, path=None, query_string=None):
        if path is None and query_string is None:
            return remember(scheme, host, root_path)
        return get_current_url(scheme, host, root_path, path, query_string)

    current_url.cache_info = remember.cache_info
    return current_url


class RememberedPattern:
    """A compiled regular expression whose ``search`` remembers its answer for each string (a match object is
    immutable, so callers can share one); every other attribute is the pattern's. moto's
    ``BaseResponse.access_key_regex`` (``AWS.*(?P<access_key>…)``) backtracks over the whole Authorization header,
    twice per request (``get_access_key``, ``get_current_account``), though the same header recurs call after call
    (measured: ~7 us a search)."""

    def __init__(self, pattern):
        self.pattern = pattern
        self.search = functools.lru_cache(maxsize=256)(pattern.search)

    def __getattr__(self, name):
        return getattr(self.pattern, name)


def install_environ_headers() -> None:
    """moto's ``EnvironHeaders`` (the headers of every request moto answers) read the environ through
    :func:`environ_key` and :func:`header_of` (idempotent; :func:`environ_headers_get` and :func:`environ_headers`)."""
    global moto_environ_headers, _preserved_names_key
    from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY, EnvironHeaders

    _preserved_names_key = PRESERVED_HEADER_NAMES_ENVIRON_KEY
    if EnvironHeaders.__iter__ is not environ_headers:
        moto_environ_headers = EnvironHeaders.__iter__
        EnvironHeaders._get_key = environ_headers_get
        EnvironHeaders.__iter__ = environ_headers


moto_environ_headers = None  # moto's own EnvironHeaders.__iter__, once replaced (the guard test calls it)
_preserved_names_key = None  # moto's environ key of the original header spellings, bound when installed


@functools.lru_cache(maxsize=1024)
def environ_key(name: str) -> str:
    """The WSGI environ key of header ``name``, as werkzeug's ``EnvironHeaders._get_key`` finds it
    (``Content-Type`` -> ``CONTENT_TYPE``, ``x-amz-date`` -> ``HTTP_X_AMZ_DATE``)."""
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


@functools.lru_cache(maxsize=1024)
def header_of(key: str) -> tuple[str, str, bool] | None:
    """For a WSGI environ ``key``: the header name werkzeug's ``EnvironHeaders`` iteration gives it
    (``HTTP_X_AMZ_DATE`` -> ``X-Amz-Date``), the key moto looks its original spelling up under
    (``moto.core.request.environ_key_for_header``), and whether an empty value is skipped (Content-Type and
    Content-Length); None for a key that is no header."""
    from moto.core.request import environ_key_for_header

    if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
        name = key[5:].replace("_", "-").title()
        return name, environ_key_for_header(name), False
    if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        name = key.replace("_", "-").title()
        return name, environ_key_for_header(name), True
    return None


def environ_headers_get(self, name):
    """werkzeug's ``EnvironHeaders._get_key`` (the value of header ``name``; KeyError when absent, werkzeug's
    BadRequestKeyError for a name that is not a str), with the environ key remembered per name (moto reads ~30
    headers a request)."""
    if not isinstance(name, str):
        from werkzeug.exceptions import BadRequestKeyError

        raise BadRequestKeyError(name)
    return self.environ[environ_key(name)]


def environ_headers(self):
    """moto's ``EnvironHeaders.__iter__``: ``(name, value)`` for each header of the environ, werkzeug's title-cased
    names, S3 metadata names as the client spelt them; the name work remembered per environ key."""
    environ = self.environ
    names = environ.get(_preserved_names_key) or {}
    for key, value in environ.items():
        header = header_of(key)
        if header is None or (header[2] and not value):
            continue
        yield names.get(header[1], header[0]), value


moto_get_random_string = None  # moto's own, once replaced (the guard test calls it)


def install_random_string() -> None:
    """Put :func:`random_string` in place of ``MotoRandom.get_random_string`` (idempotent)."""
    global moto_get_random_string
    from moto.moto_api._internal.moto_random import MotoRandom

    if MotoRandom.get_random_string is not random_string:
        moto_get_random_string = MotoRandom.get_random_string
        MotoRandom.get_random_string = random_string


def random_string(self, length: int = 20, include_digits: bool = True, lower_case: bool = False) -> str:
    """moto's ``MotoRandom.get_random_string``: ``length`` characters drawn uniformly from the ASCII letters (and
    digits, with ``include_digits``), lower-cased with ``lower_case``; drawn by one ``choices`` call of ``self``
    (moto's seedable generator)."""
    pool = string.ascii_letters + string.digits if include_digits else string.ascii_letters
    drawn = "".join(self.choices(pool, k=length))
    return drawn.lower() if lower_case else drawn


def share_default_loader() -> None:
    """Have botocore sessions that use the default data path read through :func:`shared_loader` (idempotent)."""
    import botocore.session

    original = botocore.session.create_loader
    if getattr(original, "labkit_shared", False):
        return

    @functools.wraps(original)
    def sharing_loader(search_path_string=None):
        return shared_loader() if search_path_string is None else original(search_path_string)

    sharing_loader.labkit_shared = True
    botocore.session.create_loader = sharing_loader


ENDPOINTS_FILE = "endpoints.json"  # botocore's endpoint data (.json or .json.gz), read by endpoint_data.decode
_loader = None
moto_load_service_model = None  # moto's own, once replaced (the guard test calls it)


def shared_loader():
    """The botocore data loader moto and the embedded engine's boto3 session share (made on first use); it decodes
    JSON objects as plain dicts (:func:`plain_json_file_loader`)."""
    global _loader
    if _loader is None:
        from botocore.loaders import create_loader

        loader = create_loader()
        loader.file_loader = plain_json_file_loader()
        _loader = loader
    return _loader


def plain_json_file_loader():
    """botocore's ``JSONFileLoader`` that decodes every JSON object as a ``dict``, not an ``OrderedDict``.

    botocore parses its data files with ``object_pairs_hook=OrderedDict``; an ``OrderedDict`` takes about 1.7 times
    a dict's memory (measured: ``endpoints.json`` 7.0 MB as OrderedDicts, 4.1 MB as dicts; a lab kernel keeps
    endpoints.json and its services' models, 16-20 MB as OrderedDicts). A dict keeps the file's key order as well
    (Python 3.7+), and nothing in botocore, boto3 or moto uses what only an OrderedDict has (``move_to_end``,
    order-sensitive ``==`` between two of them). Files are found and read as botocore reads them (its
    ``_load_file`` reads the bytes, ``.json`` or ``.json.gz``, as UTF-8); only the decoding differs.
    ``endpoints.json`` keeps each service's entry as text until it is read (labkit/emulator/endpoint_data.py:
    4.1 MB of dicts down to about 1 MB, the services a lab uses decoded). Service models are decoded without their
    documentation text, which docstrings read back when shown (labkit/emulator/model_docs.py).
    """
    import json

    from botocore.loaders import JSONFileLoader

    from . import endpoint_data, model_docs

    model_docs.install()

    class PlainJSONFileLoader(JSONFileLoader):
        def _load_file(self, full_path, open_method):
            if not os.path.isfile(full_path):
                return None
            with open_method(full_path, "rb") as fp:
                text = fp.read().decode("utf-8")
            if os.path.basename(full_path).startswith(ENDPOINTS_FILE):
                return endpoint_data.decode(text)
            if model_docs.is_service_model(full_path):
                return model_docs.decode(text)
            return json.loads(text)

    return PlainJSONFileLoader()


def load_service_model(service_name: str, model_name: str) -> dict:
    """moto's ``_load_service_model``, through :func:`shared_loader`."""
    return shared_loader().load_service_model(service_name, model_name)


def cache_host_lookup(app):
    """Have this moto ``DomainDispatcherApplication`` remember which backend answers each Host header."""
    app.get_backend_for_host = functools.lru_cache(maxsize=256)(app.get_backend_for_host)
    return app


def remembered(function):
    """``function`` with its answers cached; unhashable arguments and list answers are handled as before."""
    cached = functools.lru_cache(maxsize=8192)(function)

    @functools.wraps(function)
    def lookup(argument):
        try:
            answer = cached(argument)
        except TypeError:  # an unhashable argument: compute as moto would
            return function(argument)
        return list(answer) if isinstance(answer, list) else answer  # callers get their own list, as before

    lookup.uncached = function
    return lookup


def freeze_after_loading(app):
    """The WSGI ``app``, followed by ``gc.freeze()`` after each request during which modules were loaded
    (:class:`FreezeAfterLoading`)."""
    return FreezeAfterLoading(app)


class FreezeAfterLoading:
    """WSGI app: ``app``; when a request has loaded modules (``sys.modules`` grew: a service's first call loads
    moto's code and model for it), every object alive then is moved to the collector's permanent generation
    (``gc.freeze()``, Python's ``gc`` module documentation), so later full collections skip it."""

    def __init__(self, app):
        self.app = app
        self._modules = 0  # len(sys.modules) at the last freeze

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        finally:
            if len(sys.modules) != self._modules:
                self._modules = len(sys.modules)
                gc.freeze()
