"""Calling REST APIs over HTTP on the embedded engine: what API Gateway does between a client and a backend.

moto stores REST APIs (resources, methods, integrations, stages, keys, usage plans, authorizers) but its server
answers 404 to a stage URL and cannot run an ``AWS_PROXY`` integration. :func:`wrap` puts a WSGI middleware in
front of moto's app that serves LocalStack's URL form, so the same lab URL works on both engines::

    {endpoint}/restapis/{api_id}/{stage}/_user_request_/{path}

:func:`invoke_url` returns that base URL (or the ``execute-api`` URL on AWS).

What a request goes through, in AWS's order, one module per concern:

1. :mod:`.routing` — the stage, then the resource and method **of the stage's deployment** (:mod:`.deployments`:
   a change to the API reaches a stage only with a new deployment, as on AWS); none found: ``403 Missing
   Authentication Token``;
2. :mod:`.policies` — the deployed resource policy (``execute-api:Invoke``, ``aws:SourceIp``);
3. :mod:`.authorizers` — the method's Lambda (``TOKEN``/``REQUEST``) or Cognito user pool authorizer;
4. :mod:`.throttling` — the stage's (or the method's) throttle (``429``);
5. :mod:`.usage_plans` — ``apiKeyRequired``: the ``x-api-key``, the plan's throttle and quota (``403``/``429``);
6. :mod:`.validation` — the method's request validator (required parameters, the body's model: ``400``);
7. :mod:`.integrations` — ``AWS_PROXY`` to Lambda (the proxy event and response exactly as AWS documents them,
   binary media types from :mod:`.binary`) or ``MOCK``. Other integration types answer ``501`` with a notice.

Every answer this package produces itself carries ``x-labkit-apigateway`` with the reason, for learners.
An error API Gateway itself answers goes through the API's gateway responses (:mod:`.gateway_responses`).
Not modelled (a notice says so when a learner meets it): response caching, VTL mapping templates, IAM (SigV4)
authorization, non-Lambda integrations. Nor are HTTP APIs (v2) and WebSocket APIs.
"""
from __future__ import annotations

import json
import uuid
from urllib.parse import unquote

from ..notices import notice
from ..registry import Difference
from . import deployments, gateway_responses, integrations, routing, validation
from .throttling import StageThrottles
from .authorizers import Authorizers
from .policies import check_resource_policy, policy_effect
from .routing import STATUS_TEXT, Reply, error_type, invoke_url
from .usage_plans import UsagePlans

__all__ = ["wrap", "invoke_url", "policy_effect", "ApiGatewayInvoker"]


def wrap(app, account_id: str):
    """The WSGI app the embedded engine serves: REST API invocations here, everything else to ``app`` (moto)."""
    return ApiGatewayInvoker(app, account_id)


