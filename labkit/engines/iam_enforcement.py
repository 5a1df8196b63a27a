"""IAM enforcement, as a lab uses it: requests signed with an IAM user's or a role session's keys are authorized
against their policies, as AWS does; the engine's own (emulator) credentials stay unrestricted.

    from labkit.engines.iam_enforcement import enforce_iam

    with enforce_iam():
        s3_as_alice.get_object(...)   # AccessDenied unless alice's policies allow it

On the embedded engine the work is done by :mod:`labkit.emulator.iam` (which wraps moto's authorization, adds
session policies, and lists what is not evaluated: conditions, resource-based policies, permissions boundaries,
SCPs, resource ARNs of most services). On LocalStack (free edition) nothing is enforced and on AWS everything
always is: there ``enforce_iam`` changes nothing and ``enforcement_available()`` tells the lab which case it is in.
"""
from __future__ import annotations

from contextlib import contextmanager

from ..emulator.iam import disable, enable, is_enforcing
from . import current, moto_here

__all__ = ["enforce_iam", "enforcement_available", "is_enforcing", "enable", "disable"]


def enforcement_available(engine=None) -> str:
    """``"enforced"`` (embedded and browser engines, via this module), ``"always"`` (AWS) or ``"none"`` (LocalStack)."""
    engine = engine or current()
    return "enforced" if moto_here(engine) else {"aws": "always"}.get(engine.name, "none")


@contextmanager
def enforce_iam():
    """Within the block, the embedded engine authorizes every request not signed with the engine's own key."""
    enable()
    try:
        yield
    finally:
        disable()
