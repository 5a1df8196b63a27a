"""Workshop keys and SigV4 verification for ``python -m labkit serve --students N``: the account comes from the key.

Each student gets an access key id and a secret access key mapped to an account of their own (a JSON file the
instructor hands out, one entry per student). :class:`SigV4Gate` wraps the server's WSGI app and, for every
request, recomputes its Signature Version 4 signature with botocore's own signer (``SigV4Auth`` /
``S3SigV4Auth``, as in "Signing AWS API requests" / "Create a signed AWS API request" of the IAM User Guide) and
compares it with ``hmac.compare_digest``. A verified request is served in its key's account (the account header is
set by the server, never trusted from the client). Refused with HTTP 403 and an AWS-shaped error:

- no ``Authorization`` header: ``MissingAuthenticationToken`` (AWS "Common Errors");
- an access key id the server did not issue: ``InvalidClientTokenId`` (AWS "Common Errors");
- a signature that does not match, or a body whose SHA-256 is not the signed one: ``SignatureDoesNotMatch``;
- an S3 request naming a bucket of another account (S3 bucket names are global; cross-account bucket policies
  are not honoured), an ``x-moto-account-id`` header naming another account than the key's, an ARN (in the path, query
  or body of a non-S3 request) of another account (moto serves some ARNs across accounts, e.g. SNS Publish;
  this also refuses STS AssumeRole into another account), a StackSet operation targeting another account, a
  presigned URL signed with Signature Version 2, ``AccessDenied``;
- a request whose X-Amz-Date is more than 15 minutes from the server's clock (:func:`check_request_time`).

Presigned URLs (SigV4 query-string authentication) are verified the same way, with the key their
X-Amz-Credential names (:func:`verify_presigned`), and served in that key's account until they expire.

Served without a signature, as on AWS (:func:`public_data_plane`, :func:`unauthenticated_operation`): API Gateway
invoke URLs, a custom resource's ResponseURL, and the Amazon Cognito user pools operations AWS serves unsigned
(InitiateAuth, SignUp, ...); each finds its own account (the API, the request id, the app client or token), never
the caller's header.

One request into another account is served: a student's PutItem/CreateTable of the instructor's
``labkit-progress`` table (labkit.progress), the item's ``student`` set to the key's student name.

Temporary credentials that the server's own STS issued (the Lambda execution role's, given to a function's
environment) are verified the same way, with their session token, and act in the role's account; so is an active
access key of an IAM user a student created in their account (iam:CreateAccessKey), which acts in that account.
IAM policies are not enforced on this server: such a key may do whatever its account's issued key may.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import secrets
import string
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ..errors import LabkitError

FIRST_STUDENT_ACCOUNT = 100000000001
INSTRUCTOR_ACCOUNT = "999999999999"  # labkit.progress's default instructor account
UNSIGNED_PAYLOADS = ("UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
# a target account of a CloudFormation StackSet operation (query protocol: Accounts.member.N, DeploymentTargets too)
TARGET_ACCOUNT = re.compile(r"(?:^|&)(?:DeploymentTargets\.)?Accounts\.member\.\d+=(\d{12})(?=&|$)", re.MULTILINE)
ARN_ACCOUNT = re.compile(r"arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12}):")  # the account field of any ARN in a request
OPEN_PATHS = ("/_labkit/health",)  # tells a labkit server from another program; reveals no account's data


@dataclass(frozen=True)
class Key:
    """One issued key: who holds it and the account it acts in."""

    student: str
    account_id: str
    access_key_id: str
    secret_access_key: str


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def issue_keys(students: int) -> list[Key]:
    """``students`` student keys (accounts 100000000001, 100000000002, ...) plus the instructor's (999999999999).

    Access key ids look like AWS's long-term ones (``AKIA`` + 16 upper-case letters/digits, see "Understanding
    unique ID prefixes" in the IAM User Guide); secrets are 40 characters from ``secrets``. Raises LabkitError for
    a count below 1.
    """
    if students < 1:
        raise LabkitError(f"--students {students}: give the number of students, 1 or more.")
    upper = string.ascii_uppercase + string.digits
    secret_chars = string.ascii_letters + string.digits + "+/"
    keys = [Key(f"student-{n:02d}", f"{FIRST_STUDENT_ACCOUNT + n - 1:012d}",
                "AKIA" + _random(upper, 16), _random(secret_chars, 40)) for n in range(1, students + 1)]
    keys.append(Key("instructor", INSTRUCTOR_ACCOUNT, "AKIA" + _random(upper, 16), _random(secret_chars, 40)))
    return keys


def write_keys(keys: list[Key], path: str) -> None:
    """Write the keys as JSON (a list of objects), readable by the owner only; never overwrites a file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump([k.__dict__ for k in keys], out, indent=2)


