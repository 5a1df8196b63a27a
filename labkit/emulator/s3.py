"""Amazon S3 buckets (event notifications are :mod:`labkit.emulator`'s integration modules' concern): what moto
stores but does not act on. The notices hook moto's S3 backend, so they also fire for buckets a CloudFormation
stack configures."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

DIFFERENCES = [
    Difference(
        id="s3-lifecycle-not-applied",
        service="S3",
        aws="S3 evaluates lifecycle rules about once a day and transitions or expires the matching objects in the "
            "background.",
        engine="Lifecycle rules are stored and read back, but never acted on: no object is ever transitioned or "
               "expired.",
        doc="Transitioning objects using Amazon S3 Lifecycle",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-lifecycle-minimum-days-not-checked",
        service="S3",
        aws="A lifecycle rule cannot move objects to STANDARD_IA or ONEZONE_IA sooner than 30 days after their "
            "creation: such a rule is rejected.",
        engine="A rule that moves objects to STANDARD_IA or ONEZONE_IA after fewer than 30 days is accepted.",
        doc="Transition",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-replication-not-performed",
        service="S3",
        aws="With a replication configuration, new objects are copied to the destination bucket (ReplicationStatus "
            "PENDING, then COMPLETED on the source) within seconds to minutes.",
        engine="The configuration is validated and stored, but nothing is copied and no ReplicationStatus is set.",
        doc="Replicating objects within and across Regions",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-bucket-policy-conditions-not-evaluated",
        service="S3",
        aws="A bucket policy statement with a Condition (aws:SecureTransport, aws:MultiFactorAuthAge, …) applies "
            "only to the requests whose context matches it.",
        engine="For object requests labkit evaluates aws:SecureTransport and the s3:x-amz-server-side-encryption "
               "(-aws-kms-key-id) keys under StringEquals/StringNotEquals/StringLike/StringNotLike/Bool/Null (and "
               "…IfExists); a policy with "
               "any other condition key or operator is applied as if its conditions held (a conditional Deny "
               "denies every object request of the bucket). Bucket-level requests (ListObjectsV2, DeleteObjects, "
               "the bucket's configuration calls) are not checked against the bucket policy at all, and "
               "CreateMultipartUpload is not checked as s3:PutObject.",
        doc="IAM JSON policy elements: Condition",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-inventory-not-delivered",
        service="S3",
        aws="An inventory configuration delivers a report to its destination bucket daily or weekly (the first "
            "within 48 hours), and reads back as it was written.",
        engine="No report is ever delivered, and IncludedObjectVersions and OptionalFields read back wrongly.",
        doc="Cataloging and analyzing your data with S3 Inventory",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-presigned-urls-not-checked",
        service="S3",
        aws="A presigned URL is refused when its signature was tampered with (SignatureDoesNotMatch).",
        engine="A presigned URL with a tampered signature is accepted (an expired one is refused, as on AWS).",
        doc="Sharing objects with presigned URLs",
        labs=("s3-in-depth", "s3-security"),
    ),
    Difference(
        id="s3-default-encryption-not-reported",
        service="S3",
        aws="Since 5 January 2023 every new object is encrypted with SSE-S3 when the request names no encryption: "
            "PutObject and HeadObject answer ServerSideEncryption: AES256.",
        engine="An object written without encryption headers reports no ServerSideEncryption.",
        doc="Using server-side encryption with Amazon S3 managed keys (SSE-S3)",
        labs=("s3-security",),
    ),
    Difference(
        id="s3-sse-c-not-enforced",
        service="S3",
        aws="An object stored with SSE-C can be read only with the same customer-provided key, over HTTPS; since "
            "April 2026 new general purpose buckets block SSE-C uploads until their default encryption "
            "configuration unblocks them (BlockedEncryptionTypes).",
        engine="The SSE-C headers are accepted and ignored: the object is read back without a key or with any key, "
               "and no bucket blocks SSE-C.",
        doc="Using server-side encryption with customer-provided keys (SSE-C)",
    ),
    Difference(
        id="s3-block-public-access-not-enforced",
        service="S3",
        aws="New buckets have all four Block Public Access settings on; with BlockPublicAcls a request carrying a "
            "public ACL is refused, and with BlockPublicPolicy a public bucket policy is refused (AccessDenied).",
        engine="A new bucket has no Block Public Access configuration (NoSuchPublicAccessBlockConfiguration), and a "
               "configuration that is set is stored but not enforced.",
        doc="Blocking public access to your Amazon S3 storage",
        labs=("s3-security",),
    ),
    Difference(
        id="s3-object-ownership-default-missing",
        service="S3",
        aws="New buckets have Object Ownership set to BucketOwnerEnforced (ACLs disabled): a request that sets an "
            "ACL other than bucket-owner-full-control is refused (AccessControlListNotSupported).",
        engine="A new bucket has no ownership controls (OwnershipControlsNotFoundError) and ACLs are accepted.",
        doc="Controlling ownership of objects and disabling ACLs for your bucket",
        labs=("s3-security",),
    ),
    Difference(
        id="s3-cors-headers-on-every-response",
        service="S3",
        aws="S3 adds Access-Control-* headers only to a response whose request matches a CORS rule of the bucket.",
        engine="The engine's server adds Access-Control-Allow-Origin (echoing the Origin) to every response; "
               "preflights (OPTIONS) are answered by the bucket's CORS rules, as on AWS.",
        doc="Configuring cross-origin resource sharing (CORS)",
        labs=("s3-security",),
    ),
]

IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")


def too_early(rules) -> bool:
    """True when a lifecycle rule (as moto's backend receives it, parsed from XML) moves current objects to
    STANDARD_IA or ONEZONE_IA after fewer than 30 days."""
    for rule in rules or []:
        transitions = rule.get("Transition") if isinstance(rule, dict) else None
        for transition in transitions if isinstance(transitions, list) else [transitions]:
            if isinstance(transition, dict) and transition.get("StorageClass") in IA_CLASSES:
                days = transition.get("Days")
                if days is not None and int(days) < 30:
                    return True
    return False


TRIGGERS = [
    Trigger("moto.s3.models.S3Backend.put_bucket_lifecycle", "s3-lifecycle-not-applied",
            when=lambda backend, bucket, rules: bool(rules)),
    Trigger("moto.s3.models.S3Backend.put_bucket_lifecycle", "s3-lifecycle-minimum-days-not-checked",
            when=lambda backend, bucket, rules: too_early(rules)),
    Trigger("moto.s3.models.S3Backend.put_bucket_replication", "s3-replication-not-performed"),
    Trigger("moto.s3.models.S3Backend.put_bucket_policy", "s3-bucket-policy-conditions-not-evaluated",
            when=lambda backend, bucket, policy: b'"Condition"' in (policy if isinstance(policy, bytes)
                                                                     else str(policy).encode())
            and not conditions_supported(policy)),
    Trigger("moto.s3.models.S3Backend.put_bucket_inventory_configuration", "s3-inventory-not-delivered"),
]

PATCHES = [trigger_patch("s3-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
    install_suspended_deletes()
    install_policy_conditions()


# --- Deleting versions from a versioning-suspended bucket -------------------------------------------------------
#
# moto 5.2.5 treats a suspended bucket as unversioned in S3Backend.delete_object: DeleteObject (or DeleteObjects)
# with a VersionId drops *every* version of the key, and crashes with "'FakeDeleteMarker' object has no attribute
# 'dispose'" (moto.s3.utils._VersionedKeyStore.pop) when one of them is a delete marker — so a bucket versioned,
# then suspended, could not be emptied nor cleaned up. AWS ("Deleting object versions from a versioning-suspended
# bucket"): a request naming a version ID permanently deletes that version (or delete marker) and only it; a request
# without one adds a delete marker. Upstream change: in S3Backend.delete_object test
# ``bucket.versioning_status in ("Enabled", "Suspended")`` rather than ``bucket.is_versioned``, and give
# FakeDeleteMarker a no-op ``dispose``.

import threading

_suspended_lock = threading.RLock()


def _delete_object(original):
    def delete_object(self, bucket_name, key_name, version_id=None, bypass=False):
        bucket = self.get_bucket(bucket_name)
        if getattr(bucket, "versioning_status", None) != "Suspended":
            return original(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
        with _suspended_lock:  # the versioned branch of moto's code is AWS's behaviour for a suspended bucket too
            bucket.versioning_status = "Enabled"
            try:
                return original(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
            finally:
                bucket.versioning_status = "Suspended"
    delete_object.labkit_suspended = True
    delete_object.labkit_original = original
    return delete_object


PATCHES.append(Patch(
    name="s3-suspended-versioning-deletes",
    changes="DeleteObject/DeleteObjects in a versioning-suspended bucket delete only the named version or delete "
            "marker (or add a delete marker), as on AWS; a delete marker can be disposed of.",
    symbols=("moto.s3.models.S3Backend.delete_object", "moto.s3.models.FakeDeleteMarker",
             "moto.s3.models.FakeBucket.is_versioned", "moto.s3.utils._VersionedKeyStore.pop"),
    upstream="S3Backend.delete_object: treat Suspended like Enabled; FakeDeleteMarker.dispose as a no-op.",
))


def install_suspended_deletes() -> None:
    """Patch moto's S3 backend for deletes in versioning-suspended buckets (idempotent)."""
    from moto.s3 import models

    if not getattr(models.S3Backend.delete_object, "labkit_suspended", False):
        models.S3Backend.delete_object = _delete_object(models.S3Backend.delete_object)
    if not hasattr(models.FakeDeleteMarker, "dispose"):
        models.FakeDeleteMarker.dispose = lambda self, garbage=False: None


# --- Bucket-policy conditions and presigned-URL expiry ------------------------------------------------------------
#
# moto 5.2.5 evaluates a bucket policy for object requests (FakeBucket.get_permission) but without the request's
# context: a statement's Condition is checked against no values at all, so a conditional Deny denies every request
# and a conditional Allow denies too. AWS ("IAM JSON policy elements: Condition operators"; "Policy condition keys
# for Amazon S3"): a condition is tested against the request context; when the key is absent the condition is false,
# except for a negated operator (StringNotEquals: true), ...IfExists (true) and Null. labkit evaluates, for object
# requests, the operators StringEquals, StringNotEquals (and their IgnoreCase forms), StringLike, StringNotLike, Bool
# and Null, each optionally ...IfExists, on the keys aws:SecureTransport (the request's scheme),
# s3:x-amz-server-side-encryption and s3:x-amz-server-side-encryption-aws-kms-key-id (the request's headers). A
# policy using anything else is left to moto, and the notice "s3-bucket-policy-conditions-not-evaluated" says so.
# A refusal is AccessDenied, as on AWS (moto answered a bare 403 without a body).
#
# moto also serves an expired presigned URL. AWS ("Sharing objects with presigned URLs"): after X-Amz-Date +
# X-Amz-Expires (SigV4) or Expires (SigV2, epoch seconds) the request is refused: 403 AccessDenied, "Request has
# expired". labkit refuses it so on object requests. Upstream change: pass the request's condition values to
# IAMPolicy.is_action_permitted in S3Response._key_response, and check the expiry there.

import datetime as _dt
import json as _json
from urllib.parse import parse_qs as _parse_qs
from urllib.parse import urlparse as _urlparse

_request_context = threading.local()

CONDITION_KEYS = ("aws:securetransport", "s3:x-amz-server-side-encryption",
                  "s3:x-amz-server-side-encryption-aws-kms-key-id")
_OPERATORS = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
              "StringNotLike", "Bool", "Null")


