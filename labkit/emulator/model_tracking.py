"""moto's list of every model object ever made holds them weakly: a Query's copies are freed after the answer.

moto's ``BaseModel.__new__`` appends each instance of every model class to ``cls.instances_tracked``, a plain list,
for its dashboard (``/moto-api/data.json`` lists them). Nothing ever removes an instance, so every temporary model
object stays in memory for the life of the kernel: each DynamoDB Query and Scan deep-copies the items it returns
(moto ``Table.query`` / ``Table.scan``), and all those copies were kept. Measured on the dynamodb lab: 11,038
``Item`` objects kept for 1,600 items stored, about 8 MB of the kernel's resident memory.

Here ``instances_tracked`` is a :class:`WeakInstances`: it iterates (in creation order) over the instances still in
use somewhere, the stored resources, and lets go of the copies once the request that made them has answered. The
dashboard lists what exists, as before; moto's reset (``reset_model_data`` puts back plain lists) is followed, as
the next instance of a class converts its list again. (``BaseModel`` has no ``__slots__``, so every model instance
can be referenced weakly.)

Upstream change (moto): ``moto/core/common_models.py``: keep ``instances_tracked`` in a ``weakref.WeakSet`` (or
a list of weak references) instead of a list.
"""
from __future__ import annotations

import threading
import weakref

from .registry import Patch

PATCHES = [
    Patch(
        name="model-tracking-weak",
        changes="moto.core.common_models.BaseModel.__new__ tracks each instance in a WeakInstances (weak "
                "references, creation order) instead of appending it to a plain list that keeps it alive forever.",
        symbols=("moto.core.common_models.BaseModel.__new__", "moto.core.model_instances.model_data",
                 "moto.core.model_instances.reset_model_data"),
        upstream="moto/core/common_models.py: instances_tracked holds weak references.",
    ),
]


class WeakInstances:
    """The instances of one moto model class still alive, in creation order; list-like for moto's readers
    (``append``, iteration, ``len``, truth). Dead references are dropped as the list doubles, so its length stays
    within twice the live count."""

    __slots__ = ("_refs", "_lock", "_compact_at")

    def __init__(self, instances=()):
        self._refs: list = []
        self._lock = threading.Lock()
        self._compact_at = 64
        for instance in instances:
            self.append(instance)

    def append(self, instance) -> None:
        """Track ``instance`` without keeping it alive."""
        ref = weakref.ref(instance)
        with self._lock:
            self._refs.append(ref)
            if len(self._refs) >= self._compact_at:
                self._refs = [r for r in self._refs if r() is not None]
                self._compact_at = max(64, 2 * len(self._refs))

    def __iter__(self):
        with self._lock:
            refs = list(self._refs)
        return (instance for instance in (r() for r in refs) if instance is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return any(True for _ in self)


def install() -> None:
    """Replace ``BaseModel.__new__`` and convert the lists of the model classes defined so far (idempotent)."""
    from moto.core import common_models
    from moto.core.model_instances import model_data

    base = common_models.BaseModel
    if getattr(base.__new__, "labkit_weak", False):
        return

    def __new__(cls, *args, **kwargs):  # moto's signature; the arguments go to __init__
        instance = super(base, cls).__new__(cls)
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeakInstances):  # a class made before install, or after moto's reset
            tracked = WeakInstances(tracked or ())
            cls.instances_tracked = tracked
        tracked.append(instance)
        return instance

    __new__.labkit_weak = True
    base.__new__ = staticmethod(__new__)
    for models in model_data.values():
        for model in models.values():
            tracked = model.__dict__.get("instances_tracked")
            if not isinstance(tracked, WeakInstances):
                model.instances_tracked = WeakInstances(tracked or ())
