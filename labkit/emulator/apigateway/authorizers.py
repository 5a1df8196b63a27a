"""Method authorizers: Lambda ``TOKEN`` and ``REQUEST`` authorizers and Amazon Cognito user pool authorizers.

- Lambda authorizer: a ``TOKEN`` authorizer needs its identity header (else ``401`` without calling the function)
  and ``identityValidationExpression`` when set; the function's policy is cached per identity for
  ``authorizerResultTtlInSeconds`` (default 300) and applies to any method it allows; ``Unauthorized`` raised by
  the function is ``401``, a policy that does not allow the method ``403``.
- Cognito authorizer: the JWT is verified with the engine's Cognito signing key, its issuer (one of the
  authorizer's pools), its expiry and ``token_use`` (an ID token without authorization scopes, an access token
  with one of the method's scopes).

The authorizers used are those of the stage's deployment (an authorizer change needs a new deployment:
"Updates to REST APIs that require redeployment").
"""
from __future__ import annotations

import json
import re
import threading
import time

from .integrations import function_of, invoke_lambda, substitute
from .policies import policy_effect
from .routing import Reply

DEFAULT_TTL = 300


class Authorizers:
    """The authorizer result cache of one engine."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cache: dict[tuple[str, str, str], tuple[float, dict]] = {}

    def authorize(self, api_id: str, authorizers: dict, method, event_base: dict, request, method_arn: str):
        """The ``requestContext.authorizer`` map for ``method`` (None without an authorizer); raises :class:`Reply`.

        ``authorizers``: the deployment's authorizers by id; ``event_base``: the request fields a ``REQUEST``
        authorizer receives (resource, path, httpMethod, headers, queryStringParameters, pathParameters,
        stageVariables, requestContext).
        """
        kind = (method.authorization_type or "NONE").upper()
        if kind in ("NONE", "AWS_IAM"):
            return None  # AWS_IAM (SigV4) is not checked by the embedded engine
        authorizer = authorizers.get(method.authorizer_id or "")
        if authorizer is None:
            raise Reply(500, {"message": "Internal server error"}, f"authorizer {method.authorizer_id} not found",
                        kind="AUTHORIZER_CONFIGURATION_ERROR")
        if kind == "COGNITO_USER_POOLS" or (authorizer.type or "").upper() == "COGNITO_USER_POOLS":
            return cognito(authorizer, method, request)
        return self.lambda_authorizer(api_id, authorizer, event_base, request, method_arn)

    def lambda_authorizer(self, api_id: str, authorizer, event_base: dict, request, method_arn: str):
        kind = (authorizer.type or "TOKEN").upper()
        if kind == "TOKEN":
            header = (authorizer.identity_source or "method.request.header.Authorization").split(".")[-1]
            token = request.header(header)
            if not token:
                raise Reply(401, {"message": "Unauthorized"}, f"no {header} header: the authorizer is not called",
                            kind="UNAUTHORIZED")
            pattern = getattr(authorizer, "identity_validation_expression", None)
            if pattern and not re.fullmatch(pattern, token):
                raise Reply(401, {"message": "Unauthorized"}, "the token fails identityValidationExpression",
                            kind="UNAUTHORIZED")
            event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
            cache_key = token
        else:
            event = {"type": "REQUEST", "methodArn": method_arn, **event_base}
            sources = [s.strip().split(".")[-1] for s in (authorizer.identity_source or "").split(",") if s]
            cache_key = "|".join(request.header(s, "") for s in sources) if sources else None
        ttl = DEFAULT_TTL if authorizer.authorizer_result_ttl is None else int(authorizer.authorizer_result_ttl)
        cache_id = (api_id, authorizer.id, cache_key or "")
        now = time.time()
        with self.lock:
            cached = self.cache.get(cache_id)
        if ttl and cache_key and cached and cached[0] > now:
            result = cached[1]
        else:
            uri = substitute(authorizer.authorizer_uri or "", event_base.get("stageVariables") or {})
            payload, error = invoke_lambda(function_of(uri), event)
            if error:
                if isinstance(payload, dict) and payload.get("errorMessage") == "Unauthorized":
                    raise Reply(401, {"message": "Unauthorized"}, "the authorizer raised 'Unauthorized'",
                                kind="UNAUTHORIZED")
                raise Reply(500, {"message": None}, f"the authorizer function failed: {str(payload)[:200]}",
                            kind="AUTHORIZER_CONFIGURATION_ERROR")
            if not isinstance(payload, dict) or "policyDocument" not in payload:
                raise Reply(500, {"message": None}, "the authorizer returned no policyDocument",
                            kind="AUTHORIZER_CONFIGURATION_ERROR")
            result = payload
            if ttl and cache_key:
                with self.lock:
                    self.cache[cache_id] = (now + ttl, result)
        effect = policy_effect(result["policyDocument"], method_arn)
        if effect != "Allow":
            raise Reply(403, {"Message": "User is not authorized to access this resource with an explicit deny"
                              if effect == "Deny" else "User is not authorized to access this resource"},
                        f"the authorizer's policy {'denies' if effect == 'Deny' else 'does not allow'} {method_arn}",
                        kind="ACCESS_DENIED")
        context = {k: str(v) for k, v in (result.get("context") or {}).items()}
        return {**context, "principalId": result.get("principalId")}


def cognito(authorizer, method, request):
    """``{"claims": {...}}`` for a valid Cognito token in the authorizer's identity header; raises :class:`Reply`."""
    from joserfc import jwk, jwt
    from joserfc.errors import JoseError
    from moto.utilities.utils import load_resource

    header = (authorizer.identity_source or "method.request.header.Authorization").split(".")[-1]
    token = request.header(header, "") or ""
    if token.lower().startswith("bearer "):
        token = token[7:]
    if not token:
        raise Reply(401, {"message": "Unauthorized"}, f"no {header} header", kind="UNAUTHORIZED")
    key = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-public.json")["keys"][0])
    try:
        claims = jwt.decode(token, key).claims
    except (JoseError, ValueError) as exc:
        raise Reply(401, {"message": "Unauthorized"}, f"the token is not a valid Cognito JWT ({exc})",
                    kind="UNAUTHORIZED") from None
    pools = {arn.split("/")[-1] for arn in authorizer.provider_arns or []}
    issuer_pool = str(claims.get("iss", "")).rstrip("/").split("/")[-1]
    if issuer_pool not in pools:
        raise Reply(401, {"message": "Unauthorized"}, f"the token was issued by pool {issuer_pool}, not by "
                    f"the authorizer's pool(s) {sorted(pools)}", kind="UNAUTHORIZED")
    if int(claims.get("exp", 0)) < time.time():
        raise Reply(401, {"message": "The incoming token has expired"}, "the token has expired", kind="UNAUTHORIZED")
    scopes = method.authorization_scopes or []
    if scopes:
        granted = set(str(claims.get("scope", "")).split())
        if claims.get("token_use") != "access" or not granted & set(scopes):
            raise Reply(401, {"message": "Unauthorized"}, f"the method needs an access token with one of "
                        f"the scopes {scopes}", kind="UNAUTHORIZED")
    elif claims.get("token_use") != "id":
        raise Reply(401, {"message": "Unauthorized"}, "without authorization scopes the method expects an "
                    "ID token, not an access token", kind="UNAUTHORIZED")
    return {"claims": {k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()}}
