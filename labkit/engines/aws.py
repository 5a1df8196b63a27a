"""Real AWS: only on explicit opt-in, with the default credential chain, prefixed names and run tags."""
from __future__ import annotations

from ..config import AWS_CONFIRMATION, Settings
from ..errors import AwsNotConfirmed
from .base import Engine


class AwsEngine(Engine):
    """AWS's own endpoints; costs money, so it exists only when the learner confirmed it.

    Every client it makes tags what the lab creates with the run tag (``labkit.tagging``), so ``cleanup()``
    finds and deletes all of it. ``endpoint_url``/``credentials`` exist for tests, which point it at the
    embedded engine posing as AWS; a learner never passes them.
    """

    def __init__(self, settings: Settings, endpoint_url: str | None = None, credentials: dict | None = None):
        if settings.aws_confirm != AWS_CONFIRMATION:
            raise AwsNotConfirmed(
                "LABKIT_ENGINE=aws runs the labs against real AWS, which can cost money. To confirm, also set "
                f"LABKIT_AWS_CONFIRM={AWS_CONFIRMATION} (and LABKIT_PREFIX to a name of your own); run every "
                "lab's Cleanup section. Otherwise unset LABKIT_ENGINE to use the free embedded engine.")
        super().__init__(name="aws", region=settings.region, endpoint_url=endpoint_url,
                         credentials=credentials or {})  # {}: the default credential chain

    def _with_account(self, client):
        from .. import tagging

        tagging.attach(client)
        return client

    def describe(self) -> dict:
        account = self.client("sts").get_caller_identity()["Account"]
        return {**super().describe(), "account": account}
