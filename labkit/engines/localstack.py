"""The LocalStack engine: any LocalStack endpoint, found the way localstack-client finds it."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from localstack_client import config as localstack_config

from ..errors import EngineUnavailable
from .base import Engine

HEALTH_PATH = "/_localstack/health"


def edge_url(endpoint_url: str | None, localstack_host: str | None) -> str:
    """AWS_ENDPOINT_URL wins; otherwise LOCALSTACK_HOST (default localhost:4566), as localstack-client does."""
    if endpoint_url:
        return endpoint_url.rstrip("/")
    return localstack_config.get_service_endpoints(localstack_host)["s3"]


def health(url: str, timeout: float = 2.0) -> dict | None:
    """LocalStack's health document, or None when nothing (or something else) answers there."""
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=timeout) as response:
            document = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return document if isinstance(document, dict) and "services" in document else None


class LocalStackEngine(Engine):
    """A LocalStack gateway; which services it offers comes from its health endpoint."""

    def __init__(self, region: str, url: str, account_id: str | None = None):
        super().__init__(name="localstack", region=region, endpoint_url=url, account_id=account_id or "000000000000")
        if account_id:  # LocalStack takes a 12-digit access key as the account id
            self.credentials = {"aws_access_key_id": account_id, "aws_secret_access_key": "testing"}
        self._health: dict | None = None

    def health(self) -> dict:
        if self._health is None:
            self._health = health(self.endpoint_url)
        if self._health is None:
            raise EngineUnavailable(
                f"No LocalStack answers at {self.endpoint_url}{HEALTH_PATH}. Start it (`docker compose up -d` "
                "in the course folder), fix AWS_ENDPOINT_URL / LOCALSTACK_HOST, or unset LABKIT_ENGINE to use "
                "the embedded engine.")
        return self._health

    def endpoint_for(self, service: str) -> str:
        return self.endpoint_url

    def unavailable(self, services: list[str]) -> dict[str, str]:
        document = self.health()
        offered = document.get("services", {})
        edition = document.get("edition", "community")
        reasons = {}
        for service in services:
            status = offered.get(service)
            if status is None:
                reasons[service] = f"not available on LocalStack {edition} (needs a LocalStack license)"
            elif status in ("disabled", "error"):
                reasons[service] = f"{status} on this LocalStack"
        return reasons

    def describe(self) -> dict:
        document = health(self.endpoint_url) or {}
        return {**super().describe(), "localstack_version": document.get("version", "?"),
                "edition": document.get("edition", "?")}
