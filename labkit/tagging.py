"""Run tags on real AWS: every resource a lab creates carries ``labkit-run=<run id>``, so cleanup can find it all.

``attach(session)`` registers a botocore ``before-parameter-build`` hook on a boto3 session: a create call whose
input takes tags (a ``Tags``/``tags`` map or Key/Value list, KMS's TagKey/TagValue list, EC2's
``TagSpecifications``) gets the run tag added beside the learner's own tags; S3 buckets, whose CreateBucket takes
none, are tagged right after they are created (PutBucketTagging, which keeps the run tag when the learner later
replaces the bucket's tags).

``run_resources(engine, kinds)`` finds what belongs to the run, per inventory kind:
- through the Resource Groups Tagging API (GetResources with a tag filter), for kinds whose ARN labkit can build;
- through the service's own tag listing for what GetResources does not return: IAM roles, users and policies
  (AWS documents that GetResources does not support IAM users and roles — "Services that support the Resource
  Groups Tagging API"), Elastic IPs (DescribeAddresses' ``tag:`` filter) and API Gateway keys, APIs and usage plans
  (their listings carry ``tags``);
- for resources AWS creates for the lab or that cannot carry tags: a function's log group ``/aws/lambda/<name>``
  and its event source mappings follow the function; anything else counts only when it is new since the lab's
  ``require`` and its name carries LABKIT_PREFIX (``fallback``).
Only identifiers the kind still lists count, so a deleted resource the tagging API still remembers is not a leftover.
"""
from __future__ import annotations

import os
import secrets
import time
from typing import Callable, Iterable

from botocore.exceptions import ClientError

TAG_KEY = "labkit-run"
CREATE_VERBS = ("Create", "Run", "Allocate", "Register", "Put", "Import", "Publish", "Request")
NEVER = {"CreateTags", "CreateOrUpdateTags", "AddTagsToResource"}  # they tag existing resources: never add ours
_run_id: str | None = None

# EC2 TagSpecifications need the resource type the call creates (EC2 API reference, "TagSpecification").
EC2_RESOURCE_TYPES = {
    "CreateVpc": "vpc", "CreateSubnet": "subnet", "CreateNatGateway": "natgateway",
    "AllocateAddress": "elastic-ip", "CreateInternetGateway": "internet-gateway",
    "CreateEgressOnlyInternetGateway": "egress-only-internet-gateway", "CreateRouteTable": "route-table",
    "CreateSecurityGroup": "security-group", "CreateNetworkAcl": "network-acl", "RunInstances": "instance",
    "CreateVpcEndpoint": "vpc-endpoint", "CreateVpcPeeringConnection": "vpc-peering-connection",
    "CreateKeyPair": "key-pair", "CreateLaunchTemplate": "launch-template", "CreateVolume": "volume",
}


def run_id() -> str:
    """This process's run id: LABKIT_RUN_ID if set (to clean up an earlier run), else ``<prefix>-<time>-<random>``."""
    global _run_id
    if _run_id is None:
        from .config import Settings

        _run_id = os.environ.get("LABKIT_RUN_ID") or \
            f"{Settings.from_env().prefix}-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    return _run_id


def new_run(value: str | None = None) -> str:
    """Start a new run (tests; a learner cleaning up a named earlier run passes its id); returns its id."""
    global _run_id
    _run_id = value
    return run_id()


# --- the hook ------------------------------------------------------------------------------------------------

def _tag_member(shape) -> str | None:
    """How a tags member is written: 'map', 'list' (Key/Value), 'kms' (TagKey/TagValue), 'lower' (key/value)."""
    if shape.type_name == "map":
        return "map"
    if shape.type_name == "list" and shape.member.type_name == "structure":
        members = set(shape.member.members)
        for style, pair in (("list", {"Key", "Value"}), ("kms", {"TagKey", "TagValue"}),
                            ("lower", {"key", "value"})):
            if pair <= members:
                return style
    return None


def add_run_tag(params: dict, model, **_) -> None:
    """before-parameter-build handler: add the run tag to a create call's tags (never replacing the learner's)."""
    name = model.name
    members = model.input_shape.members if model.input_shape else {}
    tag = run_id()
    if name in NEVER:
        return
    if name == "PutBucketTagging":  # it replaces the whole set: keep the run tag on a bucket of this run
        if params.get("Bucket") not in _buckets:
            return
        tags = params.setdefault("Tagging", {}).setdefault("TagSet", [])
        if not any(t.get("Key") == TAG_KEY for t in tags):
            tags.append({"Key": TAG_KEY, "Value": tag})
        return
    if not name.startswith(CREATE_VERBS):
        return
    if "TagSpecifications" in members and name in EC2_RESOURCE_TYPES:
        kind = EC2_RESOURCE_TYPES[name]
        specs = params.setdefault("TagSpecifications", [])
        spec = next((s for s in specs if s.get("ResourceType") == kind), None)
        if spec is None:
            spec = {"ResourceType": kind, "Tags": []}
            specs.append(spec)
        tags = spec.setdefault("Tags", [])
        if not any(t.get("Key") == TAG_KEY for t in tags):
            tags.append({"Key": TAG_KEY, "Value": tag})
        return
    if name == "PutParameter" and params.get("Overwrite"):  # SSM refuses Tags together with Overwrite
        return
    for member in ("Tags", "tags"):
        if member not in members:
            continue
        style = _tag_member(members[member])
        if style == "map":
            params.setdefault(member, {}).setdefault(TAG_KEY, tag)
        elif style:
            key, value = {"list": ("Key", "Value"), "kms": ("TagKey", "TagValue"), "lower": ("key", "value")}[style]
            tags = params.setdefault(member, [])
            if not any(t.get(key) == TAG_KEY for t in tags):
                tags.append({key: TAG_KEY, value: tag})
        return