def read_keys(path: str) -> list[Key]:
    """The keys of a file written by :func:`write_keys`; LabkitError saying what to do when it is missing/bad."""
    try:
        with open(path) as source:
            return [Key(**entry) for entry in json.load(source)]
    except FileNotFoundError:
        raise LabkitError(f"no key file at {path}: create one with `python -m labkit serve --students N "
                          f"--keys {path}`.") from None
    except (ValueError, TypeError) as exc:
        raise LabkitError(f"{path} is not a labkit key file ({exc}); issue new keys with --students N "
                          "and a new --keys path.") from None


class Refused(Exception):
    """A request the gate does not serve: an AWS error code and message (HTTP 403, or 400 for a malformed one)."""

    STATUS = {"AuthorizationQueryParametersError": "400 Bad Request"}

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message
        self.status = self.STATUS.get(code, "403 Forbidden")


def _assumed_role(access_key_id: str):
    """The role session that this server's STS issued for ``access_key_id`` (moto's records), or None."""
    from moto.sts.models import sts_backends

    for account in list(sts_backends.keys()):
        for partition in list(sts_backends[account].keys()):
            role = sts_backends[account][partition].get_assumed_role_from_access_key(access_key_id)
            if role is not None:
                return role
    return None


def _iam_user_key(access_key_id: str) -> tuple[str, str] | None:
    """(secret, account) of an active access key of an IAM user (iam:CreateAccessKey in a student's account, moto's
    records), or None. On AWS such a key acts in its user's account ("Manage access keys for IAM users")."""
    from moto.iam.models import iam_backends

    for account in list(iam_backends.keys()):
        for backend in list(iam_backends[account].values()):
            found = backend.access_keys.get(access_key_id)
            if found is not None and found.user_name and found.status == "Active":
                return found.secret_access_key, account
    return None


def _other_accounts_bucket(host: str, path: str, account: str) -> str | None:
    """A bucket this S3 request addresses (path-style or virtual-hosted) that another account owns, or None.

    S3 bucket names are global (moto keeps one name table for all accounts), so without this check a student
    could read another's objects by naming the bucket. Bucket policies granting other accounts are not honoured.
    """
    from urllib.parse import unquote

    from moto.s3.models import s3_backends

    candidates = {unquote(path.lstrip("/").split("/", 1)[0]), host.split(":")[0].split(".")[0]}
    for name in candidates:
        owner = s3_backends.bucket_accounts.get(name)
        if owner is not None and owner[1] != account:
            return name
    return None


def _authorization_fields(value: str) -> dict[str, str]:
    algorithm, _, rest = value.partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        raise Refused("IncompleteSignature", f"only AWS4-HMAC-SHA256 (SigV4) is accepted, not {algorithm!r}")
    fields = {}
    for part in rest.split(","):
        name, _, field = part.strip().partition("=")
        fields[name] = field
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        raise Refused("IncompleteSignature", "the Authorization header lacks Credential, SignedHeaders or Signature")
    return fields


