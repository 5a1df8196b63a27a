"""IAM enforcement on the embedded engine: requests signed with an IAM user's or a role session's keys are
authorized against their policies, as AWS does; the engine's own (emulator) credentials stay unrestricted.

    from labkit.engines.iam_enforcement import enforce_iam

    with enforce_iam():
        s3_as_alice.get_object(...)   # AccessDenied unless alice's policies allow it

moto can check IAM itself (``settings.INITIAL_NO_AUTH_ACTION_COUNT``), but then *every* request must be signed by
an IAM identity, including the lab's own set-up and cleanup calls. This module turns moto's check on only for
requests that carry an access key other than the engine's own, so a lab can keep working as the account's
administrator while it watches the learner's user being allowed or denied.

One addition to what moto's checker does (following the IAM User Guide's evaluation logic): a **session policy**
passed to ``sts:AssumeRole`` (``Policy=``) caps the role session: a request is allowed only when the role's
policies allow it *and* the session policy allows it (moto ignores session policies).

What moto still does not do: resource-based policies (bucket policies, key policies), permissions boundaries,
SCPs, ``Condition`` blocks in identity policies (moto has no request context for them, so a conditional
statement applies as if its condition held), and resource ARNs for services other than S3, SQS, IAM and STS
(there moto checks the action against ``Resource: "*"`` only). Labs that enforce IAM should use S3 for
resource-level examples.

On LocalStack (free edition) nothing is enforced and on AWS everything always is: there ``enforce_iam`` changes
nothing and ``enforcement_available()`` tells the lab which case it is in.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlparse

from . import current
from .base import EMULATOR_CREDENTIALS

_lock = threading.Lock()
_active = 0  # nesting depth of enforce_iam() / enable() across threads (the server runs in other threads)
_installed = False


def enforcement_available(engine=None) -> str:
    """``"enforced"`` (embedded engine, via this module), ``"always"`` (AWS) or ``"none"`` (LocalStack)."""
    engine = engine or current()
    return {"embedded": "enforced", "aws": "always"}.get(engine.name, "none")


def is_enforcing() -> bool:
    return _active > 0


def enable() -> None:
    """Start enforcing IAM for requests signed with IAM users' and role sessions' keys (embedded engine)."""
    global _active
    _install()
    with _lock:
        _active += 1


def disable() -> None:
    global _active
    with _lock:
        _active = max(0, _active - 1)


@contextmanager
def enforce_iam():
    """Within the block, the embedded engine authorizes every request not signed with the engine's own key."""
    enable()
    try:
        yield
    finally:
        disable()


def _access_key_of(headers) -> str | None:
    authorization = headers.get("Authorization") or ""
    if "Credential=" not in authorization:
        return None
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def _install() -> None:
    """Wrap moto's authorization hook once (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.core.authorization import ActionAuthenticatorMixin

    original = ActionAuthenticatorMixin._authenticate_and_authorize_action

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
    _installed = True


_subclasses: dict[type, type] = {}


def _with_session_policies(base: type) -> type:
    """A subclass of moto's IAMRequest/S3IAMRequest that also applies the role session's session policy."""
    if base in _subclasses:
        return _subclasses[base]
    from moto.iam.access_control import AssumedRoleAccessKey, IAMPolicy, PermissionResult
    from moto.sts.models import sts_backends

    class SessionAwareRequest(base):
        def check_action_permitted(self, resource: str) -> None:
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
