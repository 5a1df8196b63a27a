"""AWS X-Ray: moto stores segment documents and builds only part of the trace summaries."""
from __future__ import annotations

import json

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="xray-filter-expressions-unimplemented",
        service="X-Ray",
        aws="GetTraceSummaries with a FilterExpression (annotation.tier = \"gold\", responsetime > 0.1, "
            "fault = true, service(\"orders-api\")…) returns the matching traces only.",
        engine="Filter expressions are not implemented: passing one fails with InternalFailure.",
        doc="Using filter expressions",
        labs=("xray",),
    ),
    Difference(
        id="xray-trace-summaries-partial",
        service="X-Ray",
        aws="Each trace summary carries the trace's duration and response time, its annotations, HTTP details and "
            "the services it went through.",
        engine="Duration is rounded down to whole seconds, ResponseTime is always 1, and Annotations, Http and "
               "ServiceIds are empty (the full segment documents are returned by BatchGetTraces).",
        doc="GetTraceSummaries",
        labs=("xray",),
    ),
]

def has_summaries(result) -> bool:
    """True when moto's GetTraceSummaries answer (JSON text) lists at least one trace summary."""
    return isinstance(result, str) and bool(json.loads(result).get("TraceSummaries"))


TRIGGERS = [
    Trigger("moto.xray.responses.XRayResponse.trace_summaries", "xray-filter-expressions-unimplemented",
            when=lambda response: bool(response._get_param("FilterExpression"))),
    # only once summaries come back: labkit's probe of the service (labkit.require) asks for an empty window
    Trigger("moto.xray.responses.XRayResponse.trace_summaries", "xray-trace-summaries-partial",
            when_result=has_summaries),
]

PATCHES = [trigger_patch("xray-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
