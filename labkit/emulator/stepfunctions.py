"""Step Functions data flow: JSONPath results shaped as AWS documents them (definite path → one value).

moto runs executions with its port of LocalStack's ASL interpreter. Every JSONPath it evaluates — ``InputPath``,
``Parameters``/``ItemSelector``/``ResultSelector`` fields ending in ``.$``, ``OutputPath``, Choice ``Variable`` —
goes through ``moto.stepfunctions.parser.asl.utils.json_path.extract_json``. moto 5.2.5 decides "one value or a
list" from the *match* (an ``Index`` anywhere in the matched path makes a list, a fix for getmoto/moto#7825), not
from the *path*. So on the result of a Parallel or Map state (an array):

- ``"first.$": "$[0].a"`` gives ``[1]`` instead of ``1``, and a Choice rule on ``$.items[0].price`` compares a list
  with a number, never matches and goes to ``Default``;
- ``$..price`` (deep scan) gives a single value where AWS gives a list.

AWS ("Using JSONPath paths") evaluates paths with Jayway JsonPath semantics: a *definite* path — only single field
names and single array indexes — identifies one node and yields that node (its absence is an error); any other
path (``[*]``, slices, filters, ``..``, index lists) yields a JSON array of every match, possibly empty.

Local fix: :func:`extract_json` classifies the path from the parsed expression and returns one value or a list
accordingly; paths it cannot classify (several bracketed names) go to moto's function unchanged.

A Choice state whose rules all fail and that has no ``Default`` fails the execution with ``States.NoChoiceMatched``
("Handling errors in Step Functions workflows"); moto raises a Python ``RuntimeError`` that surfaces as
``States.Runtime``. We raise the documented error instead.

Another small fix: DescribeExecution's ``output`` is JSON text ("The JSON output data of the execution",
DescribeExecution in the AWS Step Functions API Reference), so an execution that ends on the string ``big`` has the
output ``"big"`` (quoted). moto's interpreter stores the final value as a Python object and moto's response passes a
``str`` through unencoded, so ``json.loads(output)`` fails on such an execution. We store the JSON text instead.

Upstream changes: (1) moto ``stepfunctions/parser/asl/utils/json_path.py``: replace the ``Index``/context heuristics
in ``extract_json`` with a definiteness check of the parsed path (walk ``Child`` nodes; ``Root``, ``This``, one
``Fields`` name and one ``Index`` are definite; ``Wildcard``, ``Slice``, ``Filter``, ``Descendants`` and
multi-index ``Index`` are not), returning ``matches[0].value`` for a definite path and the list of values otherwise;
(2) ``stepfunctions/parser/backend/execution.py`` ``_reflect_execution_status``: store ``to_json_str(output)``;
(3) ``stepfunctions/parser/asl/component/state/choice/state_choice.py``: raise a ``FailureEventException`` with
``StatesErrorNameType.StatesNoChoiceMatched`` instead of ``RuntimeError`` when no rule matches and there is no Default.
"""
from __future__ import annotations

import importlib
from typing import Any

from .registry import Patch

JSON_PATH_MODULE = "moto.stepfunctions.parser.asl.utils.json_path"
# Every module of moto's interpreter that imported extract_json by name (each keeps its own reference).
USERS = (
    "moto.stepfunctions.parser.asl.component.common.string.string_expression",
    "moto.stepfunctions.parser.asl.component.intrinsic.argument.argument",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.timestamp_operators",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.boolean_equals",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.numeric",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.string_operators",
    "moto.stepfunctions.parser.asl.eval.states",
)

PATCHES = [
    Patch(
        name="stepfunctions-definite-json-paths",
        changes="JSONPath evaluation returns one value for a definite path and a list for any other path, as AWS "
                "documents; moto returns a list whenever the match passes through an array index.",
        symbols=(f"{JSON_PATH_MODULE}.extract_json", f"{JSON_PATH_MODULE}.NoSuchJsonPathError",
                 "jsonpath_ng.ext.parse", "jsonpath_ng.jsonpath.Child", "jsonpath_ng.jsonpath.Index",
                 "jsonpath_ng.jsonpath.Fields", "jsonpath_ng.jsonpath.Wildcard", "jsonpath_ng.jsonpath.Slice",
                 "jsonpath_ng.jsonpath.Descendants")
                + tuple(f"{module}.extract_json" for module in USERS),
        upstream="moto stepfunctions/parser/asl/utils/json_path.py: decide one value vs. list from the parsed "
                 "path's definiteness, not from the matched path (see this module's docstring).",
    ),
]

EXECUTION_MODULE = "moto.stepfunctions.parser.backend.execution"
PATCHES.append(Patch(
    name="stepfunctions-output-is-json-text",
    changes="A finished execution's output is stored as JSON text, so a string result reads back as \"big\" "
            "(moto passes a Python str through unencoded).",
    symbols=(f"{EXECUTION_MODULE}.BaseExecutionWorkerCommunication._reflect_execution_status",
             "moto.stepfunctions.parser.asl.utils.encoding.to_json_str"),
    upstream="moto stepfunctions/parser/backend/execution.py: store to_json_str(output) when an execution ends.",
))

