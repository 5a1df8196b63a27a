"""Checks for labs/codebuild."""
from __future__ import annotations

import uuid
from pathlib import Path

from .. import buildspec
from ..checks import Verdict, expect, failed, passed

VARIABLE = "API_URL"
"""The variable the exercise's build reads from Parameter Store."""
OUTPUT = "dist/config.txt"
"""The file the exercise's build writes and uploads as its artifact."""


def _failure(log: list[str]) -> str:
    """The failing command's own last output lines (bash's message) and CodeBuild's line that follows them."""
    ends = [n for n, line in enumerate(log) if line.startswith("Command did not exit successfully")]
    if not ends:
        return log[-1] if log else ""
    end = ends[0]
    start = max((n for n, line in enumerate(log[:end]) if line.startswith("$ ")), default=-1) + 1
    said = [line.strip() for line in log[start:end] if line.strip()][-2:]
    return "; ".join(said + [log[end]])


def config_buildspec(spec, parameter_name) -> Verdict:
    """``spec`` (the learner's buildspec, YAML text) builds ``dist/config.txt`` holding the Parameter Store value.

    Judged ("Build specification reference for CodeBuild"): the buildspec is valid (every problem the validator
    finds becomes the hint); ``env.parameter-store`` maps ``API_URL`` to ``parameter_name`` (str), and the value is
    not also written in plain text under ``env.variables``; run locally by :func:`labkit.buildspec.run`, every
    phase succeeds and ``artifacts.files`` picks up ``dist/config.txt`` (also with ``post_build`` left out: the
    exercise asks for the file from the build phase), whose text contains the parameter's value, taken from the
    variable (a second run with another value of ``API_URL`` must write that value, so a URL copied into a command
    does not pass). A parameter that is missing on the engine is reported as the hint (``BuildspecError``).
    """
    expect(spec, "my_buildspec", str, "your buildspec as YAML text (a triple-quoted string)")
    expect(parameter_name, "parameter_name", str, "the Parameter Store name the lab created")
    problems = buildspec.validate(spec)
    if problems:
        return failed("The buildspec is not valid yet: " + "; ".join(problems) + ".")
    parsed = buildspec.parse(spec)
    env = parsed.get("env") or {}
    store = {str(k): str(v) for k, v in (env.get("parameter-store") or {}).items()}
    plain = {str(k) for k in (env.get("variables") or {})}
    if VARIABLE in plain:
        return failed(f"{VARIABLE} is under env.variables, in plain text: read it from Parameter Store instead "
                      f"(env.parameter-store: {VARIABLE}: {parameter_name}).")
    if store.get(VARIABLE) != parameter_name:
        got = f"maps {VARIABLE} to {store[VARIABLE]!r}" if VARIABLE in store else f"has no {VARIABLE}"
        return failed(f"env.parameter-store {got}: map {VARIABLE} to the parameter {parameter_name!r}.")
    if not (parsed.get("phases") or {}).get("build"):
        return failed("There is no build phase: write the file in phases.build.commands.")
    if not parsed.get("artifacts"):
        return failed(f"There is no artifacts section: add artifacts.files listing {OUTPUT} (or dist/**/*).")
    run = buildspec.run(spec)
    try:
        if run.status != "SUCCEEDED":
            broken = next((p for p in run.phases if p.status == "FAILED"), None)
            where = f"the {broken.name.upper()} phase failed: {_failure(broken.log)}" if broken else "a phase failed"
            return failed(f"Run locally, the build FAILED ({where}). Look at its log: buildspec.run(my_buildspec).")
        if OUTPUT not in run.artifacts:
            return failed(f"The build succeeded, but its artifacts are {run.artifacts or 'empty'}: write {OUTPUT} "
                          "and list it (or dist/**/*) under artifacts.files, with no base-directory.")
        value = buildspec.resolve_env(spec)[VARIABLE]
        text = (Path(run.workdir) / OUTPUT).read_text()
        if value not in text:
            return failed(f"{OUTPUT} does not contain the parameter's value: write \"${VARIABLE}\" into it "
                          f"(e.g. echo \"url=${VARIABLE}\" > {OUTPUT}).")
        if "post_build" in parsed["phases"]:  # the exercise asks for the file from the build phase
            without = buildspec.run({**parsed, "phases": {k: v for k, v in parsed["phases"].items()
                                                          if k != "post_build"}})
            made_in_build = OUTPUT in without.artifacts
            buildspec.remove(without)
            if not made_in_build:
                return failed(f"{OUTPUT} is written in post_build: write it in phases.build.commands (post_build runs "
                              "even after a failed build, so it is no place to make the artifact).")
        probe_value = f"probe-{uuid.uuid4().hex[:12]}"  # the same build with another value of the variable
        probe = buildspec.run(spec, env={VARIABLE: probe_value})
        try:
            probe_path = Path(probe.workdir) / OUTPUT
            if not probe_path.is_file() or probe_value not in probe_path.read_text():
                return failed(f"{OUTPUT} holds the parameter's value written into the buildspec itself: write the "
                              f"variable instead (\"${VARIABLE}\"), so a new value in Parameter Store reaches the "
                              "next build without editing the buildspec.")
        finally:
            buildspec.remove(probe)
    finally:
        buildspec.remove(run)
    return passed(f"Valid buildspec; {VARIABLE} comes from Parameter Store; every phase SUCCEEDED and "
                  f"{OUTPUT} (holding the value) is the artifact.")
