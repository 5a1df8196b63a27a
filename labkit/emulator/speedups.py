"""Remember answers moto recomputes on every request, though they never change (measured: ~20 % of moto's time).

- ``camelcase_to_underscores`` turns each parameter and attribute name into snake case, character by character.
- ``method_names_from_class`` lists a response class's methods with ``inspect.getmembers`` on every call.
- ``DomainDispatcherApplication.get_backend_for_host`` lists moto's package folder on every request to map the
  Host header to a service (:func:`cache_host_lookup`; measured: about 1 ms per call).
- ``moto.core.utils._load_service_model`` makes a new botocore loader for each service model it reads, so each
  service's model file (S3's is several MB of JSON) is parsed again though the notebook's client has just parsed
  it: :func:`shared_loader` is one loader for moto and the embedded engine's boto3 session (botocore's loader
  caches what it has read; neither side changes a loaded model).

- Every botocore session moto makes (one for every backend's region list, three more while EC2's module imports,
  each for a single ``get_available_regions``) gets a new botocore loader, which parses ``endpoints.json`` (7 MB
  in memory) and the service's whole model again (EC2's: 14 MB) though the notebook's own clients hold the same:
  :func:`share_default_loader` has every session of this process that uses botocore's default data path read
  through :func:`shared_loader` (measured: about 60 MB less allocated when a lab first calls SSM, which loads EC2).

All depend only on their argument, so a cache changes no answer. moto's modules import the two helpers by name,
so the cached versions replace every reference already imported, and moto's own module for those imported later.

Upstream change (moto): ``functools.lru_cache`` on the two helpers in ``moto/core/utils.py`` and on
``get_backend_for_host``. ``tests/test_emulator_speedups.py::test_moto_still_recomputes`` fails once moto caches
them; then delete this module.
"""
from __future__ import annotations

import functools
import sys

from .registry import Patch

NAMES = ("camelcase_to_underscores", "method_names_from_class")

PATCHES = [
    Patch(
        name="speedups-helpers",
        changes="Caches moto.core.utils.camelcase_to_underscores and method_names_from_class (pure functions) "
                "wherever moto's modules imported them.",
        symbols=tuple(f"moto.core.utils.{name}" for name in NAMES),
        upstream="moto/core/utils.py: functools.lru_cache on both helpers.",
    ),
    Patch(
        name="speedups-service-models",
        changes="moto.core.utils._load_service_model reads service models through one shared botocore loader "
                "(also the embedded engine's session's), so each model file is parsed once per process.",
        symbols=("moto.core.utils._load_service_model", "moto.core.utils.create_loader"),
        upstream="moto/core/utils.py: create the loader once (module level) in _load_service_model.",
    ),
    Patch(
        name="speedups-host-lookup",
        changes="Caches the embedded engine's DomainDispatcherApplication.get_backend_for_host (per Host header).",
        symbols=("moto.moto_server.werkzeug_app.DomainDispatcherApplication.get_backend_for_host",),
        upstream="moto/moto_server/werkzeug_app.py: cache get_backend_for_host per host.",
    ),
    Patch(
        name="speedups-one-data-loader",
        changes="botocore.session.create_loader returns the shared loader for botocore's default data path, so each "
                "Session (moto makes several) reads endpoints.json and each service model once per process; a "
                "session given another data path (AWS_DATA_PATH) gets its own loader, as before.",
        symbols=("botocore.session.create_loader",),
        upstream="moto: one boto3 Session for region lists (moto/core/base_backend.py, "
                 "moto/ec2/models/availability_zones_and_regions.py make their own).",
    ),
]


def install() -> None:
    """Swap in the cached helpers (idempotent)."""
    import moto.core.utils as utils

    for name in NAMES:
        original = getattr(utils, name)
        if hasattr(original, "uncached"):
            continue
        faster = remembered(original)
        for module in list(sys.modules.values()):
            if getattr(module, name, None) is original:
                setattr(module, name, faster)
    global moto_load_service_model
    if utils._load_service_model is not load_service_model:
        moto_load_service_model = utils._load_service_model
        utils._load_service_model = load_service_model
    share_default_loader()


def share_default_loader() -> None:
    """Have botocore sessions that use the default data path read through :func:`shared_loader` (idempotent)."""
    import botocore.session

    original = botocore.session.create_loader
    if getattr(original, "labkit_shared", False):
        return

    @functools.wraps(original)
    def sharing_loader(search_path_string=None):
        return shared_loader() if search_path_string is None else original(search_path_string)

    sharing_loader.labkit_shared = True
    botocore.session.create_loader = sharing_loader


_loader = None
moto_load_service_model = None  # moto's own, once replaced (the guard test calls it)


def shared_loader():
    """The botocore data loader moto and the embedded engine's boto3 session share (made on first use)."""
    global _loader
    if _loader is None:
        from botocore.loaders import create_loader

        _loader = create_loader()
    return _loader


def load_service_model(service_name: str, model_name: str) -> dict:
    """moto's ``_load_service_model``, through :func:`shared_loader`."""
    return shared_loader().load_service_model(service_name, model_name)


def cache_host_lookup(app):
    """Have this moto ``DomainDispatcherApplication`` remember which backend answers each Host header."""
    app.get_backend_for_host = functools.lru_cache(maxsize=256)(app.get_backend_for_host)
    return app


def remembered(function):
    """``function`` with its answers cached; unhashable arguments and list answers are handled as before."""
    cached = functools.lru_cache(maxsize=8192)(function)

    @functools.wraps(function)
    def lookup(argument):
        try:
            answer = cached(argument)
        except TypeError:  # an unhashable argument: compute as moto would
            return function(argument)
        return list(answer) if isinstance(answer, list) else answer  # callers get their own list, as before

    lookup.uncached = function
    return lookup