def _like(pattern: str, value: str) -> bool:
    """StringLike matching ("IAM JSON policy elements: Condition operators"): case-sensitive, ``*`` matches any
    run of characters and ``?`` one character, anywhere in the string; nothing else is special."""
    import re

    return re.fullmatch(".*".join(".".join(map(re.escape, part.split("?"))) for part in pattern.split("*")),
                        value, flags=re.DOTALL) is not None


def _split_operator(operator: str) -> tuple[str, bool]:
    if operator.endswith("IfExists") and operator != "IfExists":
        return operator[: -len("IfExists")], True
    return operator, False


def conditions_supported(policy) -> bool:
    """True when every Condition of ``policy`` (a JSON string, bytes or dict) uses only the operators and keys
    labkit evaluates (see the comment above); False when one does not, or the policy cannot be read."""
    try:
        document = _json.loads(policy) if isinstance(policy, (str, bytes)) else policy
        statements = document["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            for operator, keys in (statement.get("Condition") or {}).items():
                base, if_exists = _split_operator(operator)
                if base not in _OPERATORS or (base == "Null" and if_exists) or not isinstance(keys, dict):
                    return False
                if any(key.lower() not in CONDITION_KEYS for key in keys):
                    return False
        return True
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def request_values(url: str, headers) -> dict[str, str]:
    """The condition keys labkit evaluates, as they are in a request to ``url`` with ``headers``: keys absent
    from the request are absent here."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    values = {"aws:securetransport": "true" if (lowered.get("x-forwarded-proto") or _urlparse(url).scheme) == "https"
              else "false"}
    for key in CONDITION_KEYS[1:]:
        header = key.split(":", 1)[1]
        if header in lowered:
            values[key] = lowered[header]
    return values


def condition_holds(condition: dict, values: dict[str, str]) -> bool:
    """Whether a statement's ``Condition`` block holds for the request ``values`` (operators ANDed, keys ANDed,
    values of a key ORed; negated operators NOR), as "IAM JSON policy elements: Condition operators" describes."""
    for operator, keys in condition.items():
        base, if_exists = _split_operator(operator)
        for key, wanted in keys.items():
            wanted = [str(w).lower() if isinstance(w, bool) else str(w)
                      for w in (wanted if isinstance(wanted, list) else [wanted])]
            actual = values.get(key.lower())
            if base == "Null":
                if (actual is None) != (wanted[0].lower() == "true"):
                    return False
                continue
            if actual is None:
                if if_exists or base.startswith("StringNot"):
                    continue
                return False
            if base in ("Bool",) or base.endswith("IgnoreCase"):
                actual, wanted = actual.lower(), [w.lower() for w in wanted]
            matched = (any(_like(w, actual) for w in wanted) if base.endswith("Like") else actual in wanted)
            if matched == ("Not" in base):
                return False
    return True


def _permission(bucket, action: str, resource: str, values: dict[str, str]):
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    if action == "s3:HeadObject":  # moto names the action after the HTTP method; AWS's HeadObject needs s3:GetObject
        action = "s3:GetObject"  # ("HeadObject", Amazon S3 API Reference: "you must have the s3:GetObject permission")
    document = _json.loads(bucket.policy)
    statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
    allowed = False
    for statement in statements:
        if not condition_holds(statement.get("Condition") or {}, values):
            continue
        unconditional = {k: v for k, v in statement.items() if k != "Condition"}
        result = IAMPolicyStatement(unconditional).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return result
        allowed = allowed or result == PermissionResult.PERMITTED
    return PermissionResult.PERMITTED if allowed else PermissionResult.NEUTRAL


def _get_permission(original):
    def get_permission(self, action, resource):
        values = getattr(_request_context, "values", None)
        if self.policy is None or values is None or not conditions_supported(self.policy):
            return original(self, action, resource)
        return _permission(self, action, resource, values)
    get_permission.labkit_conditions = True
    get_permission.labkit_original = original
    return get_permission


def presigned_expired(url: str, now: _dt.datetime | None = None) -> bool:
    """True when ``url`` is a presigned S3 URL (SigV4 or SigV2) whose expiry has passed."""
    query = _parse_qs(_urlparse(url).query)
    now = now or _dt.datetime.now(_dt.timezone.utc)
    try:
        if "X-Amz-Expires" in query and "X-Amz-Date" in query:
            signed = _dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.timezone.utc)
            return now > signed + _dt.timedelta(seconds=int(query["X-Amz-Expires"][0]))
        if "Expires" in query and "Signature" in query:
            return now.timestamp() > int(query["Expires"][0])
    except (ValueError, IndexError):
        return False
    return False


def access_denied(message: str = "Access Denied"):
    """The (status, headers, body) of S3's AccessDenied error, as S3 answers it."""
    import uuid

    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            f"<Message>{message}</Message><RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId></Error>")
    return 403, {"Content-Type": "application/xml"}, body


