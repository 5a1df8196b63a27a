"""Checks for labs/ecs."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def sidecar_task(family: str) -> Verdict:
    """The family's latest revision: Fargate-ready, ``api`` essential on 8080, ``xray-daemon`` not essential on UDP 2000."""
    expect(family, "my_family", str, "the family name of the task definition you registered")
    definition = current().client("ecs").describe_task_definition(taskDefinition=family)["taskDefinition"]
    if "FARGATE" not in definition.get("requiresCompatibilities", []) or definition.get("networkMode") != "awsvpc":
        return failed("For Fargate, set requiresCompatibilities=['FARGATE'] and networkMode='awsvpc'.")
    if str(definition.get("cpu")) != "256" or str(definition.get("memory")) != "512":
        return failed(f"The task size is cpu {definition.get('cpu')}, memory {definition.get('memory')}; "
                      "set cpu='256' and memory='512' at task level.")
    containers = {c["name"]: c for c in definition["containerDefinitions"]}
    if set(containers) != {"api", "xray-daemon"}:
        return failed(f"The containers are {sorted(containers)}; you need exactly 'api' and 'xray-daemon'.")
    api, daemon = containers["api"], containers["xray-daemon"]
    if not api.get("essential", True) or daemon.get("essential", True):
        return failed("'api' must be essential and 'xray-daemon' must have essential=False (a sidecar whose "
                      "exit should not stop the task).")
    if not any(p.get("containerPort") == 8080 for p in api.get("portMappings", [])):
        return failed("'api' needs a portMapping with containerPort 8080.")
    if not any(p.get("containerPort") == 2000 and p.get("protocol") == "udp" for p in daemon.get("portMappings", [])):
        return failed("'xray-daemon' needs a portMapping with containerPort 2000 and protocol 'udp'.")
    return passed(f"{definition['taskDefinitionArn'].split('/')[-1]}: two containers placed together, the sidecar "
                  "non-essential.")