def _credentials(access_key_id: str, session_token: str | None, keys: dict[str, Key]):
    """(issued Key or None, secret, account, session token) of an access key id: an issued key, or temporary
    credentials this server's STS issued (with their session token); raises Refused for anything else."""
    key = keys.get(access_key_id)
    if key is not None:
        return key, key.secret_access_key, key.account_id, None
    if not session_token:
        user_key = _iam_user_key(access_key_id)
        if user_key is None:
            raise Refused("InvalidClientTokenId", f"the access key id {access_key_id} was not issued by this server")
        return None, user_key[0], user_key[1], None
    role = _assumed_role(access_key_id)
    if role is None:
        raise Refused("InvalidClientTokenId", f"the access key id {access_key_id} was not issued by this server")
    if not hmac.compare_digest(session_token, role.session_token):
        raise Refused("InvalidClientTokenId", "the security token does not belong to this access key id")
    return None, role.secret_access_key, role.account_id, role.session_token


MAX_SKEW = 15 * 60  # seconds between a request's X-Amz-Date and the server's clock
MAX_PRESIGNED_EXPIRES = 604800  # seven days, the longest X-Amz-Expires a SigV4 presigned URL may give
AMZ_DATE = "%Y%m%dT%H%M%SZ"


def _parse_amz_date(value: str):
    from datetime import datetime, timezone

    try:
        return datetime.strptime(value, AMZ_DATE).replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def check_request_time(amz_date: str, service: str, now=None) -> None:
    """Refuse a signed request whose X-Amz-Date is more than 15 minutes from the server's clock (a replayed or
    badly clocked request), as AWS does.

    AWS ("Common Errors", RequestExpired: more than 15 minutes after the date stamp on the request, or more than
    15 minutes in the future; "Troubleshoot signed requests for AWS APIs": the signature check fails with
    "Signature expired: <date> is now earlier than <date>" / "Signature not yet current: <date> is still later than
    <date>"). S3 answers such a request with RequestTimeTooSkewed (HTTP 403). ``now``: the server's time (a
    timezone-aware datetime; default the current UTC time). Raises :class:`Refused`.
    """
    from datetime import datetime, timedelta, timezone

    stamp = _parse_amz_date(amz_date)
    if stamp is None:
        raise Refused("SignatureDoesNotMatch", f"X-Amz-Date {amz_date!r} is not a date in the form {AMZ_DATE}")
    now = now or datetime.now(timezone.utc)
    window = timedelta(seconds=MAX_SKEW)
    if abs((now - stamp).total_seconds()) <= MAX_SKEW:
        return
    if service == "s3":
        raise Refused("RequestTimeTooSkewed", "The difference between the request time and the current time is "
                                              "too large.")
    if stamp < now:
        raise Refused("SignatureDoesNotMatch", f"Signature expired: {amz_date} is now earlier than "
                                               f"{(now - window).strftime(AMZ_DATE)}")
    raise Refused("SignatureDoesNotMatch", f"Signature not yet current: {amz_date} is still later than "
                                           f"{(now + window).strftime(AMZ_DATE)}")


def _scope_service(raw_uri: str) -> str:
    """The service of a presigned URL's X-Amz-Credential scope (``key/date/region/service/aws4_request``)."""
    from urllib.parse import parse_qs

    credential = parse_qs(raw_uri.partition("?")[2]).get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    return parts[3] if len(parts) == 5 else ""


