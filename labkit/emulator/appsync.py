"""AWS AppSync on the embedded engine: moto 5.2.5 keeps GraphQL APIs, schemas (parsed with graphql-core), API keys
and API caches; it has no data sources or resolvers and runs no query. Those are differences, shown as notices.
labkit puts back the directives applied to fields (``@aws_subscribe``) that moto's introspected SDL leaves out,
validates a schema as GraphQL (not only its syntax: a field of an undefined type ends FAILED with the reason in
``details``, "GetSchemaCreationStatus"), and answers GetSchemaCreationStatus for an unknown API or an API without
a schema with NotFoundException (one of the operation's documented errors) where moto failed with HTTP 500."""
from __future__ import annotations

import calendar
import re
import time

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

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
    Trigger("moto.appsync.models.GraphqlAPI.create_api_key", "appsync-api-key-expiry-upper-bound",
            when=_beyond_a_year),
]

_BLOCK = re.compile(r"\b(?:type|interface)\s+(\w+)[^{]*\{([^}]*)\}", re.S)
_FIELD = re.compile(r"(\w+)\s*(?:\([^)]*\))?\s*:\s*[\w!\[\]]+((?:\s*@\w+(?:\s*\([^)]*\))?)*)")


def applied_directives(definition: str) -> dict[tuple[str, str], str]:
    """The directives applied to fields in a schema's SDL: ``{(type name, field name): '@aws_subscribe(...)'}``.

    Reads object types, interfaces and their extensions; a field may span lines. Descriptions and comments are
    dropped first. Raises nothing: what it cannot read is left out."""
    text = re.sub(r'"""(.*?)"""', "", definition, flags=re.S)
    text = re.sub(r'"[^"\n]*"(?=\s*\w+\s*[(:])', "", text)  # one-line field descriptions
    text = re.sub(r"#[^\n]*", "", text)
    found = {}
    for type_name, body in _BLOCK.findall(text):
        for field, directives in _FIELD.findall(body):
            if directives.strip():
                found[(type_name, field)] = " ".join(directives.split())
    return found


def with_applied_directives(sdl: str, definition: str) -> str:
    """``sdl`` (moto's printed schema, one field a line) with each field's applied directives from ``definition``
    put back at the end of its line, as GetIntrospectionSchema with includeDirectives returns them on AWS."""
    directives = applied_directives(definition)
    lines, current = [], None
    for line in sdl.splitlines():
        head = re.match(r"^(?:type|interface)\s+(\w+)", line)
        if head:
            current = head.group(1)
        elif line.startswith("}"):
            current = None
        elif current:
            field = re.match(r"^\s+(\w+)", line)
            if field and (current, field.group(1)) in directives and "@" not in line:
                line = f"{line} {directives[(current, field.group(1))]}"
        lines.append(line)
    return "\n".join(lines) + ("\n" if sdl.endswith("\n") else "")


def _keeping_directives(original):
    def get_introspection_schema(self, format_, include_directives):
        sdl = original(self, format_, include_directives)
        if format_ == "SDL" and include_directives and isinstance(self.definition, str):
            return with_applied_directives(sdl, self.definition)
        return sdl
    get_introspection_schema.labkit_original = original
    return get_introspection_schema


def schema_problem(definition: str) -> str | None:
    """Why ``definition`` is not a valid GraphQL schema once AppSync's scalars and directives are added (a field
    of an undefined type, a duplicate type, …), or None when it is valid. Uses graphql-core's ``build_schema``
    (the reference implementation of the GraphQL specification). Raises nothing."""
    from graphql import build_schema
    from graphql.error import GraphQLError
    from moto.appsync.models import AWS_CUSTOM_GRAPHQL

    try:
        build_schema(definition + AWS_CUSTOM_GRAPHQL)
    except (GraphQLError, TypeError) as exc:
        return str(exc)
    return None


def _validating(original):
    def _parse_graphql_definition(self):
        original(self)
        if self.status == "SUCCESS":
            problem = schema_problem(self.definition)
            if problem:
                self.status, self.parse_error = "FAILED", problem
    _parse_graphql_definition.labkit_original = original
    return _parse_graphql_definition


def _status_or_not_found(original):
    def get_schema_creation_status(self, api_id):
        from moto.appsync.exceptions import AppSyncExceptions, GraphqlAPINotFound

        api = self.graphql_apis.get(api_id)
        if api is None:
            raise GraphqlAPINotFound(api_id)
        if api.graphql_schema is None:
            error = AppSyncExceptions("NotFoundException",
                                      f"No schema has been created for GraphQL API {api_id}: call "
                                      "StartSchemaCreation first.")
            error.code = 404
            raise error
        return original(self, api_id)
    get_schema_creation_status.labkit_original = original
    return get_schema_creation_status


PATCHES = [
    trigger_patch("appsync-notices", TRIGGERS),
    Patch(name="appsync-schema-validation",
          changes="StartSchemaCreation validates the schema with graphql-core's build_schema (AppSync's scalars "
                  "added): a schema that parses but is not valid GraphQL (a field of an undefined type) ends "
                  "FAILED with the reason in details, instead of SUCCESS and a later HTTP 500.",
          symbols=("moto.appsync.models.GraphqlSchema._parse_graphql_definition",
                   "moto.appsync.models.AWS_CUSTOM_GRAPHQL"),
          upstream="moto appsync: build the schema (not only parse it) in _parse_graphql_definition."),
    Patch(name="appsync-schema-status-not-found",
          changes="GetSchemaCreationStatus answers NotFoundException (HTTP 404) for an unknown API or an API "
                  "without a schema, where moto raised KeyError or AttributeError (HTTP 500, retried by the SDK).",
          symbols=("moto.appsync.models.AppSyncBackend.get_schema_creation_status",
                   "moto.appsync.exceptions.GraphqlAPINotFound",
                   "moto.appsync.exceptions.AppSyncExceptions"),
          upstream="moto appsync: raise NotFoundException in get_schema_creation_status when there is no schema."),
    Patch(name="appsync-introspection-directives",
          changes="GetIntrospectionSchema (SDL, includeDirectives) keeps the directives applied to fields, such as "
                  "@aws_subscribe, which moto drops when it prints the schema from its introspection.",
          symbols=("moto.appsync.models.GraphqlSchema.get_introspection_schema",),
          upstream="moto appsync: print applied directives in get_introspection_schema with includeDirectives."),
]


def install() -> None:
    """Show the notices above when a lab meets them, keep applied directives in the SDL, validate schemas and
    answer NotFoundException for a missing schema (idempotent)."""
    from moto.appsync.models import AppSyncBackend, GraphqlSchema

    if not hasattr(GraphqlSchema.get_introspection_schema, "labkit_original"):
        GraphqlSchema.get_introspection_schema = _keeping_directives(GraphqlSchema.get_introspection_schema)
    if not hasattr(GraphqlSchema._parse_graphql_definition, "labkit_original"):
        GraphqlSchema._parse_graphql_definition = _validating(GraphqlSchema._parse_graphql_definition)
    if not hasattr(AppSyncBackend.get_schema_creation_status, "labkit_original"):
        AppSyncBackend.get_schema_creation_status = _status_or_not_found(AppSyncBackend.get_schema_creation_status)
    install_triggers(TRIGGERS)
