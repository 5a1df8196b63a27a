"""Step Functions data flow on the embedded engine: each test asserts the value AWS documents.

Pages (AWS Step Functions Developer Guide): "Processing input and output in Step Functions", "Manipulate parameters
in Step Functions workflows", "Specifying state output using ResultPath in Step Functions", "Filtering state output
using OutputPath", "Using JSONPath paths", "Parallel workflow state", "Map workflow state", "Choice workflow state",
"Handling errors in Step Functions workflows".
"""
from __future__ import annotations

import contextlib
import json
import time

import pytest

ROLE = "arn:aws:iam::123456789012:role/conformance-sfn"


@pytest.fixture(scope="module")
def sfn(engine):
    import labkit

    return labkit.client("stepfunctions")


def execute(sfn, definition: dict, payload, timeout: float = 60.0) -> dict:
    """Create a state machine, run it once with ``payload`` and return the finished DescribeExecution; unless it
    succeeded, ``described["failures"]`` holds the history's failure events (what failed, with error and cause).
    ``timeout`` only bounds the wait on a stalled engine: a run on a loaded machine may take seconds."""
    import labkit

    arn = sfn.create_state_machine(name=labkit.name("conf-flow"), definition=json.dumps(definition),
                                   roleArn=ROLE)["stateMachineArn"]
    try:
        run = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
        deadline = time.time() + timeout
        while (described := sfn.describe_execution(executionArn=run))["status"] == "RUNNING":
            assert time.time() < deadline, f"execution still running after {timeout:.0f} s: {failures(sfn, run, all)}"
            time.sleep(0.05)
        if described["status"] != "SUCCEEDED":
            described["failures"] = failures(sfn, run)
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)
    return described


def failures(sfn, run: str, keep=None) -> list:
    """The execution's history events that record a failure (``keep=all``: every event), as short dicts."""
    keep = keep or (lambda event: event["type"].endswith(("Failed", "TimedOut", "Aborted")))
    return [{"type": event["type"], **{k: v for k, v in event.items() if k.endswith("EventDetails")}}
            for event in sfn.get_execution_history(executionArn=run)["events"] if keep(event)]


def output(sfn, definition: dict, payload):
    described = execute(sfn, definition, payload)
    assert described["status"] == "SUCCEEDED", (
        f"{described['status']}: {described.get('error')}: {described.get('cause')}\n"
        f"failure events: {json.dumps(described.get('failures'), indent=1, default=str)}")
    return json.loads(described["output"])


def one_state(state: dict) -> dict:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}}


