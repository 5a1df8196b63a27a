"""Checks for labs/lambda."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def canary_alias(function: str, alias: str = "canary", main: str = "1", extra: str = "2",
                 weight: float = 0.10) -> Verdict:
    """``alias`` on ``function`` points at version ``main`` and sends ``weight`` of the traffic to ``extra``."""
    expect(function, "my_function", str, "the name of the function you gave the alias")
    lam = current().client("lambda")
    aliases = {a["Name"]: a for a in lam.list_aliases(FunctionName=function).get("Aliases", [])}
    if alias not in aliases:
        return failed(f"{function} has no alias named {alias!r} (it has: {', '.join(sorted(aliases)) or 'none'}). "
                      "Create it with create_alias.")
    found = aliases[alias]
    if found["FunctionVersion"] != main:
        return failed(f"The alias {alias!r} points at version {found['FunctionVersion']}; its main version "
                      f"(FunctionVersion) must be {main}, the version that keeps most of the traffic.")
    weights = (found.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    if extra not in weights:
        return failed(f"The alias {alias!r} sends no traffic to version {extra}. Add RoutingConfig="
                      f"{{'AdditionalVersionWeights': {{'{extra}': {weight}}}}}.")
    if abs(float(weights[extra]) - weight) > 1e-9:
        return failed(f"Version {extra} gets a weight of {weights[extra]}; 10 % is written {weight} "
                      "(a fraction between 0 and 1, not a percentage).")
    return passed(f"{alias!r} keeps version {main} and sends {weight:.0%} of its invocations to version {extra}.")
