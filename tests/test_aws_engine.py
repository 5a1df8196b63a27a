"""The ``aws`` engine leaves nothing behind: run tags, tag-based cleanup, verification, refused deletes reported.

Run against the embedded engine posing as AWS: an AwsEngine (name ``aws``, its hooks, its cleanup path) whose
endpoint is the embedded engine's. Includes the case of issue 18: a VPC, subnet, Internet gateway, Elastic IP,
NAT gateway and API Gateway key made without any name, which prefix-only cleanup left behind.
"""
from __future__ import annotations

import dataclasses

import pytest
from botocore.awsrequest import AWSResponse

import labkit
from labkit import hygiene, tagging
from labkit.config import AWS_CONFIRMATION, Settings
from labkit.engines import use
from labkit.engines.aws import AwsEngine
from labkit.engines.base import EMULATOR_CREDENTIALS


@pytest.fixture
def aws(engine):
    """An AwsEngine aimed at the embedded engine, current for the test, with a fresh run and hygiene state."""
    settings = dataclasses.replace(Settings.from_env(), engine="aws", aws_confirm=AWS_CONFIRMATION)
    posing = AwsEngine(settings, endpoint_url=engine.endpoint_url, credentials=dict(EMULATOR_CREDENTIALS))
    saved = dict(hygiene._baseline), set(hygiene._tracked)
    hygiene._baseline.clear()
    hygiene._tracked.clear()
    previous = use(posing)
    tagging.new_run()
    try:
        yield posing
    finally:
        use(previous)
        hygiene._baseline.clear()
        hygiene._baseline.update(saved[0])
        hygiene._tracked.clear()
        hygiene._tracked.update(saved[1])
        tagging.new_run()


