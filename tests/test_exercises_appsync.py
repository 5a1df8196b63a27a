"""labkit.exercises.appsync: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import appsync as exercise

BASE = """type Note { id: ID! text: String }
type Query { getNote(id: ID!): Note }
"""
RIGHT = BASE + """type Mutation {
  addNote(text: String!): Note
  deleteNote(id: ID!): Note
}
type Subscription {
  onAddNote: Note @aws_subscribe(mutations: ["addNote"])
  onDeleteNote: Note @aws_subscribe(mutations: ["deleteNote"])
}
schema { query: Query mutation: Mutation subscription: Subscription }
"""


@pytest.fixture
def make_api(engine):
    appsync = labkit.client("appsync")
    made = []

    def make(schema=RIGHT):
        api_id = appsync.create_graphql_api(name=labkit.name("ex-notes"), authenticationType="API_KEY")[
            "graphqlApi"]["apiId"]
        made.append(api_id)
        if schema is not None:
            appsync.start_schema_creation(apiId=api_id, definition=schema.encode())
        return api_id

    yield make
    for api_id in made:
        appsync.delete_graphql_api(apiId=api_id)


def test_right_answer_passes(make_api):
    verdict = evaluate(exercise.delete_note_schema, make_api())
    assert verdict.passed, verdict.message


def test_placeholder_is_a_hint(engine):
    verdict = evaluate(exercise.delete_note_schema, None)
    assert verdict.kind == "failed" and "my_api_id is still None" in verdict.message


def test_unknown_api_is_a_hint(engine):
    verdict = evaluate(exercise.delete_note_schema, "no-such-api")
    assert verdict.kind == "failed" and "No GraphQL API has the id" in verdict.message


def test_api_without_schema_fails(make_api):
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=None))
    assert verdict.kind == "failed" and "no schema yet" in verdict.message


def test_syntax_error_fails_with_appsyncs_reason(make_api):
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=RIGHT.replace("}\ntype Subscription", "\n"
                                                                                   "type Subscription")))
    assert verdict.kind == "failed" and "AppSync refused the schema" in verdict.message


def test_missing_mutation_fails(make_api):
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=RIGHT.replace("  deleteNote(id: ID!): Note\n", "")))
    assert verdict.kind == "failed" and "Mutation has no deleteNote" in verdict.message


def test_mutation_with_wrong_argument_fails(make_api):
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=RIGHT.replace("deleteNote(id: ID!)",
                                                                                  "deleteNote(id: ID)")))
    assert verdict.kind == "failed" and "it should take (id: ID!)" in verdict.message


def test_subscription_of_another_type_fails(make_api):
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=RIGHT.replace(
        'onDeleteNote: Note @aws_subscribe(mutations: ["deleteNote"])',
        'onDeleteNote: String @aws_subscribe(mutations: ["deleteNote"])')))
    assert verdict.kind == "failed" and "onDeleteNote returns String" in verdict.message


def test_missing_subscription_fails(make_api):
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=RIGHT.replace(
        '  onDeleteNote: Note @aws_subscribe(mutations: ["deleteNote"])\n', "")))
    assert verdict.kind == "failed" and "Subscription has no onDeleteNote" in verdict.message


def test_sdl_reader_sees_directives_where_they_are_returned():
    """On AWS the introspected SDL carries the directives: a subscription on the wrong mutation is judged there."""
    types = exercise.sdl_types(RIGHT)
    assert types["Mutation"]["deleteNote"] == {"args": "(id:ID!)", "type": "Note", "rest": ""}
    assert '"deleteNote"' in types["Subscription"]["onDeleteNote"]["rest"]


def test_schema_with_an_undefined_type_is_a_hint(make_api):
    """The schema's status is FAILED (as on AWS; the embedded engine validates it): a hint naming the type."""
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=RIGHT.replace(
        "deleteNote(id: ID!): Note", "deleteNote(id: ID!): DeletedNote")))
    assert verdict.kind == "failed" and "AppSync refused the schema" in verdict.message, verdict.message
    assert "DeletedNote" in verdict.message, verdict.message


@pytest.mark.parametrize("wrong", ['onDeleteNote: Note', 'onDeleteNote: Note @aws_subscribe(mutations: ["addNote"])'])
def test_subscription_without_its_directive_fails(make_api, wrong):
    """The embedded engine returns the applied directives (labkit puts them back): a missing or wrong
    @aws_subscribe is judged there, as on AWS."""
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=RIGHT.replace(
        'onDeleteNote: Note @aws_subscribe(mutations: ["deleteNote"])', wrong)))
    assert verdict.kind == "failed" and 'must carry @aws_subscribe(mutations: ["deleteNote"])' in verdict.message


def test_a_pass_says_when_the_directive_could_not_be_judged(make_api, monkeypatch):
    """On an engine that may drop directives and shows none, a pass must not claim @aws_subscribe was seen."""
    monkeypatch.setattr(exercise, "DIRECTIVES_RETURNED", ())
    verdict = evaluate(exercise.delete_note_schema, make_api(schema=RIGHT.replace(
        ' @aws_subscribe(mutations: ["addNote"])', "").replace(' @aws_subscribe(mutations: ["deleteNote"])', "")))
    assert verdict.passed and "@aws_subscribe was not judged" in verdict.message, verdict.message


def test_introspected_sdl_keeps_applied_directives(make_api):
    """labkit/emulator/appsync.py: GetIntrospectionSchema (SDL, includeDirectives) keeps @aws_subscribe."""
    sdl = labkit.client("appsync").get_introspection_schema(apiId=make_api(), format="SDL", includeDirectives=True)[
        "schema"].read().decode()
    assert 'onDeleteNote: Note @aws_subscribe(mutations: ["deleteNote"])' in sdl
