"""What labkit's API Gateway data plane does not model (the rest of the list in :mod:`labkit.emulator.apigateway`'s
docstring), registered so that the book's "How the emulator differs from AWS" page lists it; the data plane shows
the notice when a learner meets it (a GET on a stage with caching on). Stage/method throttling, request validators
and gateway responses are modelled (:mod:`.throttling`, :mod:`.validation`, :mod:`.gateway_responses`)."""
from __future__ import annotations

from ..registry import Difference

DIFFERENCES = [
    Difference(
        id="apigateway-response-cache-not-modelled",
        service="apigateway",
        aws="With caching enabled on a stage, API Gateway answers repeated requests (GET methods by default) from "
            "its cache for the TTL (300 seconds by default) instead of calling the integration.",
        engine="No response is cached: every request calls the integration.",
        doc="Cache settings for REST APIs in API Gateway",
        labs=("api-gateway",),
    ),
]
