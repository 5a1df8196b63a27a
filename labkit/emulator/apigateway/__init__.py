"""Calling REST APIs over HTTP on the embedded engine: what API Gateway does between a client and a backend.

moto stores REST APIs (resources, methods, integrations, stages, keys, usage plans, authorizers) but its server
answers 404 to a stage URL and cannot run an ``AWS_PROXY`` integration. ``wrap`` puts a WSGI middleware in front
of moto's app that serves LocalStack's URL form, so the same lab URL works on both engines::

    {endpoint}/restapis/{api_id}/{stage}/_user_request_/{path}

``invoke_url(api_id, stage)`` returns that base URL (or the ``execute-api`` URL on AWS).

What a request goes through, in AWS's order:

1. the stage and the resource (literal path parts first, then ``{param}``, then ``{proxy+}``) and the method
   (or ``ANY``); neither found: ``403 Missing Authentication Token``, as on AWS;
2. the API's resource policy (``execute-api:Invoke``; ``aws:SourceIp`` with ``IpAddress``/``NotIpAddress``);
   read live, whereas AWS applies a changed policy only after a new deployment;
3. the method's authorizer: a Lambda ``TOKEN`` or ``REQUEST`` authorizer (its policy is cached per token for
   ``authorizerResultTtlInSeconds``, default 300, and applies to any method the policy allows), or a Cognito user
   pool authorizer (the JWT is verified with the engine's Cognito signing key, its issuer, expiry and
   ``token_use``);
4. ``apiKeyRequired``: the ``x-api-key`` header must name an enabled key in a usage plan of this API and stage;
   the plan's throttle (token bucket: ``rateLimit`` per second, ``burstLimit``) and quota (per DAY/WEEK/MONTH)
   answer ``429``;
5. the integration: ``AWS_PROXY`` to Lambda (``${stageVariables.x}`` substituted in the URI; the function must
   grant ``lambda:InvokeFunction`` to ``apigateway.amazonaws.com``, else ``500`` as on AWS) or ``MOCK`` (status
   from a JSON request template, static ``'...'`` response parameters and the response template as is: VTL is
   not evaluated). Other integration types answer ``501``.

Every answer this module produces itself carries ``x-labkit-apigateway`` with the reason, for learners.
Not modelled: stage/method throttling settings, caching of responses, request validation, VTL mapping
templates, gateway responses, IAM (SigV4) authorization, HTTP APIs (v2) and WebSocket APIs.
"""
from __future__ import annotations

import base64
import fnmatch
import ipaddress
import json
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote

from ... import engines

