"""Finding a request's account from its access key without building IAM backends that cannot hold it.

moto answers "which account owns this access key?" (every request that names no ``x-moto-account-id``) with
``moto.iam.models.get_account_id_from``, which reads ``iam_backends[account][partition]`` for all seven partitions
(aws, aws-cn, aws-us-gov, aws-iso…). Reading creates: on the first request, seven IAM backends, each parsing the
whole AWS managed-policy document and building a policy object for each of its more than a thousand policies
(measured: about 1 s and tens of MB before the first answer). A backend that does not exist yet holds no access
key, so looking only in the backends that exist gives the same answer. ``mark_account_as_visited`` (every
request) likewise builds the IAM backend of the request's account and partition just to find that it does not hold
the key: for an S3-only lab, the first answer waited for IAM's managed policies it never uses.

Upstream change (moto): ``get_account_id_from`` iterates ``account.values()`` (existing backends) instead of
indexing every partition, and ``mark_account_as_visited`` returns when the backend does not exist yet. ``tests/test_emulator_iam_accounts.py::test_moto_still_builds_every_partition`` fails
once moto does; then delete this module.
"""
from __future__ import annotations

from .registry import Patch

PATCHES = [
    Patch(
        name="iam-account-lookup",
        changes="moto.iam.models.get_account_id_from looks for the access key only in IAM backends that exist, "
                "instead of creating one per partition (each loading AWS's managed policies) to look.",
        symbols=("moto.iam.models.get_account_id_from", "moto.iam.models.iam_backends"),
        upstream="moto/iam/models.py get_account_id_from: iterate the existing backends (account.values()).",
    ),
    Patch(
        name="iam-visit-mark",
        changes="moto.iam.models.mark_account_as_visited returns at once when the IAM backend of the request's "
                "account and partition does not exist yet (it holds no access key to mark).",
        symbols=("moto.iam.models.mark_account_as_visited", "moto.utilities.utils.get_partition"),
        upstream="moto/iam/models.py mark_account_as_visited: look the backend up without creating it.",
    ),
]

_originals: dict = {}


def account_of(access_key: str) -> str:
    """The account whose IAM backend holds ``access_key``; moto's default account when none does (as moto)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    for account_id, account in list(iam_backends.items()):
        for backend in list(dict.values(account)):  # the partitions created so far, without creating others
            if access_key in backend.access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


def mark_visited(account_id: str, access_key: str, service: str, region: str) -> None:
    """moto's ``mark_account_as_visited``, unless the IAM backend it would look in does not exist yet."""
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    account = dict.get(iam_backends, account_id)
    if account is None or dict.get(account, get_partition(region)) is None:
        return  # a backend not built yet holds no access key: nothing to mark
    _originals["mark_account_as_visited"](account_id, access_key, service, region)


def install() -> None:
    """Replace moto's two functions (idempotent); moto imports them by name at call time, so the module's
    attributes are all there is to replace."""
    import moto.iam.models as iam_models

    for name, replacement in (("get_account_id_from", account_of), ("mark_account_as_visited", mark_visited)):
        if getattr(iam_models, name) is not replacement:
            _originals[name] = getattr(iam_models, name)
            setattr(iam_models, name, replacement)
