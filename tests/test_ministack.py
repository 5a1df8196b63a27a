"""The MiniStack engine (labkit/engines/ministack.py) against a real, pinned MiniStack, and two labs on it.

MiniStack 1.5.33 pins an older botocore than labkit's boto3, so it lives in its own virtual environment: when
none is found, the module fixture makes it (``labkit.engines.ministack.install``, from the package registry, as
tests/localstack.py does for LocalStack) and skips with the reason when that is impossible (offline).
"""
from __future__ import annotations

import subprocess

import pytest

from engine_matrix import ROOT, run_lab

from labkit.config import Settings
from labkit.engines import ministack, select
from labkit.errors import EngineUnavailable


@pytest.fixture(scope="module")
def server():
    if ministack.find_python() is None:
        try:
            ministack.install()
        except (OSError, subprocess.CalledProcessError) as exc:
            pytest.skip(f"MiniStack {ministack.VERSION} could not be installed ({exc})")
    engine = ministack.MiniStackEngine("us-east-1").start()
    yield engine
    engine.stop()


def settings(**changes) -> Settings:
    base = dict(engine="auto", region="us-east-1", prefix="dva", endpoint_url=None, localstack_host=None,
                aws_confirm="", account_id=None)
    return Settings(**{**base, **changes})


def test_health_key_is_the_endpoint_prefix():
    assert ministack.health_key("stepfunctions") == "states"
    assert ministack.health_key("cloudwatch") == "monitoring"
    assert ministack.health_key("s3") == "s3"


def test_it_starts_on_loopback_and_answers(server):
    assert server.endpoint_url.startswith("http://127.0.0.1:")
    assert ministack.health(server.endpoint_url)["version"] == ministack.VERSION
    assert server.client("s3").list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_unavailable_names_what_its_health_route_lacks(server):
    missing = server.unavailable(["s3", "stepfunctions", "xray", "codedeploy"])
    assert set(missing) == {"xray", "codedeploy"}
    assert "lists no xray" in missing["xray"] and ministack.VERSION in missing["xray"]


def test_ministack_engine_uses_the_one_at_aws_endpoint_url(server):
    engine = select(settings(engine="ministack", endpoint_url=server.endpoint_url))
    assert (engine.name, engine.endpoint_url, engine._process) == ("ministack", server.endpoint_url, None)


def test_auto_recognises_a_configured_ministack(server):
    """MiniStack also answers LocalStack's health route: auto must still call it MiniStack."""
    assert select(settings(endpoint_url=server.endpoint_url)).name == "ministack"


def test_nothing_at_the_configured_url_is_a_clear_error():
    with pytest.raises(EngineUnavailable, match="No MiniStack answers at http://127.0.0.1:9"):
        ministack.MiniStackEngine("us-east-1", "http://127.0.0.1:9").start()


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(ministack, "find_python", lambda: None)
    with pytest.raises(EngineUnavailable) as raised:
        ministack.MiniStackEngine("us-east-1").start()
    assert "python -m labkit.engines.ministack install" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_stop_ends_the_process_it_started(server):
    engine = ministack.MiniStackEngine("us-east-1").start()
    process = engine._process
    engine.stop()
    assert process.poll() is not None and engine._process is None


@pytest.mark.parametrize("lab", ["s3-basics", "lambda"])
def test_lab_runs_on_ministack(server, lab):
    result = run_lab(ROOT / "labs" / f"{lab}.ipynb", {"LABKIT_ENGINE": "ministack",
                                                      "AWS_ENDPOINT_URL": server.endpoint_url})
    assert result["outcome"] == "runs", result


def test_lab_needing_a_missing_service_stops_in_setup_with_labkits_reason(server):
    result = run_lab(ROOT / "labs" / "xray.ipynb", {"LABKIT_ENGINE": "ministack",
                                                    "AWS_ENDPOINT_URL": server.endpoint_url})
    assert result["outcome"] == "not available", result
    assert "xray: MiniStack 1.5.33 does not emulate it" in result["reason"]


def test_a_recorded_fault_stops_only_the_labs_that_meet_it(server):
    """The API Gateway lab's services meet the AddPermission fault; the Lambda lab's alone do not."""
    missing = server.unavailable(["apigateway", "lambda", "cognito-idp", "iam", "logs"])
    assert "AddPermission" in missing["lambda"]
    assert server.unavailable(["lambda", "logs", "iam", "s3"]) == {}


def test_a_fault_needs_the_labs_exact_services(server):
    """The S3 in depth lab's fault (s3, sqs, lambda) does not stop the SQS lab, which needs more services."""
    assert "ListBucketInventoryConfigurations" in server.unavailable(["s3", "sqs", "lambda"])["s3"]
    assert "s3" not in server.unavailable(["sqs", "lambda", "logs", "iam", "s3"])
