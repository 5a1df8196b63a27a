"""``python -m labkit doctor``: which engine, where, which versions, which services answer."""
from __future__ import annotations

import importlib.metadata
import time

from .engines import current
from .errors import LabkitError
from .probes import PROBES, probe

PACKAGES = ("dva-labkit", "boto3", "moto", "localstack-client", "ipywidgets")


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def probe_line(engine, service: str) -> str:
    began = time.perf_counter()
    problem = probe(engine, service)
    return problem or f"ok ({(time.perf_counter() - began) * 1000:.0f} ms)"


def ministack_line() -> str:
    """Where labkit finds MiniStack (LABKIT_ENGINE=ministack), or the one-line way to install it."""
    from .engines import ministack

    python = ministack.find_python()
    return f"{ministack.VERSION} via {python}" if python else "not installed — " + ministack.INSTALL_HINT


def report() -> list[str]:
    """The doctor's findings as lines of text (raises LabkitError when no engine is usable)."""
    engine = current()
    lines = [f"{key}: {value}" for key, value in engine.describe().items()]
    lines += [f"{package}: {version(package)}" for package in PACKAGES]
    lines.append(f"ministack: {ministack_line()}")
    from . import cdk

    lines.append(f"cdk: {cdk.doctor_line()}")  # the CDK lab: aws-cdk-lib and the Node.js jsii runs
    # one service at a time: a fault some labs meet only with a combination of services is require()'s to report
    missing = {service: reason for service in PROBES for reason in [engine.unavailable([service]).get(service)]
               if reason}
    for service in PROBES:
        lines.append(f"  {service:17} {missing.get(service) or probe_line(engine, service)}")
    if engine.name == "embedded":  # which Python runs each Lambda runtime (never silently another one)
        from .emulator.lambda_sandbox import doctor_lines

        lines += doctor_lines()
    return lines


def main() -> int:
    try:
        print("\n".join(report()))
    except LabkitError as exc:
        print(f"labkit: {exc}")
        return 1
    return 0
