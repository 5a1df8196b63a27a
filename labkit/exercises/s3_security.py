"""Checks for labs/s3-security."""
from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current

# The four uploads the check tries: (label, extra PutObject arguments given the lab's key ARN, AWS's answer wanted)
ATTEMPTS = (
    ("no encryption header", lambda key: {}, "denied"),
    ("SSE-S3 (AES256)", lambda key: {"ServerSideEncryption": "AES256"}, "denied"),
    ("SSE-KMS with another KMS key", lambda key: {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "OTHER"},
     "denied"),
    ("SSE-KMS with the lab's key", lambda key: {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key}, "allowed"),
)


def uploads(bucket: str, policy: dict, key_arn: str, other_key_arn: str) -> dict[str, str]:
    """Put ``policy`` on ``bucket``, try the four uploads of ``ATTEMPTS`` and return {label: "allowed"|"denied"};
    the policy and the objects written are removed afterwards. Raises ClientError when S3 rejects the policy."""
    s3 = current().client("s3")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    seen = {}
    try:
        for number, (label, extra, _) in enumerate(ATTEMPTS):
            arguments = extra(key_arn)
            if arguments.get("SSEKMSKeyId") == "OTHER":
                arguments["SSEKMSKeyId"] = other_key_arn
            try:
                s3.put_object(Bucket=bucket, Key=f"check/{number}.txt", Body=b"checked", **arguments)
                seen[label] = "allowed"
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "AccessDenied":
                    raise
                seen[label] = "denied"
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
        for number in range(len(ATTEMPTS)):
            s3.delete_object(Bucket=bucket, Key=f"check/{number}.txt")
    return seen


def kms_only_policy(policy, bucket: str, key_arn: str, other_key_arn: str) -> Verdict:
    """``policy`` (a bucket policy dict for ``bucket``) refuses every upload except one encrypted with SSE-KMS under
    ``key_arn``. The check applies it to ``bucket`` and tries four uploads ("Specifying server-side encryption with
    AWS KMS (SSE-KMS)", "Bucket policy examples using condition keys")."""
    expect(policy, "my_policy", dict, "a bucket policy (a dict with Version and Statement)")
    statements = policy.get("Statement")
    if not isinstance(statements, (list, dict)) or not statements:
        return failed("A bucket policy needs a \"Statement\": a list of statements, each with Effect, Principal, "
                      "Action, Resource (and here a Condition).")
    for number, entry in enumerate(statements if isinstance(statements, list) else [statements], start=1):
        missing = [name for name in ("Effect", "Principal", "Action", "Resource")  # or NotPrincipal, NotAction, …
                   if not isinstance(entry, dict) or (name not in entry and f"Not{name}" not in entry)]
        if missing:  # S3 refuses such a policy (MalformedPolicy); the embedded engine would fail on the upload
            return failed(f"Statement {number} has no {', '.join(missing)}: S3 refuses a bucket policy whose "
                          "statements lack them (MalformedPolicy). Each statement needs Effect, Principal, Action "
                          "and Resource.")
    resources = json.dumps(statements)
    if f"arn:aws:s3:::{bucket}/" not in resources:
        return failed(f"No statement names the objects of practice_bucket: use \"Resource\": "
                      f"\"arn:aws:s3:::{bucket}/*\" (objects, not the bucket ARN alone: PutObject acts on objects).")
    try:
        seen = uploads(bucket, policy, key_arn, other_key_arn)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return failed(f"S3 rejects this policy ({error.get('Code')}: {error.get('Message', '')}). Check that each "
                      "statement has Effect, Principal, Action and Resource, and that the JSON is a policy.")
    wrong = [label for label, _, wanted in ATTEMPTS if seen[label] != wanted]
    if not wrong:
        return passed("Only the upload encrypted with SSE-KMS under the lab's key got in; the three others were "
                      "refused with AccessDenied.")
    hints = []
    if seen["SSE-KMS with the lab's key"] == "denied":
        hints.append("the upload that uses SSE-KMS with the lab's key was refused too (does a Deny apply to every "
                     "upload? compare the key condition with lab_key_arn, the full ARN the upload sends"
                     + ("; and this engine speaks plain HTTP only, so a statement denying non-TLS requests refuses "
                        "every upload here" if "SecureTransport" in resources else "") + ")")
    let_in = [label for label in wrong if label != "SSE-KMS with the lab's key"]
    if let_in:
        hints.append(f"these uploads got in: {', '.join(let_in)}")
        if "SSE-KMS with another KMS key" in let_in and len(let_in) == 1:
            hints.append("two keys under one condition operator are ANDed, so a statement with both denies only "
                         "when both differ: put the key-id condition in a statement of its own")
    return failed("; ".join(hints) + ".")
