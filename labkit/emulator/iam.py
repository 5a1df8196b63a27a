"""IAM enforcement on the embedded engine: requests signed with an IAM user's or a role session's keys are
authorized against their policies, as AWS does; the engine's own (emulator) credentials stay unrestricted.

Labs use it through :func:`labkit.engines.iam_enforcement.enforce_iam` (``with enforce_iam(): ...``); this module
holds the moto side.

moto can check IAM itself (``settings.INITIAL_NO_AUTH_ACTION_COUNT``), but then *every* request must be signed by
an IAM identity, including the lab's own set-up and cleanup calls. This module wraps moto's check
(``ActionAuthenticatorMixin._authenticate_and_authorize_action``) so that it runs only for requests that carry an
access key other than the engine's own, so a lab can keep working as the account's administrator while it watches
the learner's user being allowed or denied. The wrapper is installed on the first :func:`enable`.

One addition to what moto's checker does (following "Policy evaluation logic" in the IAM User Guide): a **session
policy** passed to ``sts:AssumeRole`` (``Policy=``) caps the role session: a request is allowed only when the
role's policies allow it *and* the session policy allows it (moto 5.2.5 ignores session policies).
Upstream change (moto): ``IAMRequestBase.check_action_permitted`` could also evaluate the ``policy`` of the
``AssumedRole`` the access key belongs to. ``tests/test_emulator_iam.py::test_moto_still_ignores_session_policies``
fails once moto does; then drop :func:`_with_session_policies`.

What moto still does not do is listed in ``DIFFERENCES`` below (the book's "How the emulator differs from AWS").
"""
from __future__ import annotations

import threading
from urllib.parse import urlparse

from .notices import notice
from .registry import Difference, Patch

__all__ = ["enable", "disable", "is_enforcing", "install_hook"]

PATCHES = [
    Patch(
        name="iam-enforcement",
        changes="Runs moto's IAM authorization only for requests signed with an IAM user's or role session's key, "
                "and only while a lab enforces IAM (labkit.engines.iam_enforcement.enforce_iam).",
        symbols=("moto.core.authorization.ActionAuthenticatorMixin._authenticate_and_authorize_action",
                 "moto.core.authorization.ActionAuthenticatorMixin.PUBLIC_OPERATIONS"),
        upstream="None: moto's all-or-nothing switch (INITIAL_NO_AUTH_ACTION_COUNT) is by design.",
    ),
    Patch(
        name="iam-session-policies",
        changes="A session policy passed to AssumeRole narrows the role session (moto ignores it).",
        symbols=("moto.iam.access_control.IAMRequestBase.check_action_permitted",
                 "moto.iam.access_control.AssumedRoleAccessKey", "moto.iam.access_control.IAMPolicy",
                 "moto.iam.access_control.PermissionResult", "moto.sts.models.sts_backends"),
        upstream="moto/iam/access_control.py: evaluate the assumed role's session policy in check_action_permitted.",
    ),
]

DIFFERENCES = [
    Difference(
        id="iam-conditions-not-evaluated",
        service="IAM",
        aws="A policy statement with a Condition block applies only when its conditions match the request context "
            "(aws:SourceIp, aws:SecureTransport, aws:MultiFactorAuthAge, …).",
        engine="Identity-policy conditions are not evaluated: a conditional statement applies as if its condition "
               "held, so a conditional Allow always allows and a conditional Deny always denies.",
        doc="IAM JSON policy elements: Condition",
        labs=("iam",),
    ),
    Difference(
        id="iam-resource-based-policies-not-evaluated",
        service="IAM",
        aws="Resource-based policies (bucket policies, key policies, queue policies…) take part in every "
            "authorization decision together with the caller's identity-based policies.",
        engine="Under enforce_iam only the caller's identity-based policies (and a role session's session policy) "
               "are evaluated; resource-based policies are stored but not consulted.",
        doc="Policy evaluation logic",
        labs=("iam", "kms"),
    ),
    Difference(
        id="iam-boundaries-and-scps-not-evaluated",
        service="IAM",
        aws="Permissions boundaries, AWS Organizations service control policies (SCPs) and resource control "
            "policies (RCPs) limit the maximum permissions a principal can have.",
        engine="Permissions boundaries, SCPs and RCPs are stored (where the engine models them) but never limit "
               "a request.",
        doc="Policy evaluation logic",
        labs=("iam",),
    ),
    Difference(
        id="iam-resource-arns-partly-checked",
        service="IAM",
        aws="A statement's Resource element is matched against the ARN of the resource each request acts on, "
            "in every service (for example arn:aws:ssm:…:parameter/app/prod/*).",
        engine="Resource ARNs are matched only for S3, SQS, IAM and STS requests; for other services a statement "
               "is matched as if the request's resource were \"*\".",
        doc="IAM JSON policy elements: Resource",
        labs=("iam", "parameter-store"),
    ),
]

