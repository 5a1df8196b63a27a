"""What every engine offers: boto3 sessions and clients aimed at where the AWS API lives."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import boto3
from botocore.config import Config

EMULATOR_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
LABKIT_EMULATOR = ("embedded", "shared", "browser")
"""Engine names answered by labkit's emulator (:attr:`Engine.is_labkit_emulator`)."""
CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60)


def get_json(url: str, timeout: float) -> dict | None:
    """The JSON object served at ``url``, or None when nothing (or no JSON object) answers there."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            document = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


@dataclass(frozen=True)
class Lack:
    """A behaviour (capability) an emulator's ``version`` lacks, found by a probe of that version.

    A lab that relies on it names the capability in its Setup (``labkit.require(..., needs=["service:what"])``)
    and stops there with ``reason`` (one sentence: what the emulator does, what AWS documents and on which page),
    instead of failing, or showing a wrong answer, part-way. Each engine module that has lacks lists them in its
    ``LACKS`` (``ministack.py``, ``localstack.py``), each with a probe in its tests that must still find the lack on
    the pinned version, so an emulator that gains it is noticed.
    """

    version: str
    reason: str


def lacking(lacks: dict[str, Lack], version: str, needs: list[str]) -> dict[str, str]:
    """The capabilities in ``needs`` that ``lacks`` (an engine module's ``LACKS``) records for ``version``, each with
    its reason: a lack is known only on the version it was probed on, another version is not assumed to share it."""
    return {need: lacks[need].reason for need in needs if need in lacks and lacks[need].version == version}


@dataclass
class Engine:
    """An AWS API endpoint (None: AWS's own endpoints) and how to reach it."""

    name: str
    region: str
    endpoint_url: str | None = None
    credentials: dict = field(default_factory=lambda: dict(EMULATOR_CREDENTIALS))
    account_id: str | None = None
    _clients: dict = field(default_factory=dict, repr=False)
    _session: boto3.session.Session | None = field(default=None, repr=False)

    @property
    def is_labkit_emulator(self) -> bool:
        """True when this engine's answers come from labkit's emulator (moto plus labkit/emulator): in this kernel
        (``embedded``), in the book page (``browser``) or on a workshop's ``labkit serve`` (``shared``). Labs show the
        emulator's "Differs from AWS" notices (labkit.emulator.notices) only there: LocalStack, MiniStack and AWS
        answer with code of their own."""
        return self.name in LABKIT_EMULATOR

    def session(self) -> boto3.session.Session:
        """One boto3 session per engine: creating sessions and clients is the slow part of a call."""
        if self._session is None:
            self._session = boto3.session.Session(region_name=self.region, **self.credentials)
        return self._session

    def endpoint_for(self, service: str) -> str | None:
        return self.endpoint_url

    def client(self, service: str, **kwargs):
        """A client for ``service``; without extra arguments the same client is reused (clients are thread-safe)."""
        if not kwargs and service in self._clients:
            return self._clients[service]
        options = {"config": self.client_config(service), "endpoint_url": self.endpoint_for(service), **kwargs}
        client = self._with_account(self.session().client(service, **options))
        if not kwargs:
            self._clients[service] = client
        return client

    def resource(self, service: str, **kwargs):
        kwargs.setdefault("config", self.client_config(service))
        kwargs.setdefault("endpoint_url", self.endpoint_for(service))
        resource = self.session().resource(service, **kwargs)
        self._with_account(resource.meta.client)
        return resource

    def client_config(self, service: str):
        """The botocore Config of this engine's clients and resources for ``service``."""
        return CLIENT_CONFIG

    def _with_account(self, client):
        """Engines that isolate accounts per request (see EmbeddedEngine) add a header here."""
        return client

    def unavailable(self, services: list[str]) -> dict[str, str]:
        """Services this engine cannot offer, each with the reason; empty when all are there."""
        return {}

    def describe(self) -> dict:
        return {"engine": self.name, "endpoint": self.endpoint_url or "AWS", "region": self.region}

    def stop(self) -> None:
        """Release what the engine holds (nothing, for an endpoint someone else runs)."""