URL_PATTERN = re.compile(r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?$")
DEFAULT_TTL = 300
QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")


def invoke_url(api_id: str, stage: str, engine=None) -> str:
    """The base URL that invokes ``stage`` of REST API ``api_id`` on the current engine (no trailing slash)."""
    engine = engine or engines.current()
    if engine.name == "aws":
        return f"https://{api_id}.execute-api.{engine.region}.amazonaws.com/{stage}"
    return f"{engine.endpoint_url}/restapis/{api_id}/{stage}/_user_request_"


def wrap(app, account_id: str):
    """The WSGI app the embedded engine serves: API invocations here, everything else to moto."""
    return ApiGatewayInvoker(app, account_id)


class Reply(Exception):
    """A response API Gateway itself produces (an error, a MOCK answer)."""

    def __init__(self, status: int, body, reason: str, headers: dict | None = None):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, dict(headers or {})
        self.body = body if isinstance(body, (bytes, str)) else json.dumps(body)


STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently",
               302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
               502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class ApiGatewayInvoker:
    def __init__(self, app, account_id: str):
        self.app, self.account_id = app, account_id
        self.lock = threading.Lock()
        self.buckets: dict[tuple[str, str], list[float]] = {}   # (plan, key) -> [tokens, last refill]
        self.quotas: dict[tuple[str, str, str], int] = {}       # (plan, key, period start) -> requests
        self.auth_cache: dict[tuple[str, str, str], tuple[float, dict]] = {}

    # --- WSGI -------------------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        match = URL_PATTERN.match(environ.get("PATH_INFO", ""))
        if not match:
            return self.app(environ, start_response)
        try:
            status, headers, body = self.handle(environ, match["api"], match["stage"], match["path"] or "/")
        except Reply as reply:
            status, body = reply.status, reply.body
            headers = {"Content-Type": "application/json", "x-amzn-ErrorType": _error_type(reply.status),
                       **reply.headers, "x-labkit-apigateway": reply.reason}
        except Exception as exc:  # noqa: BLE001 - a bug here must not kill the engine thread
            status, body = 500, json.dumps({"message": "Internal server error"})
            headers = {"Content-Type": "application/json",
                       "x-labkit-apigateway": f"labkit error: {type(exc).__name__}: {exc}"[:500]}
        data = body.encode() if isinstance(body, str) else (body or b"")
        headers = {**headers, "Content-Length": str(len(data)),
                   "x-amzn-RequestId": headers.get("x-amzn-RequestId", str(uuid.uuid4()))}
        start_response(f"{status} {STATUS_TEXT.get(status, 'Status')}",
                       [(k, str(v)) for k, v in headers.items()])
        return [data]

    # --- the request pipeline -----------------------------------------------------------------------------------
    def handle(self, environ, api_id: str, stage_name: str, path: str):
        backend, api = self.find_api(api_id)
        method_name = environ.get("REQUEST_METHOD", "GET").upper()
        stage = api.stages.get(stage_name)
        if stage is None:
            raise Reply(403, {"message": "Missing Authentication Token"}, f"no stage {stage_name!r} in API {api_id}")
        resource, path_params = match_resource(api, unquote(path))
        if resource is None:
            raise Reply(403, {"message": "Missing Authentication Token"}, f"no resource matches {path}")
        method = resource.resource_methods.get(method_name) or resource.resource_methods.get("ANY")
        if method is None:
            raise Reply(403, {"message": "Missing Authentication Token"},
                        f"no {method_name} (or ANY) method on {resource.get_path()}")

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = request_headers(environ)
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        source_ip = environ.get("REMOTE_ADDR", "127.0.0.1")
        region, account = api.region_name, api.account_id
        method_arn = (f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage_name}/{method_name}"
                      f"/{path.lstrip('/')}")
        request_id = str(uuid.uuid4())
        context = {
            "accountId": account, "apiId": api_id, "stage": stage_name, "resourceId": resource.id,
            "resourcePath": resource.get_path(), "httpMethod": method_name, "path": f"/{stage_name}{path}",
            "requestId": request_id, "protocol": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent"), "apiKey": None},
        }
        request = {"resource": resource.get_path(), "path": path, "httpMethod": method_name, "headers": headers,
                   "query": query, "pathParameters": path_params or None, "stageVariables": stage.variables or None,
                   "requestContext": context, "body": body}

        self.check_resource_policy(api, method_arn, source_ip)
        authorizer_context = self.authorize(backend, api, method, request, method_arn)
        if authorizer_context is not None:
            context["authorizer"] = authorizer_context
        if method.api_key_required:
            context["identity"]["apiKey"] = self.check_api_key(backend, api_id, stage_name, headers)

        integration = method.method_integration
        if integration is None:
            raise Reply(500, {"message": "Internal server error"}, f"{method_name} {resource.get_path()} has no "
                        "integration")
        kind = (integration.integration_type or "").upper()
        if kind == "AWS_PROXY":
            return self.lambda_proxy(api, integration, request, stage.variables or {}, method_arn, request_id)
        if kind == "MOCK":
            return mock(integration, request_id)
        raise Reply(501, {"message": f"{kind} integrations are not supported by the embedded engine"},
                    f"labkit runs AWS_PROXY (Lambda) and MOCK integrations only, not {kind}")

    def find_api(self, api_id: str):
        from moto.apigateway.models import apigateway_backends

        for _, backend in list(apigateway_backends[self.account_id].items()):
            if api_id in backend.apis:
                return backend, backend.apis[api_id]
        raise Reply(404, {"message": "Not Found"}, f"no REST API {api_id} in account {self.account_id}")

    # --- resource policy -----------------------------------------------------------------------------------------
    def check_resource_policy(self, api, method_arn: str, source_ip: str) -> None:
        if not api.policy:
            return
        document = json.loads(api.policy) if isinstance(api.policy, str) else api.policy
        base = method_arn.split("/")[0]
        allowed = False
        for statement in _list(document.get("Statement")):
            if not _matches_action(statement, "execute-api:Invoke"):
                continue
            resources = [base + r[len("execute-api:"):] if r.startswith("execute-api:/") else r
                         for r in _list(statement.get("Resource", "*"))]
            if not any(fnmatch.fnmatchcase(method_arn, r) for r in resources):
                continue
            if not conditions_hold(statement.get("Condition", {}), source_ip):
                continue
            if statement.get("Effect") == "Deny":
                raise Reply(403, {"Message": f"User: anonymous is not authorized to perform: execute-api:Invoke "
                                             f"on resource: {method_arn} with an explicit deny"},
                            "the API's resource policy denies this request")
            allowed = allowed or statement.get("Effect") == "Allow"
        if not allowed:
            raise Reply(403, {"Message": f"User: anonymous is not authorized to perform: execute-api:Invoke on "
                                         f"resource: {method_arn}"},
                        "the API's resource policy allows nothing that matches this request")

    # --- authorizers ---------------------------------------------------------------------------------------------
    def authorize(self, backend, api, method, request, method_arn: str):
        kind = (method.authorization_type or "NONE").upper()
        if kind in ("NONE", "AWS_IAM"):
            return None  # AWS_IAM (SigV4) is not checked by the embedded engine
        authorizer = api.authorizers.get(method.authorizer_id or "")
        if authorizer is None:
            raise Reply(500, {"message": "Internal server error"}, f"authorizer {method.authorizer_id} not found")
        if kind == "COGNITO_USER_POOLS" or (authorizer.type or "").upper() == "COGNITO_USER_POOLS":
            return self.cognito(authorizer, method, request)
        return self.lambda_authorizer(api, authorizer, request, method_arn)

    def lambda_authorizer(self, api, authorizer, request, method_arn: str):
        kind = (authorizer.type or "TOKEN").upper()
        headers = {k.lower(): v for k, v in request["headers"].items()}
        if kind == "TOKEN":
            header = (authorizer.identity_source or "method.request.header.Authorization").split(".")[-1]
            token = headers.get(header.lower())
            if not token:
                raise Reply(401, {"message": "Unauthorized"}, f"no {header} header: the authorizer is not called")
            pattern = getattr(authorizer, "identity_validation_expression", None)
            if pattern and not re.fullmatch(pattern, token):
                raise Reply(401, {"message": "Unauthorized"}, "the token fails identityValidationExpression")
            event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
            cache_key = token
        else:
            event = {"type": "REQUEST", "methodArn": method_arn, "resource": request["resource"],
                     "path": request["path"], "httpMethod": request["httpMethod"], "headers": request["headers"],
                     "queryStringParameters": {k: v[-1] for k, v in request["query"].items()} or None,
                     "pathParameters": request["pathParameters"], "stageVariables": request["stageVariables"],
                     "requestContext": request["requestContext"]}
            sources = [s.strip().split(".")[-1].lower() for s in (authorizer.identity_source or "").split(",") if s]
            cache_key = "|".join(headers.get(s, "") for s in sources) if sources else None
        ttl = DEFAULT_TTL if authorizer.authorizer_result_ttl is None else int(authorizer.authorizer_result_ttl)
        cache_id = (api.id, authorizer.id, cache_key or "")
        now = time.time()
        with self.lock:
            cached = self.auth_cache.get(cache_id)
        if ttl and cache_key and cached and cached[0] > now:
            result = cached[1]
        else:
            uri = substitute(authorizer.authorizer_uri or "", request["stageVariables"] or {})
            payload, error = self.invoke_lambda(function_of(uri), event)
            if error:
                if isinstance(payload, dict) and payload.get("errorMessage") == "Unauthorized":
                    raise Reply(401, {"message": "Unauthorized"}, "the authorizer raised 'Unauthorized'")
                raise Reply(500, {"message": None}, f"the authorizer function failed: {str(payload)[:200]}")
            if not isinstance(payload, dict) or "policyDocument" not in payload:
                raise Reply(500, {"message": None}, "the authorizer returned no policyDocument")
            result = payload
            if ttl and cache_key:
                with self.lock:
                    self.auth_cache[cache_id] = (now + ttl, result)
        effect = policy_effect(result["policyDocument"], method_arn)
        if effect != "Allow":
            raise Reply(403, {"Message": "User is not authorized to access this resource with an explicit deny"
                              if effect == "Deny" else "User is not authorized to access this resource"},
                        f"the authorizer's policy {'denies' if effect == 'Deny' else 'does not allow'} {method_arn}")
        context = {k: str(v) for k, v in (result.get("context") or {}).items()}
        return {**context, "principalId": result.get("principalId")}

    def cognito(self, authorizer, method, request):
        from joserfc import jwk, jwt
        from joserfc.errors import JoseError
        from moto.utilities.utils import load_resource

        header = (authorizer.identity_source or "method.request.header.Authorization").split(".")[-1]
        headers = {k.lower(): v for k, v in request["headers"].items()}
        token = headers.get(header.lower(), "")
        if token.lower().startswith("bearer "):
            token = token[7:]
        if not token:
            raise Reply(401, {"message": "Unauthorized"}, f"no {header} header")
        key = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-public.json")["keys"][0])
        try:
            claims = jwt.decode(token, key).claims
        except (JoseError, ValueError) as exc:
            raise Reply(401, {"message": "Unauthorized"}, f"the token is not a valid Cognito JWT ({exc})") from None
        pools = {arn.split("/")[-1] for arn in authorizer.provider_arns or []}
        issuer_pool = str(claims.get("iss", "")).rstrip("/").split("/")[-1]
        if issuer_pool not in pools:
            raise Reply(401, {"message": "Unauthorized"}, f"the token was issued by pool {issuer_pool}, not by "
                        f"the authorizer's pool(s) {sorted(pools)}")
        if int(claims.get("exp", 0)) < time.time():
            raise Reply(401, {"message": "The incoming token has expired"}, "the token has expired")
        scopes = method.authorization_scopes or []
        if scopes:
            granted = set(str(claims.get("scope", "")).split())
            if claims.get("token_use") != "access" or not granted & set(scopes):
                raise Reply(401, {"message": "Unauthorized"}, f"the method needs an access token with one of "
                            f"the scopes {scopes}")
        elif claims.get("token_use") != "id":
            raise Reply(401, {"message": "Unauthorized"}, "without authorization scopes the method expects an "
                        "ID token, not an access token")
        return {"claims": {k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()}}

    # --- API keys and usage plans ------------------------------------------------------------------------------
    def check_api_key(self, backend, api_id: str, stage: str, headers: dict) -> str:
        value = {k.lower(): v for k, v in headers.items()}.get("x-api-key")
        if not value:
            raise Reply(403, {"message": "Forbidden"}, "the method requires an API key: send x-api-key")
        key = next((k for k in backend.keys.values() if k.value == value), None)
        if key is None or not key.enabled:
            raise Reply(403, {"message": "Forbidden"}, "unknown or disabled API key")
        plans = [p for p in backend.usage_plans.values()
                 if any(s.get("apiId") == api_id and s.get("stage") == stage for s in p.api_stages)
                 and key.id in backend.usage_plan_keys.get(p.id, {})]
        if not plans:
            raise Reply(403, {"message": "Forbidden"}, "the API key is in no usage plan of this API and stage")
        plan = plans[0]
        self.throttle(plan, key.id)
        self.count_quota(plan, key.id)
        return value

    def throttle(self, plan, key_id: str) -> None:
        rate = plan.throttle.get("rateLimit")
        burst = plan.throttle.get("burstLimit")
        if rate is None and burst is None:
            return
        rate = float(rate if rate is not None else burst)
        capacity = float(burst if burst is not None else max(rate, 1))
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get((plan.id, key_id), [capacity, now])
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1:
                self.buckets[(plan.id, key_id)] = [tokens, now]
                raise Reply(429, {"message": "Too Many Requests"}, f"usage plan throttle: {rate:g} requests/s, "
                            f"burst {capacity:g}")
            self.buckets[(plan.id, key_id)] = [tokens - 1, now]

    def count_quota(self, plan, key_id: str) -> None:
        limit, period = plan.quota.get("limit"), str(plan.quota.get("period", "DAY")).upper()
        if limit is None:
            return
        today = datetime.now(timezone.utc).date()
        start = {"DAY": today, "WEEK": today.fromordinal(today.toordinal() - today.weekday()),
                 "MONTH": today.replace(day=1)}.get(period, today)
        with self.lock:
            used = self.quotas.get((plan.id, key_id, str(start)), 0)
            if used >= int(limit):
                raise Reply(429, {"message": "Limit Exceeded"}, f"usage plan quota: {limit} requests per {period}")
            self.quotas[(plan.id, key_id, str(start))] = used + 1

    # --- integrations --------------------------------------------------------------------------------------------
    def lambda_proxy(self, api, integration, request, variables: dict, method_arn: str, request_id: str):
        function = function_of(substitute(integration.uri or "", variables))
        if not self.may_invoke(function, method_arn):
            raise Reply(500, {"message": "Internal server error"}, "Execution failed due to configuration error: "
                        "Invalid permissions on Lambda function (add_permission for apigateway.amazonaws.com)")
        body = request["body"]
        try:
            text, encoded = body.decode(), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
        headers = request["headers"]
        event = {
            "resource": request["resource"], "path": request["path"], "httpMethod": request["httpMethod"],
            "headers": headers or None, "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
            "queryStringParameters": {k: v[-1] for k, v in request["query"].items()} or None,
            "multiValueQueryStringParameters": request["query"] or None,
            "pathParameters": request["pathParameters"], "stageVariables": request["stageVariables"],
            "requestContext": request["requestContext"], "body": text if body else None,
            "isBase64Encoded": encoded,
        }
        payload, error = self.invoke_lambda(function, event)
        if error:
            raise Reply(502, {"message": "Internal server error"},
                        f"the function failed: {json.dumps(payload)[:300]}")
        if not isinstance(payload, dict) or not isinstance(payload.get("statusCode", 200), int):
            raise Reply(502, {"message": "Internal server error"}, "Malformed Lambda proxy response: return "
                        "{'statusCode': int, 'headers': {...}, 'body': str}")
        out_headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
        for name, values in (payload.get("multiValueHeaders") or {}).items():
            out_headers[name] = ",".join(str(v) for v in values)
        out_headers.update({k: str(v) for k, v in (payload.get("headers") or {}).items()})
        out_body = payload.get("body") or ""
        if not isinstance(out_body, str):
            raise Reply(502, {"message": "Internal server error"}, "Malformed Lambda proxy response: body must be "
                        "a string (json.dumps it)")
        data = base64.b64decode(out_body) if payload.get("isBase64Encoded") else out_body.encode()
        return int(payload.get("statusCode", 200)), out_headers, data

    def invoke_lambda(self, function_arn: str, event) -> tuple[object, bool]:
        from moto.awslambda.models import lambda_backends

        region = function_arn.split(":")[3]
        account = function_arn.split(":")[4]
        backend = lambda_backends[account][region]
        response_headers: dict[str, str] = {}
        raw = backend.invoke(function_arn, None, json.dumps(event), {"x-amz-invocation-type": "RequestResponse"},
                             response_headers)
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw
        return payload, "x-amz-function-error" in response_headers

    def may_invoke(self, function_arn: str, method_arn: str) -> bool:
        from moto.awslambda.models import lambda_backends

        from ..lambda_runtime.moto_hook import split_qualifier

        region, account = function_arn.split(":")[3], function_arn.split(":")[4]
        name, qualifier = split_qualifier(function_arn, None)
        try:
            wire = json.loads(lambda_backends[account][region].get_policy(name, qualifier))
            statements = _list(json.loads(wire["Policy"]).get("Statement"))
        except Exception:  # noqa: BLE001 - no policy at all
            return False
        for statement in statements:
            principal = statement.get("Principal")
            service = principal.get("Service") if isinstance(principal, dict) else principal
            if statement.get("Effect", "Allow") != "Allow" or "apigateway.amazonaws.com" not in _list(service):
                continue
            source = ((statement.get("Condition") or {}).get("ArnLike") or {}).get("AWS:SourceArn")
            if source is None or any(fnmatch.fnmatchcase(method_arn, s) for s in _list(source)):
                return True
        return False


