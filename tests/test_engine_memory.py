"""The embedded engine loads only what a lab's services need (issue 17, item 2: memory).

Each probe runs in a fresh process (what a notebook kernel is), makes a call of one service, and reports which of
moto's service packages are loaded: labkit's own patches must not pull in services the lab never calls (Lambda's
models for SQS alone, CloudFormation's parser, which imports most of moto, for Lambda alone).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = r'''
import json, sys
import labkit
service, operation = sys.argv[1], sys.argv[2]
getattr(labkit.client(service), operation)()
loaded = sorted({m.split(".")[1] for m in sys.modules if m.startswith("moto.") and m.count(".") >= 1})
extra = {}
if "moto.kinesis.models" in sys.modules:
    from moto.kinesis.models import Shard
    extra["kinesis_serialised"] = getattr(Shard.put_record, "labkit_serialised", False)
if "moto.dynamodb.models.table" in sys.modules:
    from moto.dynamodb.models.table import StreamShard
    extra["dynamodb_serialised"] = getattr(StreamShard.add, "labkit_serialised", False)
if "moto.awslambda.models" in sys.modules:
    from moto.awslambda.models import LambdaBackend
    extra["esm_wrapped"] = LambdaBackend.create_event_source_mapping.__module__.startswith("moto") and \
        LambdaBackend.create_event_source_mapping.__code__.co_filename.endswith("event_sources/__init__.py")
if len(sys.argv) > 3:  # then load CloudFormation: Lambda's resource type must be added to its parser
    from moto.cloudformation import parsing
    extra["event_invoke_config_type"] = parsing.resource_class_from_type("AWS::Lambda::EventInvokeConfig").__name__
print(json.dumps({"loaded": loaded, **extra}))
'''


def probe(service: str, operation: str, *more: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, service, operation, *more], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "LABKIT_ENGINE": "embedded"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("service, operation", [("sqs", "list_queues"), ("dynamodb", "list_tables"),
                                                ("kinesis", "list_streams"), ("sns", "list_topics")])
def test_an_event_source_alone_does_not_load_lambda(service, operation):
    """Event source mappings need Lambda: labkit's pollers install when moto loads Lambda's models, not SQS's."""
    result = probe(service, operation)
    assert "awslambda" not in result["loaded"]
    assert "cloudformation" not in result["loaded"]
    if service == "kinesis":
        assert result["kinesis_serialised"] is True  # records numbered under a lock, without Lambda
    if service == "dynamodb":
        assert result["dynamodb_serialised"] is True


def test_lambda_alone_does_not_load_cloudformation_and_gets_its_patches():
    result = probe("lambda", "list_functions")
    assert "cloudformation" not in result["loaded"] and "ec2" not in result["loaded"]
    assert result["esm_wrapped"] is True


def test_cloudformation_loaded_after_lambda_knows_event_invoke_config():
    result = probe("lambda", "list_functions", "then-cloudformation")
    assert result["event_invoke_config_type"] == "EventInvokeConfigResource"