class ApiGatewayInvoker:
    """WSGI middleware: requests to ``/restapis/{api}/{stage}/_user_request_/…`` run through API Gateway's steps."""

    def __init__(self, app, account_id: str):
        self.app, self.account_id = app, account_id
        self.authorizers = Authorizers()
        self.usage_plans = UsagePlans()
        self.throttles = StageThrottles()

    # --- WSGI -------------------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        match = routing.URL_PATTERN.match(environ.get("PATH_INFO", ""))
        if not match:
            return self.app(environ, start_response)
        try:
            status, lines, body = self.handle(environ, match["api"], match["stage"], match["path"] or "/")
        except Reply as reply:
            status, body = reply.status, reply.body
            lines = list({"Content-Type": "application/json", "x-amzn-ErrorType": error_type(reply.status),
                          **reply.headers, "x-labkit-apigateway": reply.reason}.items())
        except Exception as exc:  # noqa: BLE001 - a bug here must not kill the engine thread
            status, body = 500, json.dumps({"message": "Internal server error"})
            lines = [("Content-Type", "application/json"),
                     ("x-labkit-apigateway", f"labkit error: {type(exc).__name__}: {exc}"[:500])]
        data = body.encode() if isinstance(body, str) else (body or b"")
        lines = [(k, str(v)) for k, v in lines if k.lower() != "content-length"]
        if not any(k.lower() == "x-amzn-requestid" for k, _ in lines):
            lines.append(("x-amzn-RequestId", str(uuid.uuid4())))
        lines.append(("Content-Length", str(len(data))))
        start_response(f"{status} {STATUS_TEXT.get(status, 'Status')}", lines)
        return [data]

    # --- the request pipeline -----------------------------------------------------------------------------------
    def handle(self, environ, api_id: str, stage_name: str, path: str):
        """``(status, [(header, value), …], body)`` for one request; raises :class:`Reply` for API Gateway's own."""
        backend, api = self.find_api(api_id)
        seen: dict = {}
        try:
            return self.pipeline(environ, backend, api, stage_name, path, seen)
        except Reply as reply:
            if reply.status == 501:  # the engine's own limit, not an API Gateway error
                raise
            deployed = seen.get("deployed")
            responses = deployed.gateway_responses if deployed is not None else dict(api.gateway_responses)
            raise gateway_responses.apply(reply, responses, request=seen.get("request"),
                                          context=seen.get("context"), stage_variables=seen.get("variables"))

    def pipeline(self, environ, backend, api, stage_name: str, path: str, seen: dict):
        """The steps of :meth:`handle`; ``seen`` collects what the gateway responses of an error may use."""
        api_id = api.id
        stage = api.stages.get(stage_name)
        if stage is None:
            raise routing.missing_token(f"no stage {stage_name!r} in API {api_id}")
        deployed = seen["deployed"] = deployments.served(api, stage)
        request = seen["request"] = routing.read_request(environ, unquote(path))
        seen["variables"] = dict(stage.variables or {})
        resource, path_params = routing.match_resource(deployed.resources, request.path)
        if resource is None:
            raise routing.missing_token(f"no resource of the deployment on stage {stage_name!r} matches {path} "
                                        "(a resource added since needs a new deployment)")
        method = routing.find_method(resource, request.method)
        if method is None:
            raise routing.missing_token(f"no {request.method} (or ANY) method on {resource.path} in the deployment "
                                        f"on stage {stage_name!r}")
        request.path_parameters = path_params
        method_arn = (f"arn:aws:execute-api:{api.region_name}:{api.account_id}:{api_id}/{stage_name}/"
                      f"{request.method}/{routing.arn_path(request.path)}")
        request_id = str(uuid.uuid4())
        variables = dict(stage.variables or {})
        if stage.cache_cluster_enabled and request.method == "GET":
            notice("apigateway-response-cache-not-modelled")
        context = seen["context"] = integrations.request_context(request, api=api, stage_name=stage_name,
                                                                 resource=resource, request_id=request_id)
        event = integrations.proxy_event(request, resource_path=resource.path, stage_variables=variables,
                                         context=context, binary_media_types=deployed.binary_media_types)

        check_resource_policy(deployed.policy, method_arn, request.source_ip)
        if (method.authorization_type or "").upper() == "AWS_IAM":
            notice("apigateway-iam-authorization-not-checked")
        authorizer_context = self.authorizers.authorize(api_id, deployed.authorizers, method,
                                                        {k: v for k, v in event.items()
                                                         if k not in ("body", "isBase64Encoded")},
                                                        request, method_arn)
        if authorizer_context is not None:
            context["authorizer"] = authorizer_context
        self.throttles.check(api_id, stage, resource.path, method.http_method)
        if method.api_key_required:
            context["identity"]["apiKey"] = self.usage_plans.check_api_key(backend, api_id, stage_name,
                                                                           request.header("x-api-key"))
        validation.validate(method, deployed, request)

        integration = method.method_integration
        if integration is None:
            raise Reply(500, integrations.INTERNAL_ERROR, f"{request.method} {resource.path} has no integration",
                        kind="API_CONFIGURATION_ERROR")
        kind = (integration.integration_type or "").upper()
        if kind == "AWS_PROXY":
            return integrations.lambda_proxy(integration, event, request, stage_variables=variables,
                                             method_arn=method_arn, request_id=request_id,
                                             binary_media_types=deployed.binary_media_types)
        if kind == "MOCK":
            return integrations.mock(integration, request_id)
        notice("apigateway-integration-type-not-run")
        raise Reply(501, {"message": f"{kind} integrations are not supported by the embedded engine"},
                    f"labkit runs AWS_PROXY (Lambda) and MOCK integrations only, not {kind}")

    def find_api(self, api_id: str):
        """The backend and REST API with id ``api_id``: in the engine's account, else in whichever account holds
        it. An invoke URL names no account (on AWS, ``{api_id}.execute-api.{region}.amazonaws.com``), so an API
        of another account (a student's on ``labkit serve``) answers at its URL as on AWS."""
        from moto.apigateway.models import apigateway_backends

        accounts = [self.account_id] + [a for a in list(apigateway_backends.keys()) if a != self.account_id]
        for account in accounts:
            for _, backend in list(apigateway_backends[account].items()):
                if api_id in backend.apis:
                    return backend, backend.apis[api_id]
        raise Reply(404, {"message": "Not Found"}, f"no REST API {api_id} in any account")


DIFFERENCES = [
    Difference(id="apigateway-vtl-not-evaluated", service="apigateway",
               aws="a MOCK integration's request and response mapping templates are Velocity (VTL) templates, "
                   "evaluated per request ($input, $context, #if …).",
               engine="the request template is read as plain JSON for its statusCode and the response template is "
                      "returned as written.",
               doc="Mock integrations for REST APIs in API Gateway", labs=("api-gateway",)),
    Difference(id="apigateway-iam-authorization-not-checked", service="apigateway",
               aws="a method with AWS_IAM authorization needs a request signed with Signature Version 4 by a "
                   "principal allowed execute-api:Invoke.",
               engine="the signature and the caller's IAM permissions are not checked; the request goes through.",
               doc="Control access for invoking an API"),
    Difference(id="apigateway-integration-type-not-run", service="apigateway",
               aws="HTTP, HTTP_PROXY and AWS (service) integrations call their backend.",
               engine="only AWS_PROXY (Lambda proxy) and MOCK integrations run; other types answer 501.",
               doc="Choose an API Gateway API integration type"),
    Difference(id="apigateway-browser-integration-timeout", service="apigateway",
               aws="past the integration's timeoutInMillis the client gets 504 at once, while the function runs on.",
               engine="in the browser (Pyodide: no threads) the function runs to its end first; then a call that "
                      "took longer than the timeout gets the same 504, later than on AWS.",
               doc="Quotas for configuring and running a REST API in API Gateway"),
]
