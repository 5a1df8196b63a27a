"""The MiniStack engine (labkit/engines/ministack.py) against a real, pinned MiniStack, and two labs on it.

MiniStack 1.5.33 pins an older botocore than labkit's boto3, so it lives in its own virtual environment: when
none is found, the module fixture makes it (``labkit.engines.ministack.install``, from the package registry, as
tests/localstack.py does for LocalStack) and skips with the reason when that is impossible (offline).
"""
from __future__ import annotations


import pytest

from _capability_probes import probe_emf_extraction, probe_insights_stats
from engine_matrix import ROOT, LabKernel, run_lab

from labkit.config import Settings
from labkit.engines import ministack, select
from labkit.errors import EngineUnavailable


def settings(**changes) -> Settings:
    base = dict(engine="auto", region="us-east-1", prefix="dva", endpoint_url=None, localstack_host=None,
                aws_confirm="", account_id=None)
    return Settings(**{**base, **changes})


def test_health_key_is_the_endpoint_prefix():
    assert ministack.health_key("stepfunctions") == "states"
    assert ministack.health_key("cloudwatch") == "monitoring"
    assert ministack.health_key("s3") == "s3"


def test_it_starts_on_loopback_and_answers(ministack_server):
    assert ministack_server.endpoint_url.startswith("http://127.0.0.1:")
    assert ministack.health(ministack_server.endpoint_url)["version"] == ministack.VERSION
    assert ministack_server.client("s3").list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_unavailable_names_what_its_health_route_lacks(ministack_server):
    missing = ministack_server.unavailable(["s3", "stepfunctions", "xray", "codedeploy"])
    assert set(missing) == {"xray", "codedeploy"}
    assert "lists no xray" in missing["xray"] and ministack.VERSION in missing["xray"]


def test_ministack_engine_uses_the_one_at_aws_endpoint_url(ministack_server):
    engine = select(settings(engine="ministack", endpoint_url=ministack_server.endpoint_url))
    assert (engine.name, engine.endpoint_url, engine._process) == ("ministack", ministack_server.endpoint_url, None)


def test_auto_recognises_a_configured_ministack(ministack_server):
    """MiniStack also answers LocalStack's health route: auto must still call it MiniStack."""
    assert select(settings(endpoint_url=ministack_server.endpoint_url)).name == "ministack"


def test_nothing_at_the_configured_url_is_a_clear_error():
    with pytest.raises(EngineUnavailable, match="No MiniStack answers at http://127.0.0.1:9"):
        ministack.MiniStackEngine("us-east-1", "http://127.0.0.1:9").start()


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(ministack, "find_python", lambda: None)
    with pytest.raises(EngineUnavailable) as raised:
        ministack.MiniStackEngine("us-east-1").start()
    assert "python -m labkit.engines.ministack install" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_stop_ends_the_process_it_started(ministack_server):
    engine = ministack.MiniStackEngine("us-east-1").start()
    process = engine._process
    engine.stop()
    assert process.poll() is not None and engine._process is None


@pytest.fixture(scope="module")
def lab_kernel():
    """One kernel for this module's labs, one after another (``engine_matrix.LabKernel``): a kernel start and the
    imports saved per lab."""
    kernel = LabKernel()
    yield kernel
    kernel.shutdown()


@pytest.mark.parametrize("lab", ["s3-basics", "lambda"])
def test_lab_runs_on_ministack(ministack_server, lab_kernel, lab):
    result = run_lab(ROOT / "labs" / f"{lab}.ipynb", {"LABKIT_ENGINE": "ministack",
                                                      "AWS_ENDPOINT_URL": ministack_server.endpoint_url}, lab_kernel)
    assert result["outcome"] == "runs", result


def test_lab_needing_a_missing_service_stops_in_setup_with_labkits_reason(ministack_server, lab_kernel):
    result = run_lab(ROOT / "labs" / "xray.ipynb", {"LABKIT_ENGINE": "ministack",
                                                    "AWS_ENDPOINT_URL": ministack_server.endpoint_url}, lab_kernel)
    assert result["outcome"] == "not available", result
    assert "xray: MiniStack 1.5.33 does not emulate it" in result["reason"]


