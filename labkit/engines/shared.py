"""A shared embedded engine served by ``python -m labkit serve`` (workshops): one account per student."""
from __future__ import annotations

import os

from ..emulator.notices import HEADER, ids_in_header, notice_from_server
from .base import Engine, get_json
from .wsgi import HEALTH_PATH

DEFAULT_ACCOUNT = "123456789012"


def labkit_health(url: str, timeout: float = 1.0) -> dict | None:
    """The health document of a labkit server at ``url``, or None when something else (or nothing) answers."""
    document = get_json(url.rstrip("/") + HEALTH_PATH, timeout)
    return document if document and "labkit" in document else None


def add_account_header(client, account_id: str, presigned: bool = True):
    """moto serves the account named by the ``x-moto-account-id`` header: each student gets their own.

    ``presigned=False``: not on presigned URLs. Whoever fetches one (a browser, curl) sends no such header, so a
    signature that covered it would never match; with a workshop key the server takes the account from the key.
    """
    def add(request, **_):
        if presigned or not request.context.get("is_presign_request"):
            request.headers["x-moto-account-id"] = account_id

    client.meta.events.register("before-sign.*.*", add)
    return client


def show_server_notices(client):
    """Show, in the cell that made the call, the "Differs from AWS" notices the server names in a response's
    ``x-labkit-differences`` header (:class:`labkit.engines.wsgi.NoticeHeader`), each once per kernel, as the
    embedded engine does (:mod:`labkit.emulator.notices`). Registered on botocore's ``after-call`` event, which
    fires for error answers too, with the last HTTP response of the call."""
    def show(http_response=None, **_):
        headers = getattr(http_response, "headers", None)
        value = headers.get(HEADER) if headers is not None else None  # botocore's headers: any case
        for difference_id in ids_in_header(value):
            notice_from_server(difference_id)

    client.meta.events.register("after-call.*.*", show)
    return client


KEY_VARIABLES = ("LABKIT_ACCESS_KEY_ID", "LABKIT_SECRET_ACCESS_KEY")


def explicit_key() -> dict | None:
    """The workshop key set in the environment (LABKIT_ACCESS_KEY_ID and LABKIT_SECRET_ACCESS_KEY), as botocore
    credentials; None when either is unset."""
    if all(os.environ.get(v, "").strip() for v in KEY_VARIABLES):
        return {"aws_access_key_id": os.environ[KEY_VARIABLES[0]].strip(),
                "aws_secret_access_key": os.environ[KEY_VARIABLES[1]].strip()}
    return None


class SharedEngine(Engine):
    """Someone else's labkit engine (``python -m labkit serve``).

    With a workshop key (``credentials``, or LABKIT_ACCESS_KEY_ID and LABKIT_SECRET_ACCESS_KEY in the environment)
    requests are signed with it and the server takes the account from the key; the account header is sent only
    when ``account_id`` is given (the server refuses it if it names another account). Without a key (a server in
    open mode) requests carry the account id header, DEFAULT_ACCOUNT when none is given.
    """

    def __init__(self, region: str, url: str, account_id: str | None, credentials: dict | None = None):
        if credentials is None:
            credentials = explicit_key()
        self.keyed = credentials is not None
        self.sends_account = account_id is not None or not self.keyed
        super().__init__(name="shared", region=region, endpoint_url=url, account_id=account_id or DEFAULT_ACCOUNT)
        if credentials is not None:
            self.credentials = dict(credentials)
            if account_id is None:  # the server knows it from the key: ask (STS GetCallerIdentity)
                self.account_id = self._account_of_key()

    def _account_of_key(self) -> str | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client("sts").get_caller_identity()["Account"]
        except (BotoCoreError, ClientError):
            return None  # a refused key: every call will say why

    def client_config(self, service: str):
        """With a workshop key, S3 presigns with Signature Version 4 (botocore's ``s3v4``), the only presigned URLs
        a workshop server accepts (labkit.engines.sigv4); botocore's default in us-east-1 is Signature Version 2."""
        config = super().client_config(service)
        if service == "s3" and self.keyed:
            from botocore.config import Config

            config = config.merge(Config(signature_version="s3v4"))
        return config

    def _with_account(self, client):
        show_server_notices(client)
        if not self.sends_account:
            return client
        return add_account_header(client, self.account_id, presigned=not self.keyed)

    def describe(self) -> dict:
        return {**super().describe(), "account": self.account_id}
