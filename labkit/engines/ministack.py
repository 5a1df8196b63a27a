"""The MiniStack engine: a pinned MiniStack (MIT, pure Python, no Docker) on loopback, or one at AWS_ENDPOINT_URL.

MiniStack ``1.5.33`` pins ``botocore==1.43.106``, older than the botocore labkit's boto3 needs, so it cannot share
labkit's environment: labkit runs it from its own virtual environment (``python -m labkit.engines.ministack
install`` makes one, with boto3 beside it because AWS's Python runtime gives every handler the SDK), from
``LABKIT_MINISTACK_PYTHON``, or from this interpreter when it happens to import ``ministack``.

Which services it offers comes from its own health route, ``/_ministack/health`` (MiniStack's README: "Health
endpoints"), whose ``services`` object is keyed by each service's endpoint prefix (``states``, ``monitoring``…).
"""
from __future__ import annotations

import atexit
import functools
import importlib.util
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from ..errors import EngineUnavailable
from .base import Engine, Lack, get_json, lacking

VERSION = "1.5.33"
# boto3 1.43.106 is the one that installs beside ministack 1.5.33's botocore==1.43.106 (pip resolves it);
# aws-sam-translator is MiniStack's optional dependency for templates with the AWS::Serverless transform.
PACKAGES = (f"ministack=={VERSION}", "boto3==1.43.106", "aws-sam-translator==1.115.0")
HEALTH_PATH = "/_ministack/health"
HOME = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "labkit" / \
    f"ministack-{VERSION}"
INSTALL_HINT = ("MiniStack is not installed: run `python -m labkit.engines.ministack install` (it makes its own "
                f"environment in {HOME}), or set LABKIT_MINISTACK_PYTHON to a Python that has ministack=={VERSION}.")
START_TIMEOUT = 30.0


