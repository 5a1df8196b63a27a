"""Checks for labs/iam."""
from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current, moto_here
from ..naming import name

DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}


def probes(bucket: str, prefix: str) -> list[tuple[str, str, str, bool]]:
    """(label, operation, key, should be allowed) for a least-privilege policy on ``bucket``/``prefix``."""
    other = prefix.rstrip("/") + "-archive/"
    return [
        ("PutObject inside the prefix", "put_object", f"{prefix}q1.csv", True),
        ("GetObject inside the prefix", "get_object", f"{prefix}q1.csv", True),
        ("PutObject outside the prefix", "put_object", "private/salaries.csv", False),
        ("GetObject outside the prefix", "get_object", "private/salaries.csv", False),
        (f"PutObject under the look-alike prefix {other}", "put_object", f"{other}old.csv", False),
        ("DeleteObject inside the prefix", "delete_object", f"{prefix}q1.csv", False),
        ("ListBuckets", "list_buckets", "", False),
        ("PutObject in another bucket", "put_object@other", f"{prefix}q1.csv", False),
    ]


def attempt(client, operation: str, bucket: str, key: str) -> str:
    """Run one S3 request; ``"Allowed"`` unless the engine answers with an access-denied error."""
    try:
        if operation == "list_buckets":
            client.list_buckets()
        elif operation == "put_object":
            client.put_object(Bucket=bucket, Key=key, Body=b"probe")
        else:
            getattr(client, operation)(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in DENIED:
            return "Denied"
    return "Allowed"  # any other answer (NoSuchKey, NoSuchBucket) means IAM let the request through


def allowed_only(prefix: str) -> str:
    """The verdict of a least-privilege policy, the same on every engine (the embedded one sends the requests with
    IAM enforced; a workshop server, LocalStack and AWS evaluate them), so a lab's solved run in a workshop
    student's account reads as the book's."""
    return f"Only Get/PutObject under {prefix} are allowed; every other request the check tried is denied."


def least_privilege_prefix(policy, bucket: str, prefix: str = "reports/") -> Verdict:
    """Attached to a fresh user, ``policy`` allows Get/PutObject under ``bucket``/``prefix`` and nothing else."""
    expect(policy, "my_policy", (dict, str), "the policy document, a Python dict {'Version': ..., 'Statement': [...]}")
    try:
        parsed = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError as exc:
        return failed(f"my_policy is a string but not JSON ({exc}): write the document as a Python dict instead.")
    if not isinstance(parsed, dict):
        return failed("my_policy should be a policy document: a dict with \"Version\" and \"Statement\".")
    try:
        document = json.dumps(parsed)
    except (TypeError, ValueError) as exc:
        return failed(f"my_policy holds something JSON cannot write ({exc}): use only strings, lists and dicts.")
    statements = parsed.get("Statement")
    if not statements:
        return failed("A policy document needs a \"Statement\" list (and \"Version\": \"2012-10-17\").")
    engine = current()
    if not moto_here(engine):  # the embedded and browser engines enforce IAM in this process
        return _simulated(engine, document, bucket, prefix)

    from ..engines.iam_enforcement import enforce_iam

    iam, admin = engine.client("iam"), engine.client("s3")
    admin.put_object(Bucket=bucket, Key="private/salaries.csv", Body=b"secret")
    user = name("probe")
    iam.create_user(UserName=user)
    try:
        iam.put_user_policy(UserName=user, PolicyName="my-policy", PolicyDocument=document)
        key = iam.create_access_key(UserName=user)["AccessKey"]
        s3 = engine.client("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        wrong = []
        with enforce_iam():
            for label, operation, obj, allowed in probes(bucket, prefix):
                target = name("other-bucket") if operation.endswith("@other") else bucket
                outcome = attempt(s3, operation.split("@")[0], target, obj)
                if (outcome == "Allowed") != allowed:
                    wrong.append(f"{label} was {outcome.lower()}")
    finally:
        for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
        for policy_name in iam.list_user_policies(UserName=user)["PolicyNames"]:
            iam.delete_user_policy(UserName=user, PolicyName=policy_name)
        iam.delete_user(UserName=user)
    if wrong:
        return failed("Not least privilege yet: " + "; ".join(wrong) + f". Allow only s3:GetObject and s3:PutObject, "
                      f"on the resource arn:aws:s3:::{bucket}/{prefix}* (mind the slash before the *).")
    return passed(allowed_only(prefix))


def _evaluated(document: str, action: str, resource: str) -> str:
    """The policy simulator's EvalDecision (``allowed``, ``explicitDeny``, ``implicitDeny``) for one request, from the
    evaluator the embedded engine enforces IAM with (moto's ``IAMPolicy``): a workshop server (the shared engine)
    runs that emulator but neither enforces IAM for a student's users nor offers SimulateCustomPolicy."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    outcome = IAMPolicy(document).is_action_permitted(action, resource)
    return {PermissionResult.PERMITTED: "allowed", PermissionResult.DENIED: "explicitDeny"}.get(outcome,
                                                                                               "implicitDeny")


def _simulated(engine, document: str, bucket: str, prefix: str) -> Verdict:
    """LocalStack does not enforce IAM and AWS needs time for new keys: ask IAM's policy simulator instead (on a
    workshop server, the embedded engine's own evaluator: :func:`_evaluated`)."""
    iam = engine.client("iam")
    wrong = []
    for label, operation, obj, allowed in probes(bucket, prefix):
        words = operation.split("@")[0].split("_")
        action = "s3:" + "".join(w.title() for w in words).replace("Buckets", "AllMyBuckets")
        target = f"{bucket}-other" if operation.endswith("@other") else bucket
        resource = f"arn:aws:s3:::{target}/{obj}" if obj else "*"
        try:
            result = _evaluated(document, action, resource) if engine.name == "shared" else iam.simulate_custom_policy(
                PolicyInputList=[document], ActionNames=[action], ResourceArns=[resource],
            )["EvaluationResults"][0]["EvalDecision"]
        except ClientError:
            return failed(f"The {engine.name} engine cannot evaluate IAM policies; run this lab on the embedded "
                          "engine.")
        if (result == "allowed") != allowed:
            wrong.append(f"{label} was {result}")
    if wrong:
        return failed("Not least privilege yet: " + "; ".join(wrong) + ".")
    return passed(allowed_only(prefix))
