"""Settings read from the environment (the only place labkit reads os.environ for its own options)."""
from __future__ import annotations

import os
from dataclasses import dataclass

ENGINES = ("auto", "embedded", "browser", "ministack", "localstack", "aws")
AWS_CONFIRMATION = "I-understand-costs"


@dataclass(frozen=True)
class Settings:
    engine: str
    region: str
    prefix: str
    endpoint_url: str | None
    localstack_host: str | None
    aws_confirm: str
    account_id: str | None

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        return cls(
            engine=env.get("LABKIT_ENGINE", "auto").strip().lower() or "auto",
            region=env.get("LABKIT_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            prefix=env.get("LABKIT_PREFIX", "dva"),
            endpoint_url=env.get("AWS_ENDPOINT_URL", "").strip() or None,
            localstack_host=env.get("LOCALSTACK_HOST", "").strip() or None,
            aws_confirm=env.get("LABKIT_AWS_CONFIRM", ""),
            account_id=env.get("LABKIT_ACCOUNT_ID", "").strip() or None,
        )
