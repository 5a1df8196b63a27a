"""Real AWS: only on explicit opt-in, with the default credential chain and prefixed names."""
from __future__ import annotations

from ..config import AWS_CONFIRMATION, Settings
from ..errors import AwsNotConfirmed
from .base import Engine


class AwsEngine(Engine):
    """AWS's own endpoints; costs money, so it exists only when the learner confirmed it."""

    def __init__(self, settings: Settings):
        if settings.aws_confirm != AWS_CONFIRMATION:
            raise AwsNotConfirmed(
                "LABKIT_ENGINE=aws runs the labs against real AWS, which can cost money. To confirm, also set "
                f"LABKIT_AWS_CONFIRM={AWS_CONFIRMATION} (and LABKIT_PREFIX to a name of your own); run every "
                "lab's Cleanup section. Otherwise unset LABKIT_ENGINE to use the free embedded engine.")
        super().__init__(name="aws", region=settings.region, credentials={})  # default credential chain

    def describe(self) -> dict:
        account = self.client("sts").get_caller_identity()["Account"]
        return {**super().describe(), "account": account}
