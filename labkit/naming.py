"""Unique, readable resource names: re-running a cell never collides with what an earlier run made."""
from __future__ import annotations

import re
import secrets
import string

from .config import Settings
from .errors import LabkitError

ALPHABET = string.ascii_lowercase + string.digits


def name(base: str, max_length: int = 63) -> str:
    """``name("orders")`` → ``dva-orders-k3x9q``: the course prefix, your word, a fresh suffix.

    Lower-case letters, digits and hyphens only, so the name is valid for S3 buckets and every other
    service the labs use. Raises LabkitError unless ``base`` is a string.
    """
    if not isinstance(base, str):
        raise LabkitError(f"name() takes a short word for what you are naming, e.g. name('orders'), not {base!r}")
    prefix = Settings.from_env().prefix
    slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "lab"
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(5))
    return f"{prefix}-{slug}"[: max_length - len(suffix) - 1] + f"-{suffix}"