def mock(integration, request_id: str):
    templates = integration.request_templates or {}
    template = templates.get("application/json") or next(iter(templates.values()), "") or ""
    try:
        status = str(json.loads(template).get("statusCode", 200))
    except (ValueError, AttributeError):
        status = "200"
    responses = integration.integration_responses or {}
    chosen = next((r for r in responses.values() if r.selection_pattern and re.fullmatch(r.selection_pattern, status)),
                  None) or next((r for r in responses.values() if not r.selection_pattern), None)
    if chosen is None:
        raise Reply(500, {"message": "Internal server error"}, "the MOCK integration has no integration response")
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
    for target, value in (chosen.response_parameters or {}).items():
        if target.startswith("method.response.header.") and value.startswith("'") and value.endswith("'"):
            headers[target[len("method.response.header."):]] = value[1:-1]
    body = (chosen.response_templates or {}).get("application/json") or ""
    return int(chosen.status_code), headers, body.encode()


# --- helpers ---------------------------------------------------------------------------------------------------
def match_resource(api, path: str):
    """The most specific resource for ``path`` and its path parameters (literal > {param} > {proxy+})."""
    parts = [p for p in path.split("/") if p]
    best, best_score, best_params = None, None, {}
    for resource in api.resources.values():
        template = [p for p in resource.get_path().split("/") if p]
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


