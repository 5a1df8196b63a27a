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


def test_botocore_sessions_share_one_loader_unless_given_another_data_path(engine, tmp_path):
    """labkit/emulator/speedups.py: every session on botocore's default data path reads through one loader (moto
    makes several sessions, each of which parsed endpoints.json and whole service models again)."""
    import boto3
    import botocore.session

    from labkit.emulator import speedups

    first, second = botocore.session.Session(), boto3.Session()._session
    assert first.get_component("data_loader") is speedups.shared_loader()
    assert second.get_component("data_loader") is speedups.shared_loader()
    assert first.get_available_regions("sqs") == second.get_available_regions("sqs") != []
    own = botocore.session.Session()
    own.set_config_variable("data_path", str(tmp_path))  # AWS_DATA_PATH: that session keeps its own loader
    assert own.get_component("data_loader") is not speedups.shared_loader()
    assert str(tmp_path) in own.get_component("data_loader").search_paths


def test_moto_still_makes_its_own_sessions():
    """moto asks a new boto3 Session for EC2's regions while its module imports; when this fails, moto stopped
    (then speedups-one-data-loader saves less and may go)."""
    import inspect

    from moto.core.base_backend import AccountSpecificBackend
    from moto.ec2.models import availability_zones_and_regions

    assert "Session()" in inspect.getsource(availability_zones_and_regions.RegionsAndZonesBackend)
    assert hasattr(AccountSpecificBackend.get_session, "cache_info")  # one Session per process, of its own


EC2_PROBE = r'''
import json, sys
import labkit
labkit.client("ssm").describe_parameters()  # moto's SSM imports EC2
from moto.ec2.models import instance_types
from moto.utilities.utils import load_resource
offerings = instance_types.INSTANCE_TYPE_OFFERINGS
before = {kind: type(regions).__name__ + ":" + str(dict.__len__(regions)) for kind, regions in offerings.items()}
ec2 = labkit.client("ec2")
answer = ec2.describe_instance_type_offerings(LocationType="availability-zone",
                                              Filters=[{"Name": "instance-type", "Values": ["t3.micro"]}])
expected = [o for o in load_resource("ec2/resources/instance_type_offerings/availability-zone/us-east-1.json")
            if o["InstanceType"] == "t3.micro"]
for o in expected:
    o["LocationType"] = "availability-zone"
print(json.dumps({"before": before, "answer": sorted(answer["InstanceTypeOfferings"], key=str),
                  "expected": sorted(expected, key=str), "regions": len(offerings["region"]),
                  "has_region": "eu-west-1" in offerings["region"], "unknown": offerings["region"].get("xx-none-1"),
                  "read_after": dict.__len__(offerings["availability-zone"])}))
'''


def test_ec2_offerings_are_read_when_asked_for_and_answer_as_moto():
    """labkit/emulator/ec2_offerings.py: loading EC2 (here through SSM) reads no offerings file; the first
    DescribeInstanceTypeOfferings reads its region's, and answers what moto's data file holds."""
    done = subprocess.run([sys.executable, "-c", EC2_PROBE], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LABKIT_ENGINE": "embedded"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["before"] == {"availability-zone": "OnDemandOfferings:0", "availability-zone-id":
                                "OnDemandOfferings:0", "region": "OnDemandOfferings:0"}
    assert result["answer"] == result["expected"] and len(result["answer"]) >= 3
    assert result["regions"] > 20 and result["has_region"] and result["unknown"] is None
    assert result["read_after"] == 1