def branch(result) -> dict:
    return {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": result, "End": True}}}


def parallel(**fields) -> dict:
    return one_state({"Type": "Parallel", "Branches": [branch({"a": 1}), branch({"b": 2})], **fields})


def test_inputpath_is_applied_before_parameters(sfn):
    """'Manipulate parameters in Step Functions workflows': InputPath first, then Parameters (static + `.$`)."""
    payload = {"comment": "x", "dataset1": {"val1": 1}, "dataset2": {"val1": "a", "val2": "b", "val3": "c"}}
    state = {"Type": "Pass", "InputPath": "$.dataset2", "Parameters": {"picked.$": "$.val2", "StaticValue": "foo"}}
    assert output(sfn, one_state(state), payload) == {"picked": "b", "StaticValue": "foo"}


def test_a_slice_path_yields_an_array(sfn):
    """'Manipulate parameters in Step Functions workflows': `$.a[0:2]` on {"a": [1, 2, 3, 4]} gives [1, 2]."""
    assert output(sfn, one_state({"Type": "Pass", "InputPath": "$.a[0:2]"}), {"a": [1, 2, 3, 4]}) == [1, 2]


def test_parallel_result_is_an_array_of_branch_outputs_placed_by_resultpath(sfn):
    """'Parallel workflow state': the result is an array, one element per branch in order; 'Specifying state
    output using ResultPath in Step Functions': ResultPath adds it to the state's input."""
    assert output(sfn, parallel(ResultPath="$.results"), {"order": 7}) == {
        "order": 7, "results": [{"a": 1}, {"b": 2}]}


def test_resultselector_takes_one_value_from_a_parallel_result_by_index(sfn):
    """'Using JSONPath paths': a path of single names and indexes identifies a single node, so `$[0].a` selects
    the value 1 (not a list) from the Parallel result [{"a": 1}, {"b": 2}]; ResultSelector applies before
    ResultPath and OutputPath ('Processing input and output in Step Functions')."""
    state = parallel(ResultSelector={"first.$": "$[0].a", "second.$": "$[1].b"}, ResultPath="$.picked",
                     OutputPath="$.picked")
    assert output(sfn, state, {"order": 7}) == {"first": 1, "second": 2}


def test_resultselector_flattens_an_array_of_arrays(sfn):
    """'Using JSONPath paths' (Flattening an array of arrays): `"flattenArray.$": "$[*][*]"` in ResultSelector."""
    state = one_state({"Type": "Parallel", "Branches": [branch([1, 2]), branch([3])],
                       "ResultSelector": {"flattenArray.$": "$[*][*]"}})
    assert output(sfn, state, {}) == {"flattenArray": [1, 2, 3]}


def test_a_wildcard_or_deep_scan_path_yields_a_list_even_for_one_match(sfn):
    """'Using JSONPath paths': a path that is not limited to a single node (wildcard, `..`, filter) yields an
    array of every match."""
    state = {"Type": "Pass", "Parameters": {"ids.$": "$.items[*].id", "deep.$": "$..price",
                                            "big.$": "$.items[?(@.price >= 5)]"}}
    payload = {"items": [{"id": "x", "price": 9}]}
    assert output(sfn, one_state(state), payload) == {"ids": ["x"], "deep": [9], "big": [{"id": "x", "price": 9}]}


def test_map_item_selector_result_selector_result_path_and_output_path(sfn):
    """'Map workflow state': ItemsPath picks the array, ItemSelector builds each iteration's input from
    `$$.Map.Item.Value`/`Index`, the result is an array in item order; then ResultSelector, ResultPath and
    OutputPath apply to it as to any state ('Processing input and output in Step Functions')."""
    state = {"Type": "Map", "InputPath": "$.order", "ItemsPath": "$.lines",
             "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "position.$": "$$.Map.Item.Index",
                              "customer.$": "$.customer"},
             "ItemProcessor": {"StartAt": "Line", "States": {"Line": {"Type": "Pass", "End": True}}},
             "ResultSelector": {"firstSku.$": "$[0].sku", "lines.$": "$"},
             "ResultPath": "$.summary", "OutputPath": "$.summary"}
    payload = {"order": {"customer": "c1", "lines": [{"sku": "A"}, {"sku": "B"}]}}
    assert output(sfn, one_state(state), payload) == {"firstSku": "A", "lines": [
        {"sku": "A", "position": 0, "customer": "c1"}, {"sku": "B", "position": 1, "customer": "c1"}]}


def test_resultpath_null_discards_the_result_and_keeps_the_input(sfn):
    """'Specifying state output using ResultPath in Step Functions': `"ResultPath": null` passes the input on."""
    state = {"Type": "Map", "ItemsPath": "$.items", "ResultPath": None,
             "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Result": "done", "End": True}}}}
    assert output(sfn, one_state(state), {"items": [1, 2], "keep": True}) == {"items": [1, 2], "keep": True}


def test_outputpath_can_name_one_element_of_an_array(sfn):
    """'Filtering state output using OutputPath' with 'Using JSONPath paths': `$.results[1].b` is one node."""
    assert output(sfn, parallel(ResultPath="$.results", OutputPath="$.results[1].b"), {}) == 2