def request_headers(environ) -> dict:
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers["-".join(w.capitalize() for w in key[5:].split("_"))] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


def substitute(text: str, variables: dict) -> str:
    return re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}", lambda m: str(variables.get(m[1], "")), text)


def function_of(uri: str) -> str:
    """``arn:aws:apigateway:…:lambda:path/2015-03-31/functions/<function ARN>/invocations`` → the function ARN."""
    if "/functions/" in uri:
        return uri.split("/functions/", 1)[1].rsplit("/invocations", 1)[0]
    return uri


def policy_effect(document, method_arn: str) -> str | None:
    """'Deny' if a statement denies ``method_arn``, else 'Allow' if one allows it, else None."""
    if isinstance(document, str):
        document = json.loads(document)
    effect = None
    for statement in _list(document.get("Statement")):
        if not _matches_action(statement, "execute-api:Invoke"):
            continue
        if any(fnmatch.fnmatchcase(method_arn, r) for r in _list(statement.get("Resource", "*"))):
            if statement.get("Effect") == "Deny":
                return "Deny"
            if statement.get("Effect") == "Allow":
                effect = "Allow"
    return effect


def conditions_hold(conditions: dict, source_ip: str) -> bool:
    address = ipaddress.ip_address(source_ip)
    for operator, tests in (conditions or {}).items():
        for key, values in tests.items():
            if key.lower() != "aws:sourceip":
                continue  # other condition keys are not evaluated
            inside = any(address in ipaddress.ip_network(v, strict=False) for v in _list(values))
            if operator == "IpAddress" and not inside:
                return False
            if operator == "NotIpAddress" and inside:
                return False
    return True


def _matches_action(statement: dict, action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _list(statement.get("Action", "*")))


def _list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _error_type(status: int) -> str:
    return {401: "UnauthorizedException", 403: "ForbiddenException", 404: "NotFoundException",
            429: "TooManyRequestsException"}.get(status, "InternalServerErrorException" if status >= 500 else
                                                 "BadRequestException")
