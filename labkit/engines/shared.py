"""A shared embedded engine served by ``python -m labkit serve`` (workshops): one account per student."""
from __future__ import annotations

from .base import Engine, get_json
from .wsgi import HEALTH_PATH

DEFAULT_ACCOUNT = "123456789012"


def labkit_health(url: str, timeout: float = 1.0) -> dict | None:
    """The health document of a labkit server at ``url``, or None when something else (or nothing) answers."""
    document = get_json(url.rstrip("/") + HEALTH_PATH, timeout)
    return document if document and "labkit" in document else None


def add_account_header(client, account_id: str):
    """moto serves the account named by the ``x-moto-account-id`` header: each student gets their own."""
    def add(request, **_):
        request.headers["x-moto-account-id"] = account_id

    client.meta.events.register("before-sign.*.*", add)
    return client


class SharedEngine(Engine):
    """Someone else's labkit engine; this kernel's requests carry its account id."""

    def __init__(self, region: str, url: str, account_id: str | None):
        super().__init__(name="shared", region=region, endpoint_url=url, account_id=account_id or DEFAULT_ACCOUNT)

    def _with_account(self, client):
        return add_account_header(client, self.account_id)

    def describe(self) -> dict:
        return {**super().describe(), "account": self.account_id}
