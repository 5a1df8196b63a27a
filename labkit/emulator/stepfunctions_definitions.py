"""Step Functions: CreateStateMachine and UpdateStateMachine refuse a definition whose StartAt, Next, Default,
Choices[].Next or Catch[].Next names a state that does not exist (InvalidDefinition, MISSING_TRANSITION_TARGET), as
AWS does; moto 5.2.5 accepts it and fails only when an execution reaches the missing state.

The message follows AWS's: ``Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target:
<name> at /States/<state>/Catch[0]/Next, …'`` (the word 'Next' for every position). Upstream change: the same check
in moto's StepFunctionBackend.create_state_machine/update_state_machine. Unreachable states (AWS also reports them)
are not checked here.
"""
from __future__ import annotations

import json

from .registry import Patch

BACKENDS = ("moto.stepfunctions.models.StepFunctionBackend", "moto.stepfunctions.parser.models.StepFunctionsParserBackend")

PATCHES = [Patch(
    name="stepfunctions-missing-transition-target",
    changes="CreateStateMachine/UpdateStateMachine refuse a transition to a missing state with InvalidDefinition "
            "(MISSING_TRANSITION_TARGET), as AWS does.",
    symbols=tuple(f"{b}.{m}" for b in BACKENDS for m in ("create_state_machine", "update_state_machine")),
    upstream="Validate transition targets in StepFunctionBackend.create_state_machine/update_state_machine.",
)]


def missing_targets(definition: dict, prefix: str = "") -> list[str]:
    """AWS's MISSING_TRANSITION_TARGET diagnostics for a parsed definition (nested Parallel branches and Map
    processors are checked in their own scope); an empty list when every target exists."""
    states = definition.get("States") if isinstance(definition, dict) else None
    if not isinstance(states, dict):
        return []
    found = []

    def check(target, where):
        if isinstance(target, str) and target not in states:
            found.append(f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {target} at {where}")

    check(definition.get("StartAt"), f"{prefix}/StartAt")
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = f"{prefix}/States/{name}"
        check(state.get("Next"), f"{here}/Next")
        check(state.get("Default"), f"{here}/Default")
        for i, choice in enumerate(state.get("Choices") or []):
            if isinstance(choice, dict):
                check(choice.get("Next"), f"{here}/Choices[{i}]/Next")
        for i, catcher in enumerate(state.get("Catch") or []):
            if isinstance(catcher, dict):
                check(catcher.get("Next"), f"{here}/Catch[{i}]/Next")
        for i, branch in enumerate(state.get("Branches") or []):
            found += missing_targets(branch, f"{here}/Branches[{i}]")
        for key in ("Iterator", "ItemProcessor"):
            if isinstance(state.get(key), dict):
                found += missing_targets(state[key], f"{here}/{key}")
    return found


def _check(definition) -> None:
    from moto.core.exceptions import JsonRESTError

    if not definition:
        return
    try:
        parsed = json.loads(definition) if isinstance(definition, str) else definition
    except ValueError:
        return  # moto reports malformed JSON itself
    problems = missing_targets(parsed)
    if problems:
        raise JsonRESTError("InvalidDefinition", f"Invalid State Machine Definition: '{', '.join(problems)}'")


def _wrap(original, position: int, keyword: str):
    def checked(self, *args, **kwargs):
        definition = kwargs.get(keyword, args[position] if len(args) > position else None)
        _check(definition)
        return original(self, *args, **kwargs)
    checked.labkit_original = original
    return checked


def install() -> None:
    """Validate transition targets at CreateStateMachine/UpdateStateMachine (idempotent)."""
    import importlib

    for path in BACKENDS:
        module, cls_name = path.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), cls_name)
        for method, position in (("create_state_machine", 1), ("update_state_machine", 1)):
            current = cls.__dict__.get(method)
            if current is not None and not hasattr(current, "labkit_original"):
                setattr(cls, method, _wrap(current, position, "definition"))