def test_a_lacked_capability_is_named_only_for_a_lab_that_needs_it(ministack_server):
    """Services alone never stop a lab for a fault; a capability the lab names does, with its reason."""
    assert ministack_server.unavailable(["apigateway", "lambda", "cognito-idp", "iam", "logs"]) == {}
    lacking = ministack_server.lacks(["ec2:default network ACL association", "ec2:something MiniStack does"])
    assert list(lacking) == ["ec2:default network ACL association"]
    assert lacking["ec2:default network ACL association"].startswith(f"MiniStack {ministack.VERSION} ")


def test_a_lack_probed_on_another_version_is_not_assumed(ministack_server, monkeypatch):
    monkeypatch.setitem(ministack.LACKS, "rds:DescribeDBLogFiles", ministack.Lack("0.0.1", "probed elsewhere"))
    assert ministack_server.lacks(["rds:DescribeDBLogFiles"]) == {}


def test_the_vpc_lab_stops_in_setup_naming_the_capability(ministack_server, lab_kernel):
    """It used to fail part-way (StopIteration: no subnet in the default network ACL)."""
    result = run_lab(ROOT / "labs" / "vpc.ipynb", {"LABKIT_ENGINE": "ministack",
                                                   "AWS_ENDPOINT_URL": ministack_server.endpoint_url}, lab_kernel)
    assert result["outcome"] == "not available", result
    assert result["reason"].startswith("ec2:default network ACL association: MiniStack 1.5.33 leaves"), result