# What MiniStack lacks, by capability (``Lack``: labkit/engines/base.py); a probe of each in tests/test_ministack.py
LACKS = {
    "lambda:AddPermission per alias": Lack(
        "1.5.33", "MiniStack 1.5.33 keeps one policy per function, so AddPermission refuses a statement id already "
        "used on another alias, where AWS adds the statement to that version's or alias's own policy "
        "(AddPermission, AWS Lambda API Reference)"),
    "batch:DescribeComputeEnvironments by ARN": Lack(
        "1.5.33", "MiniStack 1.5.33's DescribeComputeEnvironments returns nothing for a compute environment named "
        "by its ARN, which AWS accepts as well as its name (DescribeComputeEnvironments, AWS Batch API Reference)"),
    "cognito-idp:token signature check with jwks.json": Lack(
        "1.5.33", "MiniStack 1.5.33 publishes a user pool's jwks.json with a key modulus that is not valid "
        "base64url, so an ID token's signature cannot be checked as AWS documents (Verifying JSON web tokens, "
        "Amazon Cognito)"),
    "ssm:ECS-optimized AMI public parameter": Lack(
        "1.5.33", "MiniStack 1.5.33 has no public Systems Manager parameters, so the ECS-optimized AMI id cannot be "
        "read from /aws/service/ecs/optimized-ami/… (Retrieving Amazon ECS-optimized Linux AMI metadata)"),
    "ssm:DescribeParameters policies": Lack(
        "1.5.33", "MiniStack 1.5.33's DescribeParameters returns a parameter's policies as plain strings, not the "
        "ParameterInlinePolicy objects AWS returns, so boto3 cannot read its answer (ParameterInlinePolicy, AWS "
        "Systems Manager API Reference)"),
    "rds:DescribeDBLogFiles": Lack(
        "1.5.33", "MiniStack 1.5.33 does not implement DescribeDBLogFiles (it answers InvalidAction), which lists a "
        "DB instance's log files on AWS (DescribeDBLogFiles, Amazon RDS API Reference)"),
    "route53:GetHealthCheckStatus": Lack(
        "1.5.33", "MiniStack 1.5.33 does not implement GetHealthCheckStatus (it answers InvalidInput, unknown "
        "endpoint), which reports what Route 53's health checkers see (GetHealthCheckStatus, Amazon Route 53 API "
        "Reference)"),
    "s3:ListBucketInventoryConfigurations": Lack(
        "1.5.33", "MiniStack 1.5.33's ListBucketInventoryConfigurations leaves out InventoryConfigurationList after "
        "PutBucketInventoryConfiguration stored one (ListBucketInventoryConfigurations, Amazon S3 API Reference)"),
    "secretsmanager:rotation by Lambda function": Lack(
        "1.5.33", "MiniStack 1.5.33's RotateSecret makes a new AWSCURRENT version without running the rotation "
        "function (its log group never appears and the old password still works), where AWS calls it for "
        "createSecret, setSecret, testSecret and finishSecret (Rotation by Lambda function, AWS Secrets Manager)"),
    "sqs:StartMessageMoveTask": Lack(
        "1.5.33", "MiniStack 1.5.33 does not implement StartMessageMoveTask (it answers InvalidAction), which moves "
        "messages from a dead-letter queue back to their source on AWS (StartMessageMoveTask, Amazon SQS API "
        "Reference)"),
    "ec2:default network ACL association": Lack(
        "1.5.33", "MiniStack 1.5.33 leaves a new subnet associated with no network ACL (and ignores the "
        "association.subnet-id filter), where AWS associates a new subnet with the VPC's default network ACL "
        "(ReplaceNetworkAclAssociation, Amazon EC2 API Reference)"),
    "lambda:OnSuccess destination": Lack(
        "1.5.33", "MiniStack 1.5.33 sends nothing to an asynchronous invocation's OnSuccess destination (a queue), "
        "where AWS sends it a record of each successful invocation (PutFunctionEventInvokeConfig, AWS Lambda API "
        "Reference)"),
    "lambda:asynchronous retry attempts": Lack(
        "1.5.33", "MiniStack 1.5.33 invokes a failing function 3 times with MaximumRetryAttempts 1, where AWS "
        "makes 1 + MaximumRetryAttempts attempts (PutFunctionEventInvokeConfig, AWS Lambda API Reference)"),
    "lambda:dead-letter queue": Lack(
        "1.5.33", "MiniStack 1.5.33 sends nothing to a function's dead-letter queue after an asynchronous invocation "
        "fails every attempt, where AWS retains the discarded event there, in addition to an OnFailure destination "
        "(PutFunctionEventInvokeConfig, AWS Lambda API Reference)"),
    "logs:Logs Insights stats": Lack(
        "1.5.33", "MiniStack 1.5.33 answers a Logs Insights query with stats (avg, count… by a field) with the "
        "matching log events themselves, unaggregated, where AWS returns one row per group with each statistic "
        "(stats, Amazon CloudWatch Logs User Guide)"),
    "logs:embedded metric format extraction": Lack(
        "1.5.33", "MiniStack 1.5.33 records no metric from a log event in the embedded metric format, where "
        "CloudWatch Logs extracts the metric values its _aws member declares (Specification: Embedded metric "
        "format, Amazon CloudWatch User Guide)"),
    "ecr:GetRegistryScanningConfiguration": Lack(
        "1.5.33", "MiniStack 1.5.33 does not implement GetRegistryScanningConfiguration (it answers InvalidAction), "
        "which returns a registry's scanning configuration on AWS (GetRegistryScanningConfiguration, Amazon ECR API "
        "Reference)"),
}


def health(url: str, timeout: float = 2.0) -> dict | None:
    """MiniStack's health document at ``url`` (None when nothing, or something other than MiniStack, answers)."""
    document = get_json(url.rstrip("/") + HEALTH_PATH, timeout)
    return document if document and isinstance(document.get("services"), dict) else None


def find_python() -> str | None:
    """A Python that imports ministack: LABKIT_MINISTACK_PYTHON, labkit's own MiniStack venv, or this one."""
    configured = os.environ.get("LABKIT_MINISTACK_PYTHON", "").strip()
    if configured:
        return configured
    own = HOME / "bin" / "python"
    if own.exists() and (HOME / "installed.json").exists() and \
            json.loads((HOME / "installed.json").read_text()) == list(PACKAGES):
        return str(own)
    if importlib.util.find_spec("ministack") is not None:
        return sys.executable
    return None