CHOICE_MODULE = "moto.stepfunctions.parser.asl.component.state.choice.state_choice"
PATCHES.append(Patch(
    name="stepfunctions-no-choice-matched",
    changes="A Choice state with no matching rule and no Default fails with States.NoChoiceMatched (moto: "
            "States.Runtime from a RuntimeError).",
    symbols=(f"{CHOICE_MODULE}.StateChoice._eval_state",
             "moto.stepfunctions.parser.asl.component.common.error_name.failure_event.FailureEventException",
             "moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type."
             "StatesErrorNameType.StatesNoChoiceMatched"),
    upstream="moto state_choice.py: raise FailureEventException(States.NoChoiceMatched) when nothing matches.",
))

_original = None
_original_reflect = None
_original_choice = None


def definiteness(expression) -> bool | None:
    """True for a definite path, False for an indefinite one, None when the path is of a kind left to moto.

    ``expression`` is a parsed ``jsonpath_ng`` expression.
    """
    from jsonpath_ng.jsonpath import Child, Descendants, Fields, Index, Root, Slice, This, Wildcard

    if isinstance(expression, Child):
        left, right = definiteness(expression.left), definiteness(expression.right)
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if isinstance(expression, (Root, This)):
        return True
    if isinstance(expression, Fields):
        return True if len(expression.fields) == 1 and expression.fields[0] != "*" else None
    if isinstance(expression, Index):
        return len(expression.indices) == 1
    if isinstance(expression, (Wildcard, Slice, Descendants)):
        return False
    if type(expression).__name__ == "Filter":  # jsonpath_ng.ext.filter.Filter
        return False
    return None


def extract_json(path: str, data: Any) -> Any:
    """The value(s) ``path`` selects in ``data``, shaped as Step Functions returns them.

    A definite path returns the one node it names and raises moto's ``NoSuchJsonPathError`` (which the interpreter
    turns into ``States.Runtime``) when it is absent; an indefinite path returns a list of every match (possibly
    empty). AWS doc: "Using JSONPath paths".
    """
    from jsonpath_ng.ext import parse

    from moto.stepfunctions.parser.asl.utils.json_path import NoSuchJsonPathError

    expression = parse(path)
    kind = definiteness(expression)
    if kind is None:
        return _original(path, data)
    matches = expression.find(data)
    if kind:
        if not matches:
            raise NoSuchJsonPathError(json_path=path, data=data)
        return matches[0].value
    return [match.value for match in matches]


def _reflect_execution_status(self) -> None:
    """moto's end-of-execution bookkeeping, then the output as JSON text (as DescribeExecution returns it)."""
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    _original_reflect(self)
    if str(getattr(self.execution, "exec_status", "")).endswith("SUCCEEDED") and not getattr(
            self.execution, "_labkit_output_encoded", False):
        self.execution.output = to_json_str(self.execution.output)
        self.execution._labkit_output_encoded = True


def _choice_eval_state(self, env) -> None:
    """moto's Choice evaluation; no match and no Default → the documented States.NoChoiceMatched failure."""
    if self.default_state is not None:
        return _original_choice(self, env)
    try:
        return _original_choice(self, env)
    except RuntimeError:
        from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
        from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
            FailureEvent, FailureEventException)
        from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
        from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
            StatesErrorNameType)
        from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

        name = StatesErrorNameType.StatesNoChoiceMatched
        raise FailureEventException(failure_event=FailureEvent(
            env=env, error_name=StatesErrorName(typ=name), event_type=HistoryEventType.ExecutionFailed,
            event_details=EventDetails(executionFailedEventDetails=ExecutionFailedEventDetails(
                error=name.to_name(), cause=f"No Choice rule matched and no Default in state '{self.name}'."))),
        ) from None


def install() -> None:
    """Point moto's interpreter (the json_path module and every module that imported from it) at ours."""
    global _original, _original_reflect, _original_choice
    choice = importlib.import_module(CHOICE_MODULE)
    if _original_choice is None:
        _original_choice = choice.StateChoice._eval_state
        choice.StateChoice._eval_state = _choice_eval_state
    execution = importlib.import_module(EXECUTION_MODULE)
    communication = execution.BaseExecutionWorkerCommunication
    if _original_reflect is None:
        _original_reflect = communication._reflect_execution_status
        communication._reflect_execution_status = _reflect_execution_status
    json_path = importlib.import_module(JSON_PATH_MODULE)
    if _original is None:
        _original = json_path.extract_json
    for name in (JSON_PATH_MODULE, *USERS):
        module = importlib.import_module(name)
        if module.extract_json is _original:
            module.extract_json = extract_json


def uninstall() -> None:
    """Give moto its own JSONPath function back (for the test that shows moto still has the bug)."""
    if _original is None:
        return
    for name in (JSON_PATH_MODULE, *USERS):
        module = importlib.import_module(name)
        if module.extract_json is extract_json:
            module.extract_json = _original