def _error_code(call) -> str | None:
    """The AWS error code ``call()`` raised, None when it succeeded."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return None


def probe_vpc_acl(engine) -> bool:
    ec2 = engine.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    return not any(a.get("SubnetId") == subnet for acl in acls for a in acl.get("Associations", []))


def probe_rds_log_files(engine) -> bool:
    rds = engine.client("rds")
    return _error_code(lambda: rds.describe_db_log_files(DBInstanceIdentifier="probe")) == "InvalidAction"


def probe_route53_status(engine) -> bool:
    route53 = engine.client("route53")
    check = route53.create_health_check(CallerReference="probe", HealthCheckConfig={
        "Type": "HTTP", "FullyQualifiedDomainName": "example.com", "Port": 80})["HealthCheck"]["Id"]
    return _error_code(lambda: route53.get_health_check_status(HealthCheckId=check)) is not None


def probe_sqs_move(engine) -> bool:
    sqs = engine.client("sqs")
    url = sqs.create_queue(QueueName="probe-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return _error_code(lambda: sqs.start_message_move_task(SourceArn=arn)) is not None


def probe_s3_inventory(engine) -> bool:
    s3 = engine.client("s3")
    s3.create_bucket(Bucket="probe-inventory")
    s3.create_bucket(Bucket="probe-reports")
    s3.put_bucket_inventory_configuration(Bucket="probe-inventory", Id="weekly", InventoryConfiguration={
        "Id": "weekly", "IsEnabled": True, "IncludedObjectVersions": "Current", "Schedule": {"Frequency": "Weekly"},
        "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::probe-reports", "Format": "CSV"}}})
    return not s3.list_bucket_inventory_configurations(Bucket="probe-inventory").get("InventoryConfigurationList")


def probe_ssm_public_parameter(engine) -> bool:
    ssm = engine.client("ssm")
    name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    return _error_code(lambda: ssm.get_parameter(Name=name)) == "ParameterNotFound"


_ASYNC: dict = {}


def asynchronous_run(engine) -> dict:
    """One failing and one succeeding asynchronous invocation (MaximumRetryAttempts 1, OnSuccess and OnFailure
    queues, a dead-letter queue): {"success": records, "failure": records, "dlq": messages, "ran": the succeeding
    run's own message}, once per ministack_server.

    The succeeding run sends "ran" to a queue of its own before it returns, so the wait ends once both runs are
    over: the failure record is in and the success has returned; a destination record follows the function's return
    at once, so one more second decides what never came. Where the function cannot reach the queue, the wait is
    10 s after the failure record, as before (30 s at most)."""
    import json
    import time

    import labkit

    if _ASYNC.get("url") == engine.endpoint_url:
        return _ASYNC
    lam, sqs, iam = engine.client("lambda"), engine.client("sqs"), engine.client("iam")
    queues = {}
    for name in ("success", "failure", "dlq", "ran"):
        url = sqs.create_queue(QueueName=f"probe-{name}")["QueueUrl"]
        queues[name] = (url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
    role = iam.create_role(RoleName="probe-async", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    code = ("import boto3\n\ndef handler(event, context):\n    if event.get('fail'):\n        raise RuntimeError('no')\n"
            f"    boto3.client('sqs').send_message(QueueUrl={queues['ran'][0]!r}, MessageBody='ran')\n    return 1\n")
    lam.create_function(FunctionName="probe-async", Runtime="python3.12", Role=role, Handler="app.handler",
                        Timeout=10, Code={"ZipFile": labkit.zip_code({"app.py": code})})
    lam.get_waiter("function_active_v2").wait(FunctionName="probe-async")
    lam.put_function_event_invoke_config(FunctionName="probe-async", MaximumRetryAttempts=1, DestinationConfig={
        "OnSuccess": {"Destination": queues["success"][1]}, "OnFailure": {"Destination": queues["failure"][1]}})
    lam.update_function_configuration(FunctionName="probe-async", DeadLetterConfig={"TargetArn": queues["dlq"][1]})
    lam.get_waiter("function_updated_v2").wait(FunctionName="probe-async")
    for fail in (False, True):
        lam.invoke(FunctionName="probe-async", InvocationType="Event", Payload=json.dumps({"fail": fail}))
    found = {name: [] for name in queues}
    deadline = time.time() + 30  # the failure record comes in about 2 s
    while time.time() < deadline:
        for name, (url, _) in queues.items():
            found[name] += [m["Body"] for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0,
                                                                    MaxNumberOfMessages=10).get("Messages", [])]
        if found["failure"]:
            deadline = min(deadline, time.time() + (1 if found["ran"] else 10))
        time.sleep(0.5)
    _ASYNC.clear()
    _ASYNC.update(url=engine.endpoint_url, **found)
    return _ASYNC


def probe_on_success(engine) -> bool:
    run = asynchronous_run(engine)
    return bool(run["failure"]) and not run["success"]


def probe_retry_attempts(engine) -> bool:
    import json

    return [json.loads(r)["requestContext"]["approximateInvokeCount"] for r in asynchronous_run(engine)["failure"]] \
        not in ([2], [])


def probe_dead_letter_queue(engine) -> bool:
    run = asynchronous_run(engine)
    return bool(run["failure"]) and not run["dlq"]


def probe_add_permission_per_alias(engine) -> bool:
    import json

    import labkit

    lam, iam = engine.client("lambda"), engine.client("iam")
    role = iam.create_role(RoleName="probe-alias", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    lam.create_function(FunctionName="probe-alias", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": "def handler(e, c):\n    return 1\n"})})
    lam.get_waiter("function_active_v2").wait(FunctionName="probe-alias")
    version = lam.publish_version(FunctionName="probe-alias")["Version"]
    codes = []
    for alias in ("blue", "green"):
        lam.create_alias(FunctionName="probe-alias", Name=alias, FunctionVersion=version)
        codes.append(_error_code(lambda: lam.add_permission(
            FunctionName="probe-alias", Qualifier=alias, StatementId="apigateway", Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com")))
    return codes[0] is None and codes[1] is not None


def probe_ssm_policies(engine) -> bool:
    import json

    ssm = engine.client("ssm")
    ssm.put_parameter(Name="/probe/expiring", Value="v", Type="String", Tier="Advanced", Policies=json.dumps([
        {"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": "2030-01-01T00:00:00.000Z"}}]))
    try:
        ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": ["/probe/expiring"]}])
    except AttributeError:  # botocore reads each policy as an object; MiniStack sends a string
        return True
    return False


def probe_batch_by_arn(engine) -> bool:
    batch = engine.client("batch")
    arn = batch.create_compute_environment(computeEnvironmentName="probe-ce", type="UNMANAGED")["computeEnvironmentArn"]
    by_name = batch.describe_compute_environments(computeEnvironments=["probe-ce"])["computeEnvironments"]
    return len(by_name) == 1 and not batch.describe_compute_environments(computeEnvironments=[arn])["computeEnvironments"]


def probe_jwks(engine) -> bool:
    """RFC 7518's "n" is base64url: a length of 1 more than a multiple of 4 cannot be decoded."""
    import json
    import urllib.request

    pool = engine.client("cognito-idp").create_user_pool(PoolName="probe")["UserPool"]["Id"]
    with urllib.request.urlopen(f"{engine.endpoint_url}/{pool}/.well-known/jwks.json") as response:
        keys = json.load(response)["keys"]
    return any(len(key["n"]) % 4 == 1 for key in keys)


def probe_rotation(engine) -> bool:
    """The rotation function tells a queue which step it ran: a direct Invoke reaches the queue (so the channel
    works), RotateSecret never does."""
    import json
    import time

    import labkit

    lam, sqs, secrets = engine.client("lambda"), engine.client("sqs"), engine.client("secretsmanager")
    url = sqs.create_queue(QueueName="probe-rotation-steps")["QueueUrl"]
    code = ("import boto3, os\n\ndef handler(event, context):\n"
            f"    boto3.client('sqs').send_message(QueueUrl={url!r}, MessageBody=event.get('Step', 'direct'))\n")
    role = engine.client("iam").create_role(RoleName="probe-rotation", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    arn = lam.create_function(FunctionName="probe-rotation", Runtime="python3.12", Role=role, Handler="app.handler",
                              Timeout=10, Code={"ZipFile": labkit.zip_code({"app.py": code})})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName="probe-rotation")

    def steps(until) -> list[str]:
        """The steps the queue receives until it stays empty for a second and ``until()`` holds (at most 8 s)."""
        found, deadline = [], time.time() + 8
        while time.time() < deadline:
            received = [m["Body"] for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                                               MaxNumberOfMessages=10).get("Messages", [])]
            found += received
            if not received and until():
                break
        return found

    lam.invoke(FunctionName="probe-rotation", Payload=b"{}")  # synchronous: its message is in the queue already
    if steps(lambda: True) != ["direct"]:
        return False  # the function cannot reach the queue here: this probe tells nothing
    secrets.create_secret(Name="probe-rotated", SecretString="old")
    pending = secrets.rotate_secret(SecretId="probe-rotated", RotationLambdaARN=arn,
                                    RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]

    def rotated() -> bool:  # on AWS only the function's finishSecret step makes the new version AWSCURRENT
        versions = secrets.list_secret_version_ids(SecretId="probe-rotated")["Versions"]
        return any(v["VersionId"] == pending and "AWSCURRENT" in v.get("VersionStages", []) for v in versions)

    # the engine says the rotation is over (the new version is current), and no step reached the queue for a second
    return steps(rotated) == []