def install(home: pathlib.Path = HOME, packages: tuple[str, ...] = PACKAGES, python: str | None = None) -> str:
    """Create a virtual environment at ``home`` with ``packages`` (from the package registry); its Python.

    Raises subprocess.CalledProcessError when venv or pip fails (pip's own message is shown above it).
    """
    subprocess.run([python or sys.executable, "-m", "venv", "--clear", str(home)], check=True)
    subprocess.run([str(home / "bin" / "pip"), "install", "-q", *packages], check=True)
    (home / "installed.json").write_text(json.dumps(list(packages)))
    return str(home / "bin" / "python")


def _stop_with_parent() -> None:
    """In the child, before MiniStack starts: on Linux, ask for SIGTERM when the kernel that started it dies, so
    a killed kernel leaves no server behind (elsewhere the atexit hook alone stops it)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@functools.lru_cache(maxsize=None)
def health_keys(service: str) -> tuple[str, ...]:
    """The keys boto3's ``service`` may have in MiniStack's health document: its boto3 name
    (``dynamodbstreams``) or its endpoint prefix (``stepfunctions`` → ``states``, ``cloudwatch`` → ``monitoring``,
    ``efs`` → ``elasticfilesystem``)."""
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # an unknown name: require() already refused it; keep the name
        return (service,)
    return tuple(dict.fromkeys(k for k in (service, model.endpoint_prefix) if k))


def health_key(service: str) -> str:
    """The endpoint prefix of boto3's ``service``: how MiniStack's health document names most services."""
    keys = health_keys(service)
    return keys[1] if len(keys) > 1 else keys[0]


class MiniStackEngine(Engine):
    """A MiniStack server: started by labkit (a subprocess, stopped at exit) or someone else's at ``url``."""

    def __init__(self, region: str, url: str | None = None, account_id: str | None = None):
        super().__init__(name="ministack", region=region, endpoint_url=url, account_id=account_id or "000000000000")
        if account_id:  # MiniStack, like LocalStack, takes a 12-digit access key as the account id
            self.credentials = {"aws_access_key_id": account_id, "aws_secret_access_key": "testing"}
        self._process: subprocess.Popen | None = None
        self._data: str | None = None
        self._health: dict | None = None
        self._answering: set[str] = set()
        self.started_in: float | None = None

    def start(self) -> "MiniStackEngine":
        """Reach the MiniStack at ``endpoint_url``, or start one on a free loopback port and wait for its health.

        Raises EngineUnavailable (one sentence saying what to do) when none answers, none is installed, or it
        does not start within START_TIMEOUT seconds.
        """
        if self.endpoint_url:
            if health(self.endpoint_url) is None:
                raise EngineUnavailable(
                    f"No MiniStack answers at {self.endpoint_url}{HEALTH_PATH}. Start it, fix AWS_ENDPOINT_URL, or "
                    "unset AWS_ENDPOINT_URL to let labkit start its own MiniStack.")
            return self
        python = find_python()
        if python is None:
            raise EngineUnavailable(INSTALL_HINT)
        began = time.perf_counter()
        port = free_port()
        self._data = tempfile.mkdtemp(prefix="labkit-ministack-")
        env = {**os.environ, "GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1", "MINISTACK_HOST": "127.0.0.1",
               "MINISTACK_REGION": self.region, "S3_DATA_DIR": os.path.join(self._data, "s3"),
               "TMPDIR": self._data, "LOG_LEVEL": "WARNING"}
        for key in ("AWS_ENDPOINT_URL", "LABKIT_ENGINE", "PYTHONPATH"):  # labkit's settings are not MiniStack's
            env.pop(key, None)
        try:
            self._process = subprocess.Popen([python, "-m", "ministack"], env=env, cwd=self._data,
                                             stdin=subprocess.DEVNULL,
                                             stdout=open(os.path.join(self._data, "log"), "w"),
                                             stderr=subprocess.STDOUT, preexec_fn=_stop_with_parent)
        except OSError as error:  # LABKIT_MINISTACK_PYTHON names no program that runs
            self.stop()
            raise EngineUnavailable(f"MiniStack could not start: {python} does not run ({error.strerror}). "
                                    + INSTALL_HINT.replace("MiniStack is not installed: run", "Run")) from None
        url = f"http://127.0.0.1:{port}"
        atexit.register(self.stop)
        while time.perf_counter() - began < START_TIMEOUT:
            if health(url, timeout=0.5) is not None:
                self.endpoint_url, self.started_in = url, time.perf_counter() - began
                return self
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        log = pathlib.Path(self._data, "log").read_text(errors="replace").strip().splitlines()
        self.stop()
        last = log[-1] if log else "no output"
        if "No module named ministack" in "\n".join(log):
            raise EngineUnavailable(INSTALL_HINT if python != os.environ.get("LABKIT_MINISTACK_PYTHON", "").strip()
                                    else f"LABKIT_MINISTACK_PYTHON={python} has no ministack=={VERSION}: unset it "
                                    "and run `python -m labkit.engines.ministack install`, or install "
                                    f"ministack=={VERSION} there.")
        raise EngineUnavailable(f"MiniStack ({python}) did not start within {START_TIMEOUT:.0f} s: {last}")

    def health(self) -> dict:
        if self._health is None:
            self._health = health(self.endpoint_url or "")
        if self._health is None:
            raise EngineUnavailable(f"MiniStack stopped answering at {self.endpoint_url}{HEALTH_PATH}. " + (
                "Restart the kernel (labkit starts a new MiniStack) and run the lab again."
                if self.started_in is not None else "Start it again, or unset AWS_ENDPOINT_URL to let labkit start its own MiniStack."))
        return self._health

    def unavailable(self, services: list[str]) -> dict[str, str]:
        """Services this MiniStack lacks (absent from its health route) or that do not answer their probe."""
        from ..probes import probe

        document = self.health()
        offered = document.get("services", {})
        version = document.get("version", "?")
        reasons = {}
        for service in services:
            status = next((offered[key] for key in health_keys(service) if key in offered), None)
            if status is None:
                reasons[service] = f"MiniStack {version} does not emulate it (its {HEALTH_PATH} lists no " \
                                   f"{health_key(service)})"
            elif status not in ("available", "running"):
                reasons[service] = f"{status} on this MiniStack"
            elif service not in self._answering:
                problem = probe(self, service)
                if problem:
                    reasons[service] = f"does not answer on this MiniStack ({problem})"
                else:
                    self._answering.add(service)
        return reasons

    def lacks(self, needs: list[str]) -> dict[str, str]:
        """The capabilities in ``needs`` this MiniStack's version lacks (``LACKS``), each with its reason.

        Only the version each lack was probed on: another version is not assumed to share it (the drift canary,
        tests/drift_canary.py, runs the labs on the newest one)."""
        return lacking(LACKS, self.health().get("version", "?"), needs)

    def describe(self) -> dict:
        document = health(self.endpoint_url or "") or {}
        started = {"start_seconds": round(self.started_in, 3)} if self.started_in is not None else {}
        return {**super().describe(), "ministack_version": document.get("version", "?"), **started}

    def stop(self) -> None:
        """Stop the MiniStack labkit started (nothing, for one someone else runs) and delete its data."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._data:
            shutil.rmtree(self._data, ignore_errors=True)
            self._data = None


def main(argv: list[str] | None = None) -> int:
    """``python -m labkit.engines.ministack install``: MiniStack's own environment, from the package registry."""
    argv = sys.argv[1:] if argv is None else argv
    if argv != ["install"]:
        print("usage: python -m labkit.engines.ministack install")
        return 2
    try:
        python = install()
    except subprocess.CalledProcessError as error:  # pip's own message is above; no traceback on top of it
        print(f"labkit: pip could not install {' '.join(PACKAGES)} (exit status {error.returncode}; its message "
              "is above): check that the package registry (PyPI) is reachable, then run `python -m "
              "labkit.engines.ministack install` again.", file=sys.stderr)
        return 1
    print(f"MiniStack {VERSION} installed in {HOME}; labkit finds it there (LABKIT_ENGINE=ministack).")
    print(python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
