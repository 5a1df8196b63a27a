"""What labkit's API Gateway data plane does not model (the rest of the list in :mod:`labkit.emulator.apigateway`'s
docstring), registered so that the book's "How the emulator differs from AWS" page lists it."""
from __future__ import annotations

from ..registry import Difference

DIFFERENCES = [
    Difference(
        id="apigateway-stage-throttling-not-applied",
        service="apigateway",
        aws="Stage and method throttling settings (rate and burst) limit requests, answering 429 Too Many Requests "
            "beyond them, as well as the usage plans' limits and the account-level quota.",
        engine="Only usage-plan throttles and quotas are applied; stage and method throttling settings are stored "
               "but never limit a request.",
        doc="Throttle requests to your REST APIs for better throughput in API Gateway",
        labs=("api-gateway",),
    ),
    Difference(
        id="apigateway-response-cache-not-modelled",
        service="apigateway",
        aws="With caching enabled on a stage, API Gateway answers repeated requests (GET methods by default) from "
            "its cache for the TTL (300 seconds by default) instead of calling the integration.",
        engine="No response is cached: every request calls the integration.",
        doc="Cache settings for REST APIs in API Gateway",
        labs=("api-gateway",),
    ),
    Difference(
        id="apigateway-request-validation-not-applied",
        service="apigateway",
        aws="A method with a request validator rejects a request whose required parameters or body (checked "
            "against its model) are missing or invalid, with 400 Bad Request, before the integration is called.",
        engine="Request validators are stored but not applied: the request reaches the integration.",
        doc="Request validation for REST APIs in API Gateway",
        labs=("api-gateway",),
    ),
    Difference(
        id="apigateway-gateway-responses-not-customized",
        service="apigateway",
        aws="Gateway responses (for example ACCESS_DENIED, UNAUTHORIZED, THROTTLED) can be customized per API with "
            "their own status code, headers and body templates.",
        engine="Custom gateway responses are not applied: API Gateway's default errors are answered.",
        doc="Gateway responses for REST APIs in API Gateway",
        labs=("api-gateway",),
    ),
]
