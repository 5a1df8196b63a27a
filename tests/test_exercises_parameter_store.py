"""labs/parameter-store: the environment-config check passes a complete dict and names each mistake."""
from __future__ import annotations

import pytest

from labkit import name
from labkit.checks import evaluate
from labkit.exercises import parameter_store as checks


@pytest.fixture()
def root(engine):
    ssm = engine.client("ssm")
    root = "/" + name("app")
    values = {"prod/db/url": ("String", "postgres://prod"), "prod/db/password": ("SecureString", "pw"),
              "prod/regions": ("StringList", "eu-west-1,us-east-1"), "dev/db/url": ("String", "postgres://dev")}
    values.update({f"prod/flags/f{i:02d}": ("String", "on") for i in range(10)})
    for key, (kind, value) in values.items():
        ssm.put_parameter(Name=f"{root}/{key}", Value=value, Type=kind)
    yield root
    for key in values:
        ssm.delete_parameter(Name=f"{root}/{key}")


def right(root):
    config = {"db/url": "postgres://prod", "db/password": "pw", "regions": ["eu-west-1", "us-east-1"]}
    config.update({f"flags/f{i:02d}": "on" for i in range(10)})
    return config


def test_right_config_passes(root):
    verdict = checks.environment_config(right(root), root, "prod")
    assert verdict.passed, verdict.message


def test_encrypted_value_fails(engine, root):
    config = right(root)
    config["db/password"] = engine.client("ssm").get_parameter(Name=f"{root}/prod/db/password")["Parameter"]["Value"]
    verdict = checks.environment_config(config, root, "prod")
    assert not verdict.passed and "WithDecryption=True" in verdict.message


def test_unsplit_list_fails(root):
    config = right(root)
    config["regions"] = "eu-west-1,us-east-1"
    verdict = checks.environment_config(config, root, "prod")
    assert not verdict.passed and "split its value on commas" in verdict.message


def test_first_page_only_fails(root):
    config = right(root)
    for key in ("flags/f08", "flags/f09", "regions"):
        del config[key]
    verdict = checks.environment_config(config, root, "prod")
    assert not verdict.passed and "paginator" in verdict.message


def test_not_recursive_fails(root):
    verdict = checks.environment_config({"regions": ["eu-west-1", "us-east-1"]}, root, "prod")
    assert not verdict.passed and "Recursive=True" in verdict.message


def test_other_environment_fails(root):
    config = right(root)
    config["db/url"] = "postgres://dev"
    verdict = checks.environment_config(config, root, "prod")
    assert not verdict.passed and "'db/url' is 'postgres://dev'" in verdict.message


def test_absolute_keys_fail(root):
    config = {f"{root}/prod/{k}": v for k, v in right(root).items()}
    verdict = checks.environment_config(config, root, "prod")
    assert not verdict.passed and "relative to" in verdict.message


def test_empty_fails(root):
    verdict = evaluate(checks.environment_config, {}, root)
    assert verdict.kind == "failed" and "my_config is still {}" in verdict.message
