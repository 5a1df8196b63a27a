"""Checks for labs/appsync."""
from __future__ import annotations

import re

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import MOTO_HERE, current

READY = ("SUCCESS", "ACTIVE")
"""GetSchemaCreationStatus statuses of a schema in force (AWS AppSync API Reference, "GetSchemaCreationStatus")."""

DIRECTIVES_RETURNED = ("aws", *MOTO_HERE)
"""Engines whose GetIntrospectionSchema (SDL, includeDirectives) returns the directives applied to fields: AWS, and
the embedded and browser engines (labkit/emulator/appsync.py puts them back). Elsewhere a schema with no
@aws_subscribe at all cannot be told from an engine that drops them, so the directive is judged only where the SDL
shows one."""

_TYPE_BLOCK = re.compile(r"\b(type|input|interface)\s+(\w+)[^{]*\{([^}]*)\}", re.S)
_FIELD = re.compile(r"^\s*(\w+)\s*(\([^)]*\))?\s*:\s*([\w!\[\]]+)(.*)$")


def sdl_types(sdl: str) -> dict[str, dict[str, dict]]:
    """The object types of a GraphQL SDL text: ``{type name: {field: {"args": "(id: ID!)", "type": "Note",
    "rest": directives text}}}``.

    A small reader for the SDL that GetIntrospectionSchema returns (one field a line, as AppSync and graphql-core
    print it); comments and descriptions are dropped. Raises nothing: an unreadable line is skipped.
    """
    sdl = re.sub(r'"""(.*?)"""', "", sdl, flags=re.S)
    sdl = re.sub(r"#[^\n]*", "", sdl)
    found: dict[str, dict[str, dict]] = {}
    for _, name, body in _TYPE_BLOCK.findall(sdl):
        fields = {}
        for line in body.splitlines():
            match = _FIELD.match(line)
            if match:
                fields[match.group(1)] = {"args": re.sub(r"\s+", "", match.group(2) or ""),
                                          "type": match.group(3), "rest": match.group(4)}
        found[name] = fields
    return found


def delete_note_schema(api_id) -> Verdict:
    """The GraphQL API ``api_id`` has a schema in force with ``deleteNote(id: ID!): Note`` on Mutation and
    ``onDeleteNote: Note`` on Subscription, and keeps ``getNote(id: ID!): Note`` on Query.

    What is judged (AWS AppSync API Reference "GetSchemaCreationStatus", "GetIntrospectionSchema"; AppSync
    Developer Guide "Using subscriptions for real-time data applications in AWS AppSync"): the schema's creation
    status is SUCCESS (or ACTIVE); the introspected SDL has the three fields with those argument and return types. Where the engine returns directives (AWS does with
    ``includeDirectives``, and so does the embedded engine), ``onDeleteNote`` must carry
    ``@aws_subscribe(mutations: ["deleteNote"])``; on an engine that may drop directives and shows none, the
    directive cannot be judged and the verdict says so. A schema the engine cannot build (HTTP 5xx on introspection: an undefined type, which AWS
    refuses with FAILED) is a hint.
    ``api_id``: the apiId (str). Returns a :class:`Verdict`; an unknown API is a hint, not an error.
    """
    expect(api_id, "my_api_id", str, "the apiId of the GraphQL API you created (create_graphql_api(...)"
                                     "['graphqlApi']['apiId'])")
    appsync = current().client("appsync")
    try:
        appsync.get_graphql_api(apiId=api_id)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("NotFoundException", "BadRequestException"):
            raise
        return failed(f"No GraphQL API has the id {api_id!r}: run your create_graphql_api cell again (a cleanup "
                      "deletes the APIs) and put its apiId in my_api_id.")
    try:
        status = appsync.get_schema_creation_status(apiId=api_id)
    except ClientError:  # an API without a schema: the introspection below says so in AWS's words
        status = {}
    if status.get("status") == "FAILED":
        return failed("AppSync refused the schema: " + str(status.get("details", "")).strip().splitlines()[0]
                      + " — fix the SDL and call start_schema_creation again.")
    if status and status.get("status") not in READY:
        return failed(f"The schema's status is {status.get('status')}: wait until get_schema_creation_status "
                      "says SUCCESS, then check again.")
    try:
        sdl = appsync.get_introspection_schema(apiId=api_id, format="SDL", includeDirectives=True)["schema"].read()
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            return failed("The engine accepted the schema's syntax but cannot build it, so it is not a valid "
                          "GraphQL schema (on AWS its status would be FAILED): check that every type a field "
                          "returns or takes (Note, ID, String…) is defined or built in, then upload it again.")
        if exc.response.get("Error", {}).get("Code") not in ("NotFoundException", "GraphQLSchemaException",
                                                             "BadRequestException"):
            raise
        return failed("The API has no schema yet: call start_schema_creation(apiId=my_api_id, definition=...) "
                      "with your schema (bytes), then wait for its status.")
    types = sdl_types(sdl.decode("utf-8"))
    judged = getattr(current(), "name", "") in DIRECTIVES_RETURNED or any(
        "@aws_subscribe" in field["rest"] for field in types.get("Subscription", {}).values())
    hints = []
    query = types.get("Query", {})
    if query.get("getNote", {}).get("type") != "Note" or query.get("getNote", {}).get("args") != "(id:ID!)":
        hints.append("Query must keep getNote(id: ID!): Note")
    mutation = types.get("Mutation", {}).get("deleteNote")
    if mutation is None:
        hints.append("Mutation has no deleteNote field: add deleteNote(id: ID!): Note to type Mutation")
    elif mutation["args"] != "(id:ID!)" or mutation["type"] != "Note":
        hints.append(f"deleteNote is deleteNote{mutation['args'] or ''}: {mutation['type']}; it should take "
                     "(id: ID!) and return Note (the deleted note, so subscribers receive it)")
    subscription = types.get("Subscription", {}).get("onDeleteNote")
    if subscription is None:
        hints.append("Subscription has no onDeleteNote field: add onDeleteNote: Note to type Subscription")
    elif subscription["type"] != "Note":
        hints.append(f"onDeleteNote returns {subscription['type']}: it must return Note, the type deleteNote "
                     "returns (a subscription's type matches the mutation it listens to)")
    elif judged and not re.search(
            r"@aws_subscribe\s*\(\s*mutations\s*:\s*\[[^\]]*\"deleteNote\"", subscription["rest"]):
        hints.append('onDeleteNote must carry @aws_subscribe(mutations: ["deleteNote"]) so that AppSync pushes '
                     "each deleteNote result to its subscribers")
    if hints:
        return failed("; ".join(hints) + ".")
    unjudged = "" if judged else (" This engine shows no directive in the introspected schema, so @aws_subscribe "
                                  'was not judged: make sure onDeleteNote carries @aws_subscribe(mutations: '
                                  '["deleteNote"]).')
    return passed("deleteNote(id: ID!): Note is a mutation and onDeleteNote: Note a subscription next to it; "
                  "on AWS the @aws_subscribe directive makes AppSync push every deleted note to subscribers."
                  + unjudged)