CORS_REFUSED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
                "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
                "whitelisted by the resource's CORS spec.")


def _wildcard(pattern: str, value: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(value.lower(), pattern.lower().replace("[", "[[]"))


def preflight(rules, headers) -> tuple[int, dict[str, str]]:
    """S3's answer to a CORS preflight (OPTIONS) with request ``headers`` against a bucket's CORS ``rules``
    (moto's FakeCorsRule objects, or dicts shaped as PutBucketCors takes them): the first rule whose allowed
    origins, methods and headers all match gives 200 and the Access-Control-* headers; none gives 403
    ("Configuring cross-origin resource sharing (CORS)", "How Amazon S3 evaluates the CORS configuration")."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    origin, method = lowered.get("origin"), lowered.get("access-control-request-method")
    wanted = [h.strip() for h in lowered.get("access-control-request-headers", "").split(",") if h.strip()]
    for rule in rules or []:
        get = rule.get if isinstance(rule, dict) else lambda k, r=rule: getattr(r, {
            "AllowedOrigins": "allowed_origins", "AllowedMethods": "allowed_methods",
            "AllowedHeaders": "allowed_headers", "ExposeHeaders": "exposed_headers",
            "MaxAgeSeconds": "max_age_seconds"}[k], None)
        listed = lambda k: [str(v) for v in (get(k) or [])] if not isinstance(get(k), str) else [get(k)]  # noqa: E731
        if origin is None or method is None:
            break
        if not any(_wildcard(o, origin) for o in listed("AllowedOrigins")):
            continue
        if method.upper() not in [m.upper() for m in listed("AllowedMethods")]:
            continue
        if not all(any(_wildcard(a, h) for a in listed("AllowedHeaders")) for h in wanted):
            continue
        answer = {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": ", ".join(
            listed("AllowedMethods")), "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"}
        if wanted:
            answer["Access-Control-Allow-Headers"] = ", ".join(wanted)
        if listed("ExposeHeaders"):
            answer["Access-Control-Expose-Headers"] = ", ".join(listed("ExposeHeaders"))
        if get("MaxAgeSeconds") is not None:
            answer["Access-Control-Max-Age"] = str(get("MaxAgeSeconds"))
        return 200, answer
    return 403, {}


def _forbidden(message: str):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code>'
            f"<Message>{message}</Message><Method>OPTIONS</Method><ResourceType>OBJECT</ResourceType></Error>")
    return 403, {"Content-Type": "application/xml"}, body


def _key_response(original):
    def key_response(self, request, full_url):
        if "Authorization" not in request.headers and presigned_expired(getattr(request, "url", None) or full_url):
            return access_denied("Request has expired")
        if request.method == "OPTIONS":
            try:
                bucket = self.backend.get_bucket(self.parse_bucket_name_from_url(request, full_url))
            except Exception:  # noqa: BLE001 - no such bucket: moto's own answer
                bucket = None
            if bucket is not None:
                if not bucket.cors:
                    return _forbidden("CORSResponse: CORS is not enabled for this bucket.")
                status, headers = preflight(bucket.cors, request.headers)
                return (200, headers, "") if status == 200 else _forbidden(CORS_REFUSED)
        _request_context.values = request_values(full_url, request.headers)  # (the URL for its scheme only)
        try:
            response = original(self, request, full_url)
        finally:
            _request_context.values = None
        if isinstance(response, tuple) and len(response) == 3 and response[0] == 403 and not response[2]:
            return access_denied()  # the bucket policy denied it: AWS says AccessDenied, moto said nothing
        return response
    key_response.labkit_conditions = True
    key_response.labkit_original = original
    return key_response


PATCHES.append(Patch(
    name="s3-bucket-policy-conditions",
    changes="Object requests are checked against the bucket policy with their context: aws:SecureTransport and "
            "the s3:x-amz-server-side-encryption(-aws-kms-key-id) headers under StringEquals/StringNotEquals/"
            "StringLike/StringNotLike/Bool/Null (…IfExists); a refusal is AccessDenied; an expired presigned URL "
            "is refused (AccessDenied, 'Request has expired'); a CORS preflight is answered by the first rule "
            "matching its origin, method and headers (moto matched the origin only).",
    symbols=("moto.s3.models.FakeBucket.get_permission", "moto.s3.responses.S3Response._key_response",
             "moto.iam.access_control.IAMPolicyStatement"),
    upstream="S3Response._key_response: pass the request's condition values to get_permission/"
             "IAMPolicy.is_action_permitted, and refuse a presigned URL past X-Amz-Date + X-Amz-Expires.",
))


def install_policy_conditions() -> None:
    """Patch moto's S3 for bucket-policy conditions and presigned-URL expiry (idempotent)."""
    from moto.s3 import models, responses

    if not getattr(models.FakeBucket.get_permission, "labkit_conditions", False):
        models.FakeBucket.get_permission = _get_permission(models.FakeBucket.get_permission)
    if not getattr(responses.S3Response._key_response, "labkit_conditions", False):
        responses.S3Response._key_response = _key_response(responses.S3Response._key_response)