def probe_ecr_scanning_configuration(engine) -> bool:
    ecr = engine.client("ecr")
    return _error_code(lambda: ecr.get_registry_scanning_configuration()) == "InvalidAction"


PROBES = {  # each capability ministack.LACKS lists -> a probe answering "does this MiniStack still lack it?"
    "ec2:default network ACL association": probe_vpc_acl,
    "rds:DescribeDBLogFiles": probe_rds_log_files,
    "route53:GetHealthCheckStatus": probe_route53_status,
    "sqs:StartMessageMoveTask": probe_sqs_move,
    "s3:ListBucketInventoryConfigurations": probe_s3_inventory,
    "ssm:ECS-optimized AMI public parameter": probe_ssm_public_parameter,
    "lambda:OnSuccess destination": probe_on_success,
    "lambda:asynchronous retry attempts": probe_retry_attempts,
    "lambda:dead-letter queue": probe_dead_letter_queue,
    "lambda:AddPermission per alias": probe_add_permission_per_alias,
    "ssm:DescribeParameters policies": probe_ssm_policies,
    "batch:DescribeComputeEnvironments by ARN": probe_batch_by_arn,
    "cognito-idp:token signature check with jwks.json": probe_jwks,
    "secretsmanager:rotation by Lambda function": probe_rotation,
    "logs:Logs Insights stats": probe_insights_stats,
    "logs:embedded metric format extraction": probe_emf_extraction,
    "ecr:GetRegistryScanningConfiguration": probe_ecr_scanning_configuration,
}


def test_every_lack_has_a_probe():
    assert sorted(PROBES) == sorted(ministack.LACKS)


@pytest.mark.parametrize("capability", sorted(PROBES))
def test_each_probed_lack_is_still_there_on_the_pinned_version(ministack_server, capability):
    """A MiniStack that gains the capability fails this: take the entry out of LACKS and the lab's stop with it."""
    assert ministack.LACKS[capability].version == ministack.VERSION
    assert PROBES[capability](ministack_server), f"MiniStack {ministack.VERSION} no longer lacks {capability}"


def test_the_emf_probe_sees_extraction_where_it_happens(engine):
    """The embedded engine extracts EMF metrics (labkit/emf.py): there the probe must answer "not lacking"."""
    assert probe_emf_extraction(engine, wait=2) is False
