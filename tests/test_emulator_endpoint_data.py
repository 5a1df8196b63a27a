"""labkit/emulator/endpoint_data.py: botocore's endpoints.json with each service decoded when first read."""
import copy
import json
import os
import pathlib
import pickle
import tracemalloc

import botocore
import pytest
from botocore.regions import EndpointResolver

from labkit.emulator import endpoint_data, speedups
from labkit.emulator.endpoint_data import ServicesOnDemand

TEXT = (pathlib.Path(botocore.__file__).parent / "data" / "endpoints.json").read_text(encoding="utf-8")
SAMPLE = '{"partitions": [{"partition": "p", "services": {"a": {"endpoints": {"r": {}}}, "b": {"x": [1, 2.5]}, ' \
         '"c": {}}}, {"partition": "q"}], "version": 3}'


def decoded_names(services: ServicesOnDemand) -> list[str]:
    """The services whose value is decoded (the others still hold their JSON text)."""
    return [name for name in services if type(dict.__getitem__(services, name)) is not str]


def test_the_document_is_json_s_own():
    """decode gives json.loads's document, key for key in the same order (json.dumps compares both)."""
    assert json.dumps(endpoint_data.decode(TEXT)) == json.dumps(json.loads(TEXT))
    assert endpoint_data.decode(SAMPLE) == json.loads(SAMPLE)


def test_botocore_resolves_the_same_endpoints():
    ours, botocore_s = EndpointResolver(endpoint_data.decode(TEXT)), EndpointResolver(json.loads(TEXT))
    for service in ("s3", "sqs", "lambda", "iam", "dynamodb", "ec2", "no-such-service"):
        for partition in ("aws", "aws-cn", "aws-us-gov"):
            assert ours.get_available_endpoints(service, partition) == \
                botocore_s.get_available_endpoints(service, partition)
        for region in ("us-east-1", "eu-west-3", "cn-north-1", "us-gov-west-1", "aws-global"):
            for fips in (False, True):
                answers = []
                for resolver in (ours, botocore_s):
                    try:
                        answers.append(resolver.construct_endpoint(service, region, use_fips_endpoint=fips))
                    except Exception as error:  # botocore's own errors compared as well
                        answers.append(repr(error))
                assert answers[0] == answers[1], (service, region, fips)


def test_services_stay_text_until_read():
    document = endpoint_data.decode(TEXT)
    services = document["partitions"][0]["services"]
    assert type(services) is ServicesOnDemand and len(services) > 200 and "s3" in services
    assert decoded_names(services) == []
    EndpointResolver(document).construct_endpoint("sqs", "eu-west-1")
    assert decoded_names(services) == ["sqs"]
    assert services["sqs"]["endpoints"]["eu-west-1"]["hostname"] == "sqs.eu-west-1.amazonaws.com"


# Run in a fresh process, as a lab kernel starts: in this test process other tests have looked up other services.
FRESH_KERNEL = """
import json, labkit
from labkit.emulator import speedups
labkit.engine().client("sqs").list_queues()
services = speedups.shared_loader().load_data("endpoints")["partitions"][0]["services"]
print(json.dumps([type(services).__name__, [n for n in services if type(dict.__getitem__(services, n)) is not str]]))
"""


def test_a_lab_kernel_keeps_a_fraction_of_it():
    """The engine's clients and moto's backends read endpoints.json through the shared loader: in a fresh process
    the services they looked up are decoded, the others are not; all of it takes under half of json.loads's
    memory."""
    import subprocess
    import sys

    answer = subprocess.run([sys.executable, "-c", FRESH_KERNEL], capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in os.environ.items() if not k.startswith(("LABKIT_", "AWS_"))})
    assert answer.returncode == 0, answer.stderr[-2000:]
    kind, decoded = json.loads(answer.stdout.splitlines()[-1])
    assert kind == ServicesOnDemand.__name__
    assert "sqs" in decoded and len(decoded) < 20, decoded
    sizes = []
    for decode in (endpoint_data.decode, json.loads):
        tracemalloc.start()
        kept = decode(TEXT)
        sizes.append(tracemalloc.get_traced_memory()[0])
        tracemalloc.stop()
        del kept
    assert sizes[0] < sizes[1] / 2, sizes


def test_every_other_use_reads_decoded_values():
    reference = json.loads(SAMPLE)["partitions"][0]["services"]
    uses = [dict, lambda s: {**s}, lambda s: dict(s.items()), lambda s: s.copy(), copy.deepcopy,
            lambda s: pickle.loads(pickle.dumps(s)), lambda s: json.loads(json.dumps(s)), lambda s: s | {},
            lambda s: {} | s, lambda s: dict(zip(s, s.values())), lambda s: json.loads(repr(s).replace("'", '"'))]
    for use in uses:
        services = endpoint_data.decode(SAMPLE)["partitions"][0]["services"]
        assert use(services) == reference
    services = endpoint_data.decode(SAMPLE)["partitions"][0]["services"]
    assert services == reference and not services != reference and list(services) == ["a", "b", "c"]
    assert services.get("b") == {"x": [1, 2.5]} and services.get("z", 0) == 0 and "z" not in services
    assert services.setdefault("c", 1) == {} and services.setdefault("d", 1) == 1
    assert services.pop("a") == {"endpoints": {"r": {}}} and services.pop("a", None) is None
    assert services.popitem() == ("d", 1) and services.popitem() == ("c", {}) and len(services) == 1
    services.clear()
    with pytest.raises(KeyError):
        services.popitem()


@pytest.mark.parametrize("text", ['{"partitions": [{"services": {"a": {]}}]}', '{"partitions": [}',
                                  '{"partitions": []} x', '{"partitions" [] }', '{1: 2}', ''])
def test_bad_json_fails_as_json_fails(text):
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        endpoint_data.decode(text)