_buckets: set[str] = set()  # buckets this process created (only their PutBucketTagging keeps the run tag)


def attach(client) -> None:
    """Register the run-tag hooks on a client (labkit's AWS engine does it for every client it makes)."""
    events = client.meta.events
    events.register("before-parameter-build", add_run_tag, unique_id="labkit-run-tag")
    if client.meta.service_model.service_name == "s3":
        def remember(params, context, **_):
            context["labkit_bucket"] = params.get("Bucket")

        def tag_bucket(http_response, context=None, **_):
            bucket = (context or {}).get("labkit_bucket")
            if bucket and http_response.status_code < 300:
                _buckets.add(bucket)
                client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})  # add_run_tag adds the run tag

        events.register("before-parameter-build.s3.CreateBucket", remember, unique_id="labkit-run-tag-remember")
        events.register("after-call.s3.CreateBucket", tag_bucket, unique_id="labkit-run-tag-bucket")


# --- finding the run's resources -----------------------------------------------------------------------------

EC2_ARN_TYPES = {
    "ec2.vpc": "vpc", "ec2.subnet": "subnet", "ec2.nat-gateway": "natgateway",
    "ec2.internet-gateway": "internet-gateway", "ec2.egress-only-internet-gateway": "egress-only-internet-gateway",
    "ec2.route-table": "route-table", "ec2.security-group": "security-group", "ec2.network-acl": "network-acl",
    "ec2.instance": "instance", "ec2.vpc-endpoint": "vpc-endpoint", "ec2.vpc-peering": "vpc-peering-connection",
}


# kinds whose identifiers are ARNs already (the tagging API reports them as they are) or built by arn_of
ARN_KINDS = {"s3.bucket", "sqs.queue", "dynamodb.table", "lambda.function", "logs.log-group", "ssm.parameter",
             "kms.key", "kinesis.stream", "efs.file-system", "sns.topic", "stepfunctions.state-machine",
             "secretsmanager.secret", "ecs.cluster", "ecs.service", "ecs.task-definition", "events.rule",
             "cloudwatch.alarm", "rds.db-instance", "codepipeline.pipeline"}


def arn_of(kind: str, identifier: str, region: str, account: str) -> str | None:
    """The ARN the tagging API reports for an inventory identifier, or None when labkit cannot build it."""
    if identifier.startswith("arn:"):
        return identifier
    if kind in EC2_ARN_TYPES:
        return f"arn:aws:ec2:{region}:{account}:{EC2_ARN_TYPES[kind]}/{identifier}"
    builders: dict[str, Callable[[str], str]] = {
        "s3.bucket": lambda i: f"arn:aws:s3:::{i}",
        "sqs.queue": lambda i: f"arn:aws:sqs:{region}:{account}:{i.rstrip('/').rsplit('/', 1)[-1]}",
        "dynamodb.table": lambda i: f"arn:aws:dynamodb:{region}:{account}:table/{i}",
        "lambda.function": lambda i: f"arn:aws:lambda:{region}:{account}:function:{i}",
        "logs.log-group": lambda i: f"arn:aws:logs:{region}:{account}:log-group:{i}",
        "ssm.parameter": lambda i: f"arn:aws:ssm:{region}:{account}:parameter/{i.lstrip('/')}",
        "kms.key": lambda i: f"arn:aws:kms:{region}:{account}:key/{i}",
        "kinesis.stream": lambda i: f"arn:aws:kinesis:{region}:{account}:stream/{i}",
        "efs.file-system": lambda i: f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{i}",
        "events.rule": lambda i: f"arn:aws:events:{region}:{account}:rule/{i}",
        "cloudwatch.alarm": lambda i: f"arn:aws:cloudwatch:{region}:{account}:alarm:{i}",
        "rds.db-instance": lambda i: f"arn:aws:rds:{region}:{account}:db:{i}",
        "codepipeline.pipeline": lambda i: f"arn:aws:codepipeline:{region}:{account}:{i}",
    }
    return builders[kind](identifier) if kind in builders else None


def _has_run_tag(tags, run: str) -> bool:
    if isinstance(tags, dict):
        return tags.get(TAG_KEY) == run
    return any((t.get("Key") or t.get("TagKey") or t.get("key")) == TAG_KEY and
               (t.get("Value") or t.get("TagValue") or t.get("value")) == run for t in tags or [])