def network(ec2, cidr: str) -> dict:
    """A VPC with a public subnet, Internet gateway, Elastic IP and NAT gateway, as the VPC labs build it."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("0.0/16", "1.0/24"))["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    return {"ec2.vpc": vpc, "ec2.subnet": subnet, "ec2.internet-gateway": igw, "ec2.elastic-ip": eip,
            "ec2.nat-gateway": nat, "ec2.route-table": table, "ec2.security-group": group}


def live_nat_gateways(ec2, nat: str) -> list[str]:
    return [n["State"] for n in ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"]
            if n["State"] not in ("deleted", "deleting")]


def test_what_a_lab_creates_carries_the_run_tag(aws):
    labkit.require("ec2", "apigateway", "s3", "sqs")
    run = tagging.run_id()
    ec2 = labkit.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16",
                         TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "mine"}]}])
    tags = {t["Key"]: t["Value"] for t in vpc["Vpc"]["Tags"]}
    assert tags == {"Name": "mine", tagging.TAG_KEY: run}  # the learner's tag kept, the run tag added
    key = labkit.client("apigateway").create_api_key(name="k", enabled=True)
    assert key["tags"] == {tagging.TAG_KEY: run}
    queue = labkit.client("sqs").create_queue(QueueName=labkit.name("q"))["QueueUrl"]
    assert labkit.client("sqs").list_queue_tags(QueueUrl=queue)["Tags"] == {tagging.TAG_KEY: run}
    s3 = labkit.client("s3")
    bucket = labkit.name("tagged")
    s3.create_bucket(Bucket=bucket)
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": tagging.TAG_KEY, "Value": run}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})  # replaces the set
    assert {t["Key"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]} == {"team", tagging.TAG_KEY}
    # CreateTags on something that is not the run's never marks it as the run's
    ec2.create_tags(Resources=[vpc["Vpc"]["VpcId"]], Tags=[{"Key": "env", "Value": "dev"}])
    assert hygiene.cleanup().failed == []
    assert hygiene.leftovers() == {}


def test_cleanup_finds_unnamed_network_pieces_and_the_api_key(aws, engine):
    labkit.require("ec2", "apigateway")
    ec2 = labkit.client("ec2")
    made = network(ec2, "10.42.0.0/16")
    made["apigateway.api-key"] = labkit.client("apigateway").create_api_key(name="lab-key", enabled=True)["id"]
    # someone else's VPC, created meanwhile in the same account without labkit: cleanup must not touch it
    bystander = engine.client("ec2").create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]

    found = hygiene.leftovers()
    for kind, identifier in made.items():
        assert identifier in found.get(kind, []), (kind, found)
    assert bystander not in found.get("ec2.vpc", [])

    report = hygiene.cleanup()
    assert report.failed == []
    assert set(made.items()) <= set(report.deleted)
    assert hygiene.leftovers() == {}
    assert live_nat_gateways(ec2, made["ec2.nat-gateway"]) == []
    assert ec2.describe_addresses(Filters=[{"Name": "allocation-id", "Values": [made["ec2.elastic-ip"]]}])[
        "Addresses"] == []
    assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[bystander])["Vpcs"]] == [bystander]
    engine.client("ec2").delete_vpc(VpcId=bystander)


def test_a_refused_delete_is_reported_and_stays_a_leftover(aws):
    labkit.require("ec2")
    ec2 = labkit.client("ec2")
    made = network(ec2, "10.44.0.0/16")

    def refuse(**_):
        return (AWSResponse("https://ec2", 403, {}, None),
                {"Error": {"Code": "UnauthorizedOperation", "Message": "You are not authorized"}})

    ec2.meta.events.register("before-call.ec2.DeleteNatGateway", refuse, unique_id="test-refuse")
    try:
        report = hygiene.cleanup()
    finally:
        ec2.meta.events.unregister("before-call.ec2.DeleteNatGateway", unique_id="test-refuse")
    failed = {(kind, identifier): why for kind, identifier, why in report.failed}
    assert failed[("ec2.nat-gateway", made["ec2.nat-gateway"])] == "UnauthorizedOperation: You are not authorized"
    # the report's text and table name it
    assert "FAILED ec2.nat-gateway" in repr(report) and "could not be deleted" in report._repr_html_()
    assert made["ec2.nat-gateway"] in hygiene.leftovers()["ec2.nat-gateway"]
    # once allowed, the same cleanup removes it all
    assert hygiene.cleanup().failed == []
    assert hygiene.leftovers() == {}
    assert live_nat_gateways(ec2, made["ec2.nat-gateway"]) == []


def test_resources_of_another_run_are_not_this_runs(aws):
    labkit.require("sqs")
    earlier = labkit.client("sqs").create_queue(QueueName=labkit.name("earlier"))["QueueUrl"]
    first = tagging.run_id()
    tagging.new_run()  # a new run (a new kernel): the earlier queue is not its business
    assert earlier not in hygiene.leftovers().get("sqs.queue", [])
    tagging.new_run(first)  # LABKIT_RUN_ID=<earlier id> cleans an earlier run up
    assert earlier in hygiene.leftovers()["sqs.queue"]
    assert hygiene.cleanup().failed == []


# --- the cost banner -----------------------------------------------------------------------------------------

def lab_requires() -> dict[str, set[str]]:
    """Each lab's services, read from its ``labkit.require(...)`` call."""
    import ast
    import json
    import pathlib

    found = {}
    for path in sorted(pathlib.Path(__file__).resolve().parent.parent.glob("labs/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for node in ast.walk(ast.parse("\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!"))))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "require":
                found[path.stem] = {a.value for a in node.args if isinstance(a, ast.Constant)}
                break
    return found


def test_every_lab_has_a_cost_entry_matching_its_require():
    from labkit import costs

    requires = lab_requires()
    assert requires, "no lab found"
    assert set(costs.table()) == set(requires), "labkit/costs.yml and labs/ name different labs"
    for lab, entry in costs.table().items():
        assert set(entry["services"]) == requires[lab], lab
        assert entry["tier"] in costs.TIERS and entry["billed"] and entry["source"], lab


def test_the_setup_banner_shows_the_endpoint_and_on_aws_the_cost(aws, engine):
    banner = labkit.require("s3")
    assert "Cost on AWS — cents" in repr(banner) and "S3 storage" in repr(banner)
    assert "Amazon S3 pricing" in banner._repr_html_()
    assert engine.endpoint_url in repr(banner)  # the posing engine's endpoint
    assert f"{tagging.TAG_KEY}={tagging.run_id()}" in repr(banner)  # the id LABKIT_RUN_ID takes to clean up later
    vpc = labkit.require("ec2")  # the vpc and elastic-ip labs: the costlier tier, both labs' billed items
    assert "needs care" in repr(vpc) and "NAT gateways per hour" in repr(vpc)


def test_the_banner_off_aws_shows_the_endpoint_and_no_cost(engine):
    banner = labkit.require("s3")
    assert f"at {engine.endpoint_url}" in repr(banner)
    assert "Cost on AWS" not in repr(banner) and "Cost on AWS" not in banner._repr_html_()
