"""Checks for labs/codepipeline."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def manual_gate(pipeline_name: str) -> Verdict:
    """The pipeline has a stage with a Manual approval action after its Build stage and before every stage that
    deploys to production (a stage whose name contains "Prod")."""
    expect(pipeline_name, "my_pipeline", str, "the name of the pipeline you updated")
    pipeline = current().client("codepipeline").get_pipeline(name=pipeline_name)["pipeline"]
    stages = pipeline["stages"]
    names = [s["name"] for s in stages]

    def has(stage, category, provider=None):
        return any(a["actionTypeId"]["category"] == category and
                   (provider is None or a["actionTypeId"]["provider"] == provider) for a in stage["actions"])

    approvals = [i for i, s in enumerate(stages) if has(s, "Approval", "Manual")]
    if not approvals:
        return failed(f"No stage has an action of category Approval, provider Manual (stages: {names}). Add one "
                      "and call update_pipeline with the whole pipeline structure.")
    builds = [i for i, s in enumerate(stages) if has(s, "Build")]
    prod = [i for i, s in enumerate(stages) if "prod" in s["name"].lower()]
    if not prod:
        return failed(f"No stage deploys to production any more (stages: {names}); keep the Prod stage.")
    gate = approvals[0]
    if builds and gate < builds[0]:
        return failed("The approval comes before the build: approvers would approve code nobody has built or "
                      "tested yet. Put it after the test deployment.")
    if gate > prod[0]:
        return failed("The approval comes after the production stage, so it gates nothing. Move it before.")
    if pipeline.get("version", 1) < 2:
        return failed("The pipeline is still at version 1: did update_pipeline run?")
    return passed(f"Stages: {' → '.join(names)}. Nothing reaches production until someone approves.")