def _pages(client, operation: str, key: str, **kwargs) -> Iterable[dict]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


NATIVE: dict[str, Callable[[object, str], Iterable[str]]] = {
    "iam.role": lambda iam, run: [r["RoleName"] for r in _pages(iam, "list_roles", "Roles")
                                  if _has_run_tag(iam.list_role_tags(RoleName=r["RoleName"])["Tags"], run)],
    "iam.user": lambda iam, run: [u["UserName"] for u in _pages(iam, "list_users", "Users")
                                  if _has_run_tag(iam.list_user_tags(UserName=u["UserName"])["Tags"], run)],
    "iam.policy": lambda iam, run: [p["Arn"] for p in _pages(iam, "list_policies", "Policies", Scope="Local")
                                    if _has_run_tag(iam.list_policy_tags(PolicyArn=p["Arn"])["Tags"], run)],
    "ec2.elastic-ip": lambda ec2, run: [a["AllocationId"] for a in ec2.describe_addresses(
        Filters=[{"Name": f"tag:{TAG_KEY}", "Values": [run]}])["Addresses"] if a.get("AllocationId")],
    "apigateway.api-key": lambda apigw, run: [k["id"] for k in _pages(apigw, "get_api_keys", "items")
                                              if _has_run_tag(k.get("tags", {}), run)],
    "apigateway.rest-api": lambda apigw, run: [a["id"] for a in _pages(apigw, "get_rest_apis", "items")
                                               if _has_run_tag(a.get("tags", {}), run)],
    "apigateway.usage-plan": lambda apigw, run: [p["id"] for p in _pages(apigw, "get_usage_plans", "items")
                                                 if _has_run_tag(p.get("tags", {}), run)],
}


def tagged_arns(engine, run: str) -> set[str]:
    """ARNs the Resource Groups Tagging API reports with the run tag, in the engine's region."""
    client = engine.client("resourcegroupstaggingapi")
    return {r["ResourceARN"].removesuffix(":*") for r in _pages(
        client, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": TAG_KEY, "Values": [run]}])}


def run_resources(engine, kinds, fallback: Callable[[object], list[str]] | None = None,
                  run: str | None = None, refused: dict[str, str] | None = None) -> dict[str, list[str]]:
    """What of these inventory kinds belongs to the run, ``{kind: [identifier, ...]}`` in the kinds' order.

    ``fallback(kind)`` lists a kind that carries no tag labkit can read (new since ``require`` and named with the
    prefix, see hygiene). Raises ClientError when the tagging API itself refuses (e.g. no tag:GetResources).
    A kind whose own listing the account refuses is left out; pass a dict as ``refused`` to have each such kind
    recorded there with the error code (``{kind name: code}``), as :func:`labkit.inventory.take` does.
    """
    from .inventory import error_code

    run = run or run_id()
    arns = tagged_arns(engine, run)
    account = _account(engine)
    kinds = list(kinds)
    by_name = {k.name: k for k in kinds}
    functions: set[str] = set()
    if "lambda.function" in by_name or {"logs.log-group", "lambda.event-source-mapping"} & set(by_name):
        from . import inventory

        lister = by_name.get("lambda.function") or inventory.KINDS["lambda.function"]
        try:
            functions = {i for i in lister.list(engine.client("lambda"))
                         if arn_of("lambda.function", i, engine.region, account) in arns}
        except ClientError:
            pass
    found: dict[str, list[str]] = {}
    for k in kinds:
        client = engine.client(k.service)
        try:
            listed = list(k.list(client))
            if k.name in NATIVE:
                mine = set(NATIVE[k.name](client, run))
                ids = [i for i in listed if i in mine]
            elif k.name == "lambda.function":
                ids = [i for i in listed if i in functions]
            elif k.name == "logs.log-group":  # Lambda creates /aws/lambda/<name> itself, untagged
                ids = [i for i in listed if arn_of(k.name, i, engine.region, account) in arns
                       or (i.startswith("/aws/lambda/") and i.removeprefix("/aws/lambda/") in functions)]
            elif k.name == "lambda.event-source-mapping":
                ids = [m["UUID"] for m in _pages(client, "list_event_source_mappings", "EventSourceMappings")
                       if m["UUID"] in listed and m.get("FunctionArn", "").rsplit(":", 1)[-1] in functions]
            elif k.name in EC2_ARN_TYPES or k.name in ARN_KINDS:
                ids = [i for i in listed if arn_of(k.name, i, engine.region, account) in arns]
            else:
                ids = list(fallback(k)) if fallback else []
        except ClientError as error:  # a kind this account cannot list
            if refused is not None:
                refused[k.name] = error_code(error)
            continue
        if ids:
            found[k.name] = sorted(ids)
    return found


_accounts: dict[int, str] = {}


def _account(engine) -> str:
    """The account the engine's credentials act in (STS GetCallerIdentity, asked once per engine)."""
    if id(engine) not in _accounts:
        _accounts[id(engine)] = engine.client("sts").get_caller_identity()["Account"]
    return _accounts[id(engine)]