def verify_presigned(method: str, raw_uri: str, headers: dict[str, list[str]], body: bytes,
                     keys: dict[str, Key], now=None):
    """(issued Key or None, account) of a correctly presigned URL (SigV4 query-string authentication); raises
    :class:`Refused` otherwise.

    The query carries X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and
    X-Amz-Signature (and X-Amz-Security-Token for temporary credentials), as in "Authenticating Requests: Using
    Query Parameters (AWS Signature Version 4)" of the Amazon S3 API Reference. The signature is recomputed with
    botocore's own query signer (``S3SigV4QueryAuth`` for S3, ``SigV4QueryAuth`` otherwise) and the key's secret,
    over the query without X-Amz-Signature; the URL is usable up to X-Amz-Date + X-Amz-Expires ("Download and upload
    objects with presigned URLs": it can be used many times, up to its expiration date and time). Refused:
    a parameter missing or X-Amz-Expires outside 1..604800 (``AuthorizationQueryParametersError``, HTTP 400 on
    AWS), an unknown key (``InvalidClientTokenId``), a URL used after it expired (``AccessDenied``, "Request has
    expired", as S3 answers), a changed URL or wrong secret (``SignatureDoesNotMatch``).
    """
    from datetime import datetime, timedelta, timezone
    from urllib.parse import parse_qsl

    from botocore.auth import S3SigV4QueryAuth, SigV4QueryAuth

    path, _, query = raw_uri.partition("?")
    pairs = query.split("&")
    params = dict(parse_qsl(query, keep_blank_values=True))
    needed = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
              "X-Amz-Signature")
    missing = [name for name in needed if not params.get(name)]
    if missing:
        raise Refused("AuthorizationQueryParametersError", f"the presigned URL lacks {', '.join(missing)}")
    if params["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        raise Refused("AuthorizationQueryParametersError", "X-Amz-Algorithm must be AWS4-HMAC-SHA256")
    try:
        access_key_id, date, region, service, terminator = params["X-Amz-Credential"].split("/")
        expires = int(params["X-Amz-Expires"])
    except ValueError:
        raise Refused("AuthorizationQueryParametersError", "X-Amz-Credential or X-Amz-Expires is malformed") from None
    if not 1 <= expires <= MAX_PRESIGNED_EXPIRES:
        raise Refused("AuthorizationQueryParametersError",
                      f"X-Amz-Expires must be between 1 and {MAX_PRESIGNED_EXPIRES} seconds, not {expires}")
    key, secret, account, token = _credentials(access_key_id, params.get("X-Amz-Security-Token"), keys)
    stamp = _parse_amz_date(params["X-Amz-Date"])
    if stamp is None or params["X-Amz-Date"][:8] != date:
        raise Refused("SignatureDoesNotMatch", "X-Amz-Date is malformed or differs from the Credential's date")

    unsigned = "&".join(p for p in pairs if not p.startswith("X-Amz-Signature="))
    host = (headers.get("host") or [""])[0]
    request = AWSRequest(method=method, url=f"http://{host}{path}" + (f"?{unsigned}" if unsigned else ""),
                         data=body)
    for name in params["X-Amz-SignedHeaders"].split(";"):
        for value in headers.get(name, []):
            request.headers.add_header(name, value)
    request.context["timestamp"] = params["X-Amz-Date"]
    signer = (S3SigV4QueryAuth if service == "s3" else SigV4QueryAuth)(Credentials(access_key_id, secret, token),
                                                                        service, region, expires=expires)
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    if terminator != "aws4_request" or not hmac.compare_digest(expected, params["X-Amz-Signature"]):
        raise Refused("SignatureDoesNotMatch", "the presigned URL's signature does not match the one computed with "
                                               "its key: the URL was changed after it was signed")
    now = now or datetime.now(timezone.utc)
    if now > stamp + timedelta(seconds=expires):
        raise Refused("AccessDenied", "Request has expired")
    return key, account


def verify(method: str, raw_uri: str, header_lines: list[tuple[str, str]], body: bytes,
           keys: dict[str, Key], now=None) -> str:
    """The account of a correctly signed request; raises :class:`Refused` otherwise.

    ``raw_uri``: path and query as sent (still percent-encoded); ``header_lines``: the headers as sent; ``now``:
    the server's clock (a timezone-aware datetime, default the current UTC time), for the request-time checks.
    Signed with an Authorization header, or presigned (:func:`verify_presigned`).
    """
    headers: dict[str, list[str]] = {}
    for name, value in header_lines:
        headers.setdefault(name.lower(), []).append(value)

    def header(name: str) -> str | None:
        return headers[name][0] if name in headers else None

    query = raw_uri.partition("?")[2]
    if "AWSAccessKeyId=" in query:
        raise Refused("AccessDenied", "presigned URLs signed with Signature Version 2 are not accepted by this "
                                      "workshop server: presign with Signature Version 4 (botocore's s3v4)")
    if "X-Amz-Signature=" in query or "X-Amz-Credential=" in query or "X-Amz-Algorithm=" in query:
        key, account = verify_presigned(method, raw_uri, headers, body, keys, now)
        return _in_own_account(key, account, header, raw_uri, body, "s3" if _scope_service(raw_uri) == "s3" else "")
    authorization = header("authorization")
    if not authorization:
        raise Refused("MissingAuthenticationToken", "the request is not signed: set LABKIT_ACCESS_KEY_ID and "
                                                    "LABKIT_SECRET_ACCESS_KEY (AWS CLI: AWS_ACCESS_KEY_ID and "
                                                    "AWS_SECRET_ACCESS_KEY) to the keys your instructor gave you")
    fields = _authorization_fields(authorization)
    try:
        access_key_id, date, region, service, terminator = fields["Credential"].split("/")
    except ValueError:
        raise Refused("IncompleteSignature", "the Credential of the Authorization header is malformed") from None
    key, secret, account, token = _credentials(access_key_id, header("x-amz-security-token"), keys)

    signed = fields["SignedHeaders"].split(";")
    if "host" not in signed:
        raise Refused("SignatureDoesNotMatch", "the Host header must be signed")
    request = AWSRequest(method=method, url="http://" + header("host") + raw_uri, data=body)
    for name in signed:
        for value in headers.get(name, []):
            request.headers.add_header(name, value)
    timestamp = header("x-amz-date") or ""
    request.context["timestamp"] = timestamp
    if timestamp[:8] != date:
        raise Refused("SignatureDoesNotMatch", "X-Amz-Date and the date of the Credential differ")
    declared = header("x-amz-content-sha256")
    if declared is not None and declared not in UNSIGNED_PAYLOADS \
            and not hmac.compare_digest(declared, hashlib.sha256(body).hexdigest()):
        raise Refused("SignatureDoesNotMatch", "the body's SHA-256 is not the signed X-Amz-Content-SHA256")
    signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(Credentials(access_key_id, secret, token),
                                                              service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if terminator != "aws4_request" or not hmac.compare_digest(expected, fields["Signature"]):
        raise Refused("SignatureDoesNotMatch", "the request signature does not match the one computed with your "
                                               "secret access key: check LABKIT_SECRET_ACCESS_KEY")
    check_request_time(timestamp, service, now)
    return _in_own_account(key, account, header, raw_uri, body, service)


def _in_own_account(key, account: str, header, raw_uri: str, body: bytes, service: str) -> str:
    """The account a verified request is served in; raises Refused when it reaches into another account."""
    named = header("x-moto-account-id")
    if key is not None and named == INSTRUCTOR_ACCOUNT != account and progress_write(header("x-amz-target"), body):
        return INSTRUCTOR_ACCOUNT  # a Check my work verdict for the instructor's dashboard (see progress_write)
    if named is not None and named != account:
        raise Refused("AccessDenied", f"your key acts in account {account}; this request names account {named}")
    if service == "s3":
        other = _other_accounts_bucket(header("host"), raw_uri.partition("?")[0], account)
        if other:
            raise Refused("AccessDenied", f"bucket {other} belongs to another account: on this workshop server "
                                          "a student reaches only their own account's buckets")
    text = unquote(raw_uri) + "\n" + unquote_plus(body.decode("utf-8", "replace")) if service != "s3" else ""
    for other in {match for match in TARGET_ACCOUNT.findall(text) if match != account}:
        raise Refused("AccessDenied", f"your key acts in account {account}; this request targets account {other} "
                                      "(a StackSet's stack instances): on this workshop server a student deploys only "
                                      "to their own account")
    for other in {match for match in ARN_ACCOUNT.findall(text) if match != account}:
        raise Refused("AccessDenied", f"your key acts in account {account}; this request names an ARN of account "
                                      f"{other}: on this workshop server a student reaches only their own account")
    return account


PROGRESS_TARGETS = ("DynamoDB_20120810.CreateTable", "DynamoDB_20120810.PutItem")


def progress_write(target: str | None, body: bytes) -> bool:
    """Whether a request into the instructor's account is one labkit.progress.record sends: CreateTable or PutItem
    of its ``labkit-progress`` table (the only way into the instructor's account with a student's key). The gate
    then writes the key's student name into the item, so a student records only their own verdicts."""
    from ..progress import TABLE

    if target not in PROGRESS_TARGETS:
        return False
    try:
        return json.loads(body or b"{}").get("TableName") == TABLE
    except (ValueError, AttributeError):
        return False


def own_progress_item(body: bytes, student: str) -> bytes:
    """The PutItem body with its ``student`` attribute set to the verified key's student name."""
    document = json.loads(body)
    if isinstance(document.get("Item"), dict):
        document["Item"]["student"] = {"S": student}
    return json.dumps(document).encode()


CFN_RESPONSE = re.compile(r"^/cloudformation_[\w-]+/cfnresponse$")
USER_POOL_KEYS = re.compile(r"^/[\w-]+_[0-9A-Za-z]+/\.well-known/(jwks\.json|openid-configuration)$")


def public_data_plane(path: str) -> bool:
    """Whether ``path`` is a route AWS serves without SigV4, which the gate passes on unsigned:

    - an API Gateway invoke URL (``/restapis/{api}/{stage}/_user_request_/...``): on AWS a REST API's
      ``execute-api`` URL is called without a signature unless a method uses AWS_IAM authorization; the API is
      found by its id in whichever account holds it, and its own authorizers, API keys and resource policy apply;
    - a custom resource's ``ResponseURL`` (``/cloudformation_{region}/cfnresponse?...&request={uuid}``): on AWS a
      presigned S3 URL the provider PUTs its answer to; here the engine accepts an answer only for a request id it
      is waiting for (a random UUID, known only to the function it sent the event to);
    - a Cognito user pool's public keys and OpenID configuration (``/{user pool id}/.well-known/jwks.json``,
      ``openid-configuration``): on AWS anyone fetches them to verify the pool's tokens ("Verifying a JSON Web
      Token" in the Amazon Cognito Developer Guide); they hold no secret.
    """
    from ..emulator.apigateway.routing import URL_PATTERN

    return bool(URL_PATTERN.match(path) or CFN_RESPONSE.match(path) or USER_POOL_KEYS.match(path))


UNAUTHENTICATED_SERVICES = {"cognito-idp": "AWSCognitoIdentityProviderService",  # botocore name: X-Amz-Target prefix
                            "cognito-identity": "AWSCognitoIdentityService"}
_unauthenticated: set[str] | None = None


def unauthenticated_operation(target: str | None) -> bool:
    """Whether ``target`` (an X-Amz-Target) is an Amazon Cognito operation that AWS serves unsigned.

    User pools: InitiateAuth, SignUp, GetUser (with an access token) and the like are public: the app client id, a
    session or the user's own token says which user pool (and so which account) the call is for ("Authorization for
    the Amazon Cognito user pools API": unauthenticated and token-authorized operations); moto finds the pool by the
    client id, session or token in whichever account holds it. Identity pools: GetId, GetCredentialsForIdentity and
    GetOpenIdToken name the identity pool or identity (:func:`identity_pool_account` finds its account). The set is
    the operations botocore's models mark as sent without a signature (``authtype: none``).
    """
    global _unauthenticated
    if not target:
        return False
    if _unauthenticated is None:
        import botocore.session

        session, found = botocore.session.get_session(), set()
        for service, prefix in UNAUTHENTICATED_SERVICES.items():
            model = session.get_service_model(service)
            found |= {f"{prefix}.{name}" for name in model.operation_names
                      if model.operation_model(name).auth_type == "none"}
        _unauthenticated = found
    return target in _unauthenticated


def identity_pool_account(body: bytes) -> str | None:
    """The account holding the identity pool (``IdentityPoolId``) or identity (``IdentityId``) an unsigned Amazon
    Cognito identity pools request names (moto's records), or None (then moto answers from no account's pools)."""
    from moto.cognitoidentity.models import cognitoidentity_backends

    try:
        document = json.loads(body or b"{}")
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    pool, identity = document.get("IdentityPoolId"), document.get("IdentityId")
    for account in list(cognitoidentity_backends.keys()):
        for backend in list(cognitoidentity_backends[account].values()):
            if pool in backend.identity_pools or any(
                    identity == i.get("IdentityId") for listed in list(backend.pools_identities.values())
                    for i in listed.get("Identities", [])):
                return account
    return None


JSON_SERVICES = {"lambda", "apigateway", "execute-api", "logs", "events", "states", "kinesis", "dynamodb", "sqs",
                 "secretsmanager", "ssm", "kms", "xray", "ecs", "ecr", "cognito-idp", "codedeploy", "codepipeline",
                 "codebuild"}


def error_response(code: str, message: str, service: str | None, json_protocol: bool,
                   status: str = "403 Forbidden") -> tuple[str, list, bytes]:
    """An error (``status``, 403 by default) in the shape the client's protocol parses: JSON (``__type``) or XML
    (``<Error><Code>``)."""
    headers = [("x-amzn-ErrorType", code)]
    if json_protocol:
        body = json.dumps({"__type": code, "message": message}).encode()
        headers.append(("Content-Type", "application/x-amz-json-1.1"))
    else:
        from xml.sax.saxutils import escape

        error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        body = (error if service == "s3" else f"<ErrorResponse>{error}</ErrorResponse>").encode()
        headers.append(("Content-Type", "application/xml"))
    return status, headers + [("Content-Length", str(len(body)))], body


def _access_key_id(lines: list[tuple[str, str]]) -> str:
    authorization = next((v for n, v in lines if n.lower() == "authorization"), "")
    return authorization.partition("Credential=")[2].split("/")[0]


class SigV4Gate:
    """WSGI middleware: serve only SigV4-verified requests, each in its key's account (see the module docstring)."""

    def __init__(self, app, keys: list[Key]):
        self.app = app
        self.keys = {k.access_key_id: k for k in keys}

    @staticmethod
    def _body(environ) -> bytes:
        """The request's body, its stream rewound for the app."""
        stream = environ["wsgi.input"]
        body = stream.read()
        stream.seek(0)
        return body

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") in OPEN_PATHS:
            return self.app(environ, start_response)
        if public_data_plane(environ.get("PATH_INFO", "")) or (
                not environ.get("HTTP_AUTHORIZATION") and unauthenticated_operation(environ.get("HTTP_X_AMZ_TARGET"))):
            environ.pop("HTTP_X_MOTO_ACCOUNT_ID", None)  # the route finds its own account; never the caller's say
            if (environ.get("HTTP_X_AMZ_TARGET") or "").startswith(UNAUTHENTICATED_SERVICES["cognito-identity"]):
                owner = identity_pool_account(self._body(environ))
                if owner is not None:
                    environ["HTTP_X_MOTO_ACCOUNT_ID"] = owner
            return self.app(environ, start_response)
        body = self._body(environ)
        lines = environ.get("labkit.header_lines") or [
            (name[5:].replace("_", "-"), value) for name, value in environ.items() if name.startswith("HTTP_")]
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        try:
            account = verify(environ["REQUEST_METHOD"], raw_uri, lines, body, self.keys)
        except Refused as refused:
            credential = dict(lines).get("Authorization") or dict(lines).get("authorization") or ""
            service = credential.split("Credential=")[-1].split("/")[3:4] if "Credential=" in credential else []
            service_name = service[0] if service else (_scope_service(raw_uri) or None)
            target = any(n.lower() == "x-amz-target" for n, _ in lines)
            json_protocol = target or service_name in JSON_SERVICES
            status, headers, payload = error_response(refused.code, refused.message, service_name, json_protocol,
                                                      refused.status)
            start_response(status, headers)
            return [payload]
        if account == INSTRUCTOR_ACCOUNT and environ.get("HTTP_X_AMZ_TARGET", "").endswith(".PutItem"):
            key = self.keys.get(_access_key_id(lines))
            if key is not None and key.account_id != INSTRUCTOR_ACCOUNT:
                body = own_progress_item(body, key.student)
                environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account
        return self.app(environ, start_response)
