"""What exists on the engine, kind by kind, and how to delete it: the basis of cleanup and leftover checks.

Each module of this package registers the resource kinds of one or a few services with ``@kind``.
A kind lists identifiers (names, ids or ARNs) and deletes one by identifier; ``order`` puts dependants
first (a stack before what it made, a subnet before its VPC).
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable, Iterable

from botocore.exceptions import ClientError

from ..engines import moto_here
from ..errors import LabkitError


@dataclass(frozen=True)
class Kind:
    name: str
    service: str
    order: int
    list: Callable[[object], Iterable[str]]
    delete: Callable[[object, str], None]


KINDS: dict[str, Kind] = {}


def kind(name: str, service: str, order: int, delete: Callable[[object, str], None]):
    """Register the decorated lister as the resource kind ``name`` of ``service``."""
    def register(lister: Callable[[object], Iterable[str]]):
        KINDS[name] = Kind(name, service, order, lister, delete)
        return lister
    return register


def kinds_for(services: Iterable[str] | None = None) -> list[Kind]:
    """Registered kinds of these services (all when None), in deletion order."""
    load_all()
    wanted = None if services is None else set(services)
    return sorted((k for k in KINDS.values() if wanted is None or k.service in wanted),
                  key=lambda k: (k.order, k.name))


def moto_package(service: str) -> str:
    """The moto package that keeps ``service``'s resources, named as moto's ``moto.backends.get_backend`` names it
    (boto3's ``"cognito-idp"`` -> ``"moto.cognitoidp"``, ``"lambda"`` -> ``"moto.awslambda"``)."""
    from moto.backends import ALT_SERVICE_NAMES

    name = service.replace("-", "")
    return f"moto.{ALT_SERVICE_NAMES.get(name, name)}"


def kinds_in_use(engine) -> list[Kind]:
    """The kinds that may hold something on ``engine``, in deletion order: where moto answers in this process (the
    embedded and browser engines, :func:`labkit.engines.moto_here`) those of the services whose moto package is
    imported — moto keeps a service's resources in its package's backends, so a service never imported holds none,
    and listing it would only import it (seconds for all 35 on a 2-core machine); on any other engine every kind. For checks that list everything a lab left
    (tests/labnb.py)."""
    import sys

    if not moto_here(engine):
        return kinds_for()
    return [k for k in kinds_for() if moto_package(k.service) in sys.modules]


def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


class ListingFailed(LabkitError):
    """A kind could not be listed on an engine that should list it (raised by ``take(..., strict=True)``)."""


def take(engine, kinds: Iterable[Kind], strict: bool = False,
         refused: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Identifiers per kind as the engine reports them now: ``{kind name: {identifier, ...}}``.

    A kind whose list call the engine refuses (a ``ClientError``: a service LocalStack's community edition lacks,
    an operation an AWS account's policy denies) is left out, unless ``strict``: then the first refusal raises
    ``ListingFailed`` naming the kind and the engine's error code (tests use this on the embedded engine, where
    every kind must list). A caller that must not read a left-out kind as empty passes a dict as ``refused``:
    each left-out kind is recorded there as ``{kind name: the engine's error code}``.
    """
    clients: dict[str, object] = {}
    found = {}
    for k in kinds:
        client = clients.setdefault(k.service, engine.client(k.service))
        try:
            found[k.name] = set(k.list(client))
        except ClientError as error:
            problem = error.response.get("Error", {})
            if strict:
                raise ListingFailed(f"{k.name} could not be listed on the {engine.name} engine: "
                                    f"{problem.get('Code')}: {problem.get('Message')}") from error
            if refused is not None:
                refused[k.name] = error_code(error)
    return found


def error_code(error: ClientError) -> str:
    """The engine's error code of a refused call (``"AccessDeniedException"``), or ``"ClientError"`` without one."""
    return error.response.get("Error", {}).get("Code") or "ClientError"


def pages(client, operation: str, key: str, **kwargs) -> Iterable[dict]:
    """Every item under ``key`` across all pages of a paginated list operation."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])
