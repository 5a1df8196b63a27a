"""AWS AppSync on the embedded engine: moto 5.2.5 keeps GraphQL APIs, schemas (parsed with graphql-core), API keys
and API caches; it has no data sources or resolvers and runs no query. Those are differences, shown as notices."""
from __future__ import annotations

import calendar
import time

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="appsync-no-query-execution",
        service="AppSync",
        aws="An AppSync GraphQL API answers queries, mutations and subscriptions at its GRAPHQL endpoint, running "
            "the resolvers attached to each field against their data sources (DynamoDB, Lambda, HTTP, …).",
        engine="Data sources and resolvers are not implemented (the engine answers 404) and no query is executed: "
               "the lab does the control-plane work (API, schema, API keys, cache) only.",
        doc="Configuring resolvers in AWS AppSync",
        labs=("appsync",),
    ),
    Difference(
        id="appsync-schema-not-validated",
        service="AppSync",
        aws="GetSchemaCreationStatus reports FAILED, with the reason in details, for a schema that is not valid "
            "GraphQL (a field of an undefined type, for one); GetIntrospectionSchema with includeDirectives returns "
            "the schema's directives, such as @aws_subscribe.",
        engine="Only the syntax is checked: an undefined type is accepted, and the introspected SDL leaves out "
               "the AppSync directives.",
        doc="GetSchemaCreationStatus",
        labs=("appsync",),
    ),
    Difference(
        id="appsync-api-key-expiry-upper-bound",
        service="AppSync",
        aws="An API key's expiry is at least 1 day and at most 365 days after its creation, rounded down to the "
            "nearest hour; CreateApiKey refuses anything else (ApiKeyValidityOutOfBoundsException).",
        engine="A key shorter than 1 day is refused, but an expiry beyond 365 days is accepted and not rounded.",
        doc="CreateApiKey",
        labs=("appsync",),
    ),
]

MAX_KEY_DAYS = 365
"""The longest API key validity AppSync allows ("ApiKeyValidityOutOfBoundsException", AWS AppSync API Reference)."""


def _beyond_a_year(api, description, expires, *args, **kwargs) -> bool:
    """True when a key is asked to live longer than AWS allows (the engine accepts it)."""
    return expires is not None and calendar.timegm(expires.utctimetuple()) > time.time() + MAX_KEY_DAYS * 86400 + 3600


TRIGGERS = [
    Trigger("moto.appsync.models.GraphqlAPI.start_schema_creation", "appsync-schema-not-validated"),
    Trigger("moto.appsync.models.GraphqlAPI.create_api_key", "appsync-api-key-expiry-upper-bound",
            when=_beyond_a_year),
]

PATCHES = [trigger_patch("appsync-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
