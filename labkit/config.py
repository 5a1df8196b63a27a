"""Settings read from the environment (the only place labkit reads os.environ for its own options)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlparse

from .errors import LabkitError

ENGINES = ("auto", "embedded", "browser", "ministack", "localstack", "aws")
AWS_CONFIRMATION = "I-understand-costs"


def check_endpoint_url(url: str) -> str:
    """``url`` (the AWS_ENDPOINT_URL an engine is reached at) when it is an http:// or https:// URL with a host.

    Raises LabkitError, one sentence saying what to write, otherwise: AWS_ENDPOINT_URL's valid values are a URL
    including the scheme and host ("Service-specific endpoints", AWS SDKs and Tools Reference Guide).
    """
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return url
    example = f" (for example AWS_ENDPOINT_URL=http://{url})" if "://" not in url else ""
    raise LabkitError(f"AWS_ENDPOINT_URL must start with http:// or https://: got {url!r}{example}.")


@dataclass(frozen=True)
class Settings:
    engine: str
    region: str
    prefix: str
    endpoint_url: str | None
    localstack_host: str | None
    aws_confirm: str
    account_id: str | None
    hub_service_url: str | None = None  # labkit's JupyterHub service (labkit.hub), set by the hub's configuration
    hub_token: str | None = None  # the single-user server's JUPYTERHUB_API_TOKEN
    hub_user: str | None = None  # JUPYTERHUB_USER: whose server this is

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
            hub_service_url=env.get("LABKIT_HUB_SERVICE_URL", "").strip() or None,
            hub_token=env.get("JUPYTERHUB_API_TOKEN", "").strip() or None,
            hub_user=env.get("JUPYTERHUB_USER", "").strip() or None,
        )
