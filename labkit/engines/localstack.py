"""The LocalStack engine: any LocalStack endpoint, found the way localstack-client finds it."""
from __future__ import annotations

import socket

from localstack_client import config as localstack_config

from ..errors import EngineUnavailable
from .base import Engine, Lack, get_json, lacking

HEALTH_PATH = "/_localstack/health"
CORE_VERSION = "2026.3.0"  # the last open-source localstack-core, the one tests/localstack.py runs

# What the LocalStack core lacks, by capability (``Lack``: labkit/engines/base.py): a lab naming one in
# ``labkit.require(..., needs=[...])`` stops in Setup on that version; a probe of each in tests/test_localstack.py.
LACKS = {
    "logs:Logs Insights stats": Lack(
        CORE_VERSION, f"LocalStack {CORE_VERSION} answers a Logs Insights query with stats (avg, count… by a field) "
        "with the matching log events themselves, unaggregated, where AWS returns one row per group with each "
        "statistic (stats, Amazon CloudWatch Logs User Guide)"),
    "logs:embedded metric format extraction": Lack(
        CORE_VERSION, f"LocalStack {CORE_VERSION} records no metric from a log event in the embedded metric format, "
        "where CloudWatch Logs extracts the metric values its _aws member declares (Specification: Embedded metric "
        "format, Amazon CloudWatch User Guide)"),
}


def edge_url(endpoint_url: str | None, localstack_host: str | None) -> str:
    """AWS_ENDPOINT_URL wins; otherwise LOCALSTACK_HOST (default localhost:4566), as localstack-client does."""
    if endpoint_url:
        return endpoint_url.rstrip("/")
    return localstack_config.get_service_endpoints(localstack_host)["s3"]


def health(url: str, timeout: float = 2.0) -> dict | None:
    """LocalStack's health document, or None when nothing (or something else) answers there."""
    document = get_json(url + HEALTH_PATH, timeout)
    return document if document and "services" in document else None


def localstack_info(url: str) -> dict:
    """LocalStack's ``/_localstack/info`` document (version, edition, whether it runs in Docker)."""
    return get_json(url + "/_localstack/info", timeout=2) or {}


def docker_daemon_answers(socket_path: str = "/var/run/docker.sock") -> bool:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(1)
        try:
            sock.connect(socket_path)
        except OSError:
            return False
    return True


class LocalStackEngine(Engine):
    """A LocalStack gateway; which services it offers comes from its health endpoint."""

    def __init__(self, region: str, url: str, account_id: str | None = None):
        super().__init__(name="localstack", region=region, endpoint_url=url, account_id=account_id or "000000000000")
        if account_id:  # LocalStack takes a 12-digit access key as the account id
            self.credentials = {"aws_access_key_id": account_id, "aws_secret_access_key": "testing"}
        self._health: dict | None = None
        self._answering: set[str] = set()

    def health(self) -> dict:
        if self._health is None:
            self._health = health(self.endpoint_url)
        if self._health is None:
            raise EngineUnavailable(
                f"No LocalStack answers at {self.endpoint_url}{HEALTH_PATH}. Start it (`docker compose up -d` "
                "in the course folder), fix AWS_ENDPOINT_URL / LOCALSTACK_HOST, or unset LABKIT_ENGINE, "
                "AWS_ENDPOINT_URL and LOCALSTACK_HOST to use the embedded engine.")
        return self._health

    def endpoint_for(self, service: str) -> str:
        return self.endpoint_url

    def unavailable(self, services: list[str]) -> dict[str, str]:
        """Services missing from this LocalStack: not in its edition, disabled, or not answering their probe."""
        from ..probes import probe

        document = self.health()
        offered = document.get("services", {})
        edition = document.get("edition") if document.get("edition") not in (None, "unknown") else "community"
        reasons = {}
        for service in services:
            status = offered.get(service)
            if status is None:
                reasons[service] = f"not available on LocalStack {edition} (needs a LocalStack license)"
            elif status in ("disabled", "error"):
                reasons[service] = f"{status} on this LocalStack"
            elif service not in self._answering:
                problem = probe(self, service)
                if problem:
                    reasons[service] = f"does not answer on this LocalStack ({problem}; offline, LocalStack " \
                                       "downloads some emulators on first use)"
                else:
                    self._answering.add(service)
        if "lambda" in services and "lambda" not in reasons and not self.runs_lambda_code():
            reasons["lambda"] = ("LocalStack runs Lambda functions in Docker containers, and it has no Docker "
                                 "here (it runs on the host and no Docker daemon answers)")
        return reasons

    def lacks(self, needs: list[str]) -> dict[str, str]:
        """The capabilities in ``needs`` this LocalStack's version lacks (``LACKS``), each with its reason.

        Only on the version each lack was probed on (its health document's ``version``): another version is not
        assumed to share it."""
        return lacking(LACKS, self.health().get("version", "?"), needs)

    def runs_lambda_code(self) -> bool:
        """LocalStack executes functions in containers: possible inside Docker, or on a host with a daemon."""
        info = localstack_info(self.endpoint_url)
        return bool(info.get("is_docker")) or docker_daemon_answers()

    def describe(self) -> dict:
        document = health(self.endpoint_url) or {}
        return {**super().describe(), "localstack_version": document.get("version", "?"),
                "edition": document.get("edition", "?")}
