"""Checks for labs/parameter-store."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def expected_config(root: str, environment: str) -> dict:
    """``{"db/url": "...", "regions": [...], ...}``: every parameter under ``root/environment/``, decrypted."""
    path = f"{root.rstrip('/')}/{environment}/"
    ssm = current().client("ssm")
    config = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=True, WithDecryption=True):
        for p in page["Parameters"]:
            value = p["Value"].split(",") if p["Type"] == "StringList" else p["Value"]
            config[p["Name"][len(path):]] = value
    return config


def environment_config(config: dict, root: str, environment: str = "prod") -> Verdict:
    """``config`` is the whole ``environment`` configuration, keyed by name relative to ``root/environment/``."""
    expect(config, "my_config", dict, f"a dict of every parameter under {root.rstrip('/')}/{environment}/, filled "
           "from get_parameters_by_path")
    wanted = expected_config(root, environment)
    path = f"{root.rstrip('/')}/{environment}/"
    absolute = [k for k in config if k.startswith("/")]
    if absolute:
        return failed(f"Keys should be relative to {path}: '{absolute[0]}' should be "
                      f"'{absolute[0][len(path):] if absolute[0].startswith(path) else '...'}'.")
    foreign = sorted(set(config) - set(wanted))
    if foreign:
        return failed(f"{foreign[:3]} are not parameters of {path}: read only that environment's path.")
    missing = sorted(set(wanted) - set(config))
    if missing:
        nested = [m for m in missing if "/" in m]
        hint = ("Nested names are missing: pass Recursive=True." if nested and all("/" in m for m in missing) else
                "Some parameters are missing: GetParametersByPath returns 10 per page; use the paginator "
                "(or follow NextToken).")
        return failed(f"{len(missing)} of {len(wanted)} parameters are missing, e.g. {missing[:3]}. {hint}")
    ssm = current().client("ssm")
    for name, value in config.items():
        if value == wanted[name]:
            continue
        kind = ssm.get_parameter(Name=path + name)["Parameter"]["Type"]
        if kind == "SecureString":
            return failed(f"'{name}' is a SecureString and you hold its encrypted form: pass WithDecryption=True.")
        if kind == "StringList":
            return failed(f"'{name}' is a StringList: split its value on commas into a Python list.")
        return failed(f"'{name}' is {value!r} but the parameter holds {wanted[name]!r}.")
    return passed(f"All {len(wanted)} parameters of {path} loaded, decrypted and split: a config dict in one pass.")