def test_choice_rules_on_indexed_paths_and_combinations(sfn):
    """'Choice workflow state': a rule compares the value at `Variable`; `And`/`Not` combine rules; the first
    matching rule's `Next` is taken; InputPath/OutputPath apply to the Choice state."""
    definition = {"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "InputPath": "$.order", "Choices": [
            {"And": [{"Variable": "$.items[0].price", "NumericGreaterThan": 100},
                     {"Not": {"Variable": "$.items[0].sku", "StringMatches": "TEST-*"}}], "Next": "Big"},
            {"Variable": "$.items[0].price", "NumericLessThanEquals": 100, "Next": "Small"}],
         "Default": "Odd"},
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "End": True},
        "Odd": {"Type": "Pass", "Result": "odd", "End": True}}}
    assert output(sfn, definition, {"order": {"items": [{"sku": "A-1", "price": 150}]}}) == "big"
    assert output(sfn, definition, {"order": {"items": [{"sku": "TEST-1", "price": 150}]}}) == "odd"
    assert output(sfn, definition, {"order": {"items": [{"sku": "A-2", "price": 20}]}}) == "small"


def test_choice_without_a_match_or_default_fails_with_no_choice_matched(sfn):
    """'Choice workflow state' / 'Handling errors in Step Functions workflows': States.NoChoiceMatched."""
    definition = {"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]},
        "One": {"Type": "Succeed"}}}
    described = execute(sfn, definition, {"n": 2})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.NoChoiceMatched"


def test_a_missing_definite_path_fails_the_execution_with_states_runtime(sfn):
    """'Handling errors in Step Functions workflows': States.Runtime, e.g. an InputPath that matches nothing."""
    described = execute(sfn, one_state({"Type": "Pass", "InputPath": "$.missing"}), {"present": 1})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"


@contextlib.contextmanager
def doubling_function():
    """A Lambda function returning ``{"doubled": n * 2}`` for ``{"n": n}``; yields its ARN, deleted after.

    Its ``Timeout`` is 30 s, not the 3 s default ('Configure Lambda function timeout'), so that the run does not
    depend on how loaded the machine is."""
    import labkit

    lam = labkit.client("lambda")
    name = labkit.name("conf-sfn-task")
    code = labkit.zip_code({"app.py": "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n"})
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                              Code={"ZipFile": code}, Timeout=30)["FunctionArn"]
    try:
        yield arn
    finally:
        lam.delete_function(FunctionName=name)


def doubling_task(arn: str) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": arn, "Payload.$": "$.job"},
            "ResultSelector": {"value.$": "$.Payload.doubled", "status.$": "$.StatusCode"},
            "ResultPath": "$.result"}


def test_task_result_of_lambda_invoke_through_resultselector(sfn, engine):
    """'Processing input and output in Step Functions': ResultSelector shapes a Task's raw result before
    ResultPath; the `arn:aws:states:::lambda:invoke` result carries the function's return value in `Payload` and
    the HTTP status in `StatusCode` ('Invoke an AWS Lambda function with Step Functions')."""
    with doubling_function() as arn:
        assert output(sfn, one_state(doubling_task(arn)), {"job": {"n": 21}}) == {
            "job": {"n": 21}, "result": {"value": 42, "status": 200}}


@pytest.mark.embedded_only
def test_a_lambda_task_still_reaches_the_engine_after_another_engine_of_the_process_stopped(sfn, engine):
    """moto's Step Functions runner calls Lambda at localhost:$MOTO_PORT. A second embedded engine started and
    stopped in the same process (as other test modules on the same pytest-xdist worker do) must leave it aimed at
    the running engine: in CI the test above failed with States.Runtime "Could not connect to the endpoint URL"
    (the stopped engine's port) when such a module had run before it on its worker."""
    from labkit.engines.embedded import EmbeddedEngine

    EmbeddedEngine("us-east-1").start().stop()
    with doubling_function() as arn:
        assert output(sfn, one_state(doubling_task(arn)), {"job": {"n": 4}}) == {
            "job": {"n": 4}, "result": {"value": 8, "status": 200}}


def test_moto_still_has_the_index_path_bug(engine):
    """labkit/emulator/stepfunctions.py works around moto's extract_json; when moto fixes it, drop the patch."""
    from labkit.emulator import stepfunctions
    from moto.stepfunctions.parser.asl.utils import json_path

    stepfunctions.uninstall()
    try:
        assert json_path.extract_json("$[0].a", [{"a": 1}]) == [1], "moto fixed definite index paths"
    finally:
        stepfunctions.install()
    assert json_path.extract_json("$[0].a", [{"a": 1}]) == 1