_lock = threading.Lock()
_active = 0  # nesting depth of enable() across threads (the server runs in other threads)
_original = None


def is_enforcing() -> bool:
    """True while at least one :func:`enable` is not matched by a :func:`disable`."""
    return _active > 0


def enable() -> None:
    """Start enforcing IAM for requests signed with IAM users' and role sessions' keys (embedded engine)."""
    global _active
    install_hook()
    with _lock:
        _active += 1


def disable() -> None:
    """Undo one :func:`enable` (never below zero)."""
    global _active
    with _lock:
        _active = max(0, _active - 1)


def _access_key_of(headers) -> str | None:
    authorization = headers.get("Authorization") or ""
    if "Credential=" not in authorization:
        return None
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def install_hook() -> None:
    """Wrap moto's authorization hook once per process (idempotent); called by the first :func:`enable`."""
    global _original
    if _original is not None:
        return
    from moto.core.authorization import ActionAuthenticatorMixin

    from ..engines.base import EMULATOR_CREDENTIALS

    original = _original = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def authorize(self, iam_request_cls, resource: str = "*") -> None:
        key = _access_key_of(self.headers)
        if (not _active or key is None or key == EMULATOR_CREDENTIALS["aws_access_key_id"]
                or self.headers.get("X-Amz-Target") in ActionAuthenticatorMixin.PUBLIC_OPERATIONS):
            return original(self, iam_request_cls, resource)
        parsed_url = urlparse(self.uri)
        path = self.raw_path + ("?" + parsed_url.query if parsed_url.query else "")
        request = _with_session_policies(iam_request_cls)(
            account_id=self.current_account, method=self.method, path=path, data=self.data,
            body=self.raw_body, headers=self.headers, action=self._get_action())
        request.check_signature()
        request.check_action_permitted(resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize


def has_condition(policies) -> bool:
    """True when one of moto's collected ``policies`` (documents or managed policies) has a Condition block."""
    from moto.iam.access_control import IAMPolicy

    for policy in policies:
        try:
            statements = IAMPolicy(policy)._policy_json.get("Statement", [])
        except (ValueError, KeyError, TypeError, StopIteration):
            continue
        if any(isinstance(s, dict) and s.get("Condition")
               for s in (statements if isinstance(statements, list) else [statements])):
            return True
    return False


_subclasses: dict[type, type] = {}


def _with_session_policies(base: type) -> type:
    """A subclass of moto's IAMRequest/S3IAMRequest that also applies the role session's session policy."""
    if base in _subclasses:
        return _subclasses[base]
    from moto.iam.access_control import AssumedRoleAccessKey, IAMPolicy, PermissionResult
    from moto.sts.models import sts_backends

    class SessionAwareRequest(base):
        def check_action_permitted(self, resource: str) -> None:
            if self._action != "sts:GetCallerIdentity" and has_condition(self._access_key.collect_policies()):
                notice("iam-conditions-not-evaluated")
            super().check_action_permitted(resource)
            if self._action == "sts:GetCallerIdentity" or not isinstance(self._access_key, AssumedRoleAccessKey):
                return
            partition = self._access_key.partition
            session = next((r for r in sts_backends[self.account_id][partition].assumed_roles
                            if r.access_key_id == self._access_key._access_key_id), None)
            if session is None or not session.policy:
                return
            if IAMPolicy(session.policy).is_action_permitted(self._action, resource) != PermissionResult.PERMITTED:
                self._raise_access_denied()

    SessionAwareRequest.__name__ = f"SessionAware{base.__name__}"
    _subclasses[base] = SessionAwareRequest
    return SessionAwareRequest


