"""Names, tracking and cleanup: everything a lab creates is deleted, dependants first; nothing else is touched."""
from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

import labkit
from _inventory_factories import FACTORIES, Make
from labkit import hygiene, inventory


def test_names_are_unique_readable_and_valid_for_s3():
    first, second = labkit.name("Orders Table!"), labkit.name("Orders Table!")
    assert first != second
    assert re.fullmatch(r"dva-orders-table-[a-z0-9]{5}", first)
    assert len(labkit.name("x" * 100)) <= 63


def test_cleanup_deletes_what_was_created_and_keeps_what_was_there(engine):
    s3, sqs, lam = labkit.client("s3"), labkit.client("sqs"), labkit.client("lambda")
    keep = labkit.name("keep")
    s3.create_bucket(Bucket=keep)
    labkit.require("s3", "sqs", "lambda", "sns", "dynamodb")
    bucket = labkit.name("gone")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"a", b"b"):
        s3.put_object(Bucket=bucket, Key="k", Body=body)
    queue = sqs.create_queue(QueueName=labkit.name("gone"))["QueueUrl"]
    topic = labkit.client("sns").create_topic(Name=labkit.name("gone"))["TopicArn"]
    labkit.client("dynamodb").create_table(
        TableName=labkit.name("gone"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    fn = labkit.name("gone")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": "def handler(e, c):\n    return 1\n"})})
    lam.invoke(FunctionName=fn)  # creates the function's log group
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=fn)

    report = labkit.cleanup()
    kinds = {kind for kind, _ in report.deleted}
    assert {"s3.bucket", "sqs.queue", "sns.topic", "dynamodb.table", "lambda.function",
            "lambda.event-source-mapping", "logs.log-group", "iam.role"} <= kinds
    assert report.failed == []
    order = [kind for kind, _ in report.deleted]
    assert order.index("lambda.event-source-mapping") < order.index("lambda.function")
    assert labkit.leftovers() == {}
    assert keep in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert topic not in json.dumps(inventory.take(engine, inventory.kinds_for(["sns"])), default=list)
    assert "nothing to clean up" == repr(labkit.cleanup())


def test_added_since_sees_resources_of_services_never_required(engine):
    before = hygiene.snapshot_all()
    queue = labkit.client("sqs").create_queue(QueueName=labkit.name("stray"))["QueueUrl"]
    assert hygiene.added_since(before) == {"sqs.queue": [queue]}
    labkit.client("sqs").delete_queue(QueueUrl=queue)
    assert hygiene.added_since(before) == {}


def refusing_kind(monkeypatch, service: str = "sqs") -> inventory.Kind:
    """A kind of ``service`` whose list call the engine refuses, registered for this test only."""
    def refuse(client):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not today"}}, "ListQueues")

    inventory.load_all()
    refusing = inventory.Kind(f"{service}.refusing", service, 50, refuse, lambda client, name: None)
    monkeypatch.setitem(inventory.KINDS, refusing.name, refusing)
    return refusing


def test_a_kind_that_cannot_list_fails_loudly_when_strict(engine, monkeypatch):
    refusing = refusing_kind(monkeypatch)
    assert "sqs.refusing" not in inventory.take(engine, [refusing])  # LocalStack, AWS: a service may be missing
    with pytest.raises(inventory.ListingFailed, match="sqs.refusing could not be listed .*AccessDenied: not today"):
        inventory.take(engine, [refusing], strict=True)


def test_the_leftover_snapshot_on_the_embedded_engine_hides_no_kind(engine, monkeypatch):
    refusing_kind(monkeypatch)
    assert engine.name == "embedded"
    labkit.client("sqs").list_queues()  # a lab used SQS: moto has loaded it
    with pytest.raises(inventory.ListingFailed, match="sqs.refusing"):
        hygiene.snapshot_all()


def test_the_leftover_snapshot_on_the_browser_engine_hides_no_kind_either(engine, monkeypatch):
    """The browser engine is the same moto in this process (labkit.engines.moto_here): every kind lists there too."""
    refusing_kind(monkeypatch)
    labkit.client("sqs").list_queues()
    monkeypatch.setattr(engine, "name", "browser")
    with pytest.raises(inventory.ListingFailed, match="sqs.refusing"):
        hygiene.snapshot_all()


def test_the_leftover_snapshot_lists_only_services_moto_has_loaded(engine, monkeypatch):
    """A service moto never loaded holds nothing (tests/labnb.py takes this snapshot before every lab: listing all
    72 kinds made each lab's kernel import all 35 moto services). Braket: a botocore service moto has no package for."""
    refusing_kind(monkeypatch, "braket")
    assert "braket.refusing" not in hygiene.snapshot_all()


def test_every_kind_has_a_factory_in_the_inventory_test():
    """A new kind gets a factory in tests/_inventory_factories.py, so the test below lists and deletes it."""
    inventory.load_all()
    missing = set(inventory.KINDS) - set(FACTORIES)
    assert not missing, f"add a factory to tests/_inventory_factories.py for: {sorted(missing)}"
    assert set(FACTORIES) <= set(inventory.KINDS), sorted(set(FACTORIES) - set(inventory.KINDS))


def delete_added(engine, before: dict[str, set[str]]) -> dict[str, set[str]]:
    """Delete what was added since ``before`` with the kinds' own deletes, dependants first; what is left."""
    kinds = inventory.kinds_for()
    for _ in range(hygiene.PASSES):
        now = inventory.take(engine, kinds, strict=True)
        left = {k.name: now.get(k.name, set()) - before.get(k.name, set()) for k in kinds}
        left = {name: ids for name, ids in left.items() if ids}
        if not left:
            return {}
        for k in kinds:
            for identifier in sorted(left.get(k.name, ())):
                try:
                    k.delete(engine.client(k.service), identifier)
                except ClientError:  # blocked by a dependant deleted later in this pass: the next pass retries
                    pass
    return left


@pytest.fixture(scope="module")
def inventory_round(engine):
    """One resource of every kind made, listed, deleted with its kind's delete and listed again, in one pass.

    Returns ``(problems, left)``: ``{kind: what went wrong}`` and what deleting everything added left behind.
    Every list call is ``strict``: a kind the embedded engine cannot list fails the round (ListingFailed).
    """
    every = inventory.kinds_for()
    before = inventory.take(engine, every, strict=True)
    made, problems = {}, {}
    try:
        for k in every:
            try:
                made[k.name] = FACTORIES[k.name](Make(engine))
            except Exception as error:  # noqa: BLE001 - reported per kind below
                problems[k.name] = f"its factory failed: {error!r}"
        listed = inventory.take(engine, every, strict=True)
        found = {}
        for name, made_id in made.items():
            matches = [i for i in listed.get(name, ()) if made_id in (i, i.split()[0])]
            if len(matches) == 1:
                found[name] = matches[0]
            else:
                problems[name] = f"lists {sorted(listed.get(name, ()))}, not the {made_id!r} just made"
        for k in every:  # dependants first, as cleanup deletes
            if k.name in found:
                try:
                    k.delete(engine.client(k.service), found[k.name])
                except Exception as error:  # noqa: BLE001
                    problems[k.name] = f"its delete failed on {found[k.name]!r}: {error!r}"
        after = inventory.take(engine, every, strict=True)
        for name, identifier in found.items():
            if identifier in after.get(name, ()) and name not in problems:
                problems[name] = f"{identifier!r} is still listed after its delete"
    finally:
        left = delete_added(engine, before)
    return problems, left


@pytest.mark.parametrize("kind_name", sorted(FACTORIES))
def test_every_kind_lists_what_was_made_and_deletes_it(inventory_round, kind_name):
    """Make one resource of the kind, see the kind list it, delete it with the kind's delete, see it gone."""
    problems, _ = inventory_round
    assert kind_name not in problems, f"{kind_name}: {problems[kind_name]}"


def test_deleting_what_the_factories_made_leaves_nothing(inventory_round):
    _, left = inventory_round
    assert not left, f"the kinds' deletes left {left}"


def test_a_vpc_endpoint_of_default_type_is_deleted(engine):
    """"CreateVpcEndpoint" (Amazon EC2 API Reference): VpcEndpointType, Default: Gateway. moto 5.2.5 stored no type
    and DeleteVpcEndpoints then failed with a 500; labkit/emulator/ec2.py defaults it, so the inventory deletes it."""
    make = Make(engine)
    before = inventory.take(engine, inventory.kinds_for(), strict=True)
    try:
        endpoint = make.c("ec2").create_vpc_endpoint(VpcId=make.vpc(), ServiceName=f"com.amazonaws.{make.region}.s3")
        assert endpoint["VpcEndpoint"].get("VpcEndpointType") == "Gateway"
        inventory.KINDS["ec2.vpc-endpoint"].delete(make.c("ec2"), endpoint["VpcEndpoint"]["VpcEndpointId"])
    finally:
        delete_added(engine, before)
