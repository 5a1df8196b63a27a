"""labkit's account lookup gives moto's answer without building an IAM backend per partition (iam_accounts.py)."""
from __future__ import annotations

import moto.iam.models as iam_models
from moto.core import DEFAULT_ACCOUNT_ID

from labkit.emulator import iam_accounts

ACCOUNT = "246813579024"


def test_installed_where_moto_looks_it_up(engine):
    engine.client("s3").list_buckets()  # moto has loaded IAM's models: the patch is in
    assert iam_models.get_account_id_from is iam_accounts.account_of
    assert iam_models.mark_account_as_visited is iam_accounts.mark_visited


def test_same_account_as_moto_for_a_known_and_an_unknown_key(engine):
    iam = iam_models.iam_backends[ACCOUNT]["aws"]
    iam.create_user(region_name="us-east-1", user_name="lookup-user", path="/", tags=[])
    key = iam.create_access_key(user_name="lookup-user")
    original = iam_accounts._originals["get_account_id_from"]
    assert iam_accounts.account_of(key.access_key_id) == original(key.access_key_id) == ACCOUNT
    assert iam_accounts.account_of("AKIAUNKNOWNKEY000000") == DEFAULT_ACCOUNT_ID


def test_no_backend_is_built_to_look(engine):
    account = iam_models.iam_backends["135792468013"]
    iam_accounts.account_of("AKIAUNKNOWNKEY000000")
    iam_accounts.mark_visited("135792468013", "AKIAUNKNOWNKEY000000", "s3", "us-east-1")
    assert list(dict.keys(account)) == []


def test_moto_still_builds_every_partition(engine):
    """moto's own lookup creates an IAM backend for every partition; when this fails, moto looks only in those that
    exist: delete labkit/emulator/iam_accounts.py."""
    account = iam_models.iam_backends["975318642086"]
    iam_accounts._originals["get_account_id_from"]("AKIAUNKNOWNKEY000000")
    assert len(dict.keys(account)) > 1
