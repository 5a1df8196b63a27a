"""EC2's instance-type offerings read from moto's data files when a region's are first asked for, not at import.

moto 5.2.5 reads every region's instance-type offerings (three location types, about 90 files) into memory when
``moto.ec2.models.instance_types`` is imported: some 46 MB of resident memory in every process that loads EC2, and
moto loads EC2 for SSM (Parameter Store), Step Functions (through Batch), CloudFormation and more. Here each file
is read the first time its region (for its location type) is asked for, by ``DescribeInstanceTypeOfferings``,
``RunInstances``'s instance-type check or ``DescribeSpotPriceHistory``: the same data, the same answers, and a lab
that never asks pays nothing.

How: before moto imports the module, ``moto.utilities.utils.load_resource`` (which the module reads at import) is
wrapped so the offerings files are only noted, not read; once the module has loaded, each location type's dict of
regions in ``INSTANCE_TYPE_OFFERINGS`` (the dict moto's other EC2 modules imported) is replaced by a
:class:`OnDemandOfferings` that reads a region's file, and marks its ``LocationType`` as moto does, on first use.
If moto loaded EC2 before the engine started, nothing is changed.

Upstream change (moto): ``moto/ec2/models/instance_types.py``: load a region's offerings on first use.
"""
from __future__ import annotations

import sys
import threading

from .registry import Patch

PATCHES = [
    Patch(
        name="ec2-offerings-on-demand",
        changes="moto.utilities.utils.load_resource notes the EC2 instance-type offerings files instead of reading "
                "them while moto.ec2.models.instance_types imports; INSTANCE_TYPE_OFFERINGS's per-location dicts "
                "then read a region's file on first use (46 MB less for every process that loads EC2).",
        symbols=("moto.utilities.utils.load_resource",
                 "moto.ec2.models.instance_types.INSTANCE_TYPE_OFFERINGS"),
        upstream="moto/ec2/models/instance_types.py: load a region's offerings on first use.",
    ),
]

INSTALL_WHEN = ()  # install() at once (engine start): it must run before moto imports EC2
MODULE = "moto.ec2.models.instance_types"
OFFERINGS = "ec2/resources/instance_type_offerings/"

_lock = threading.Lock()
_noted: dict[str, dict[str, str]] = {}  # location type → region → resource path, noted while the module imports
_original = None  # moto's load_resource, while it is wrapped


class OnDemandOfferings(dict):
    """One location type's offerings, region → list of offerings, each region's file read on first use.

    Behaves as the plain dict moto built (``[region]``, ``get``, ``in``, iteration); reading raises what moto's own
    ``load_resource`` raises (a missing or corrupt data file of the installed moto).
    """

    def __init__(self, location_type: str, paths: dict[str, str], load):
        super().__init__()
        self.location_type, self._paths, self._load, self._lock = location_type, dict(paths), load, threading.Lock()

    def _read(self, region: str) -> list:
        with self._lock:
            if not dict.__contains__(self, region):
                offerings = self._load(self._paths[region])
                for offering in offerings:
                    offering["LocationType"] = self.location_type
                dict.__setitem__(self, region, offerings)
            return dict.__getitem__(self, region)

    def _read_all(self) -> None:
        for region in self._paths:
            self._read(region)

    def __missing__(self, region):
        if region in self._paths:
            return self._read(region)
        raise KeyError(region)

    def get(self, region, default=None):
        return self._read(region) if region in self._paths else dict.get(self, region, default)

    def __contains__(self, region) -> bool:
        return region in self._paths or dict.__contains__(self, region)

    def __iter__(self):
        return iter(list(self._paths))

    def __len__(self) -> int:
        return len(self._paths)

    def keys(self):
        self._read_all()
        return dict.keys(self)

    def values(self):
        self._read_all()
        return dict.values(self)

    def items(self):
        self._read_all()
        return dict.items(self)

    def __repr__(self) -> str:
        return f"OnDemandOfferings({self.location_type!r}, {len(self._paths)} regions, {dict.__len__(self)} read)"


def _noting(resource: str):
    """moto's load_resource, except that an offerings file read while the module imports is noted, not read."""
    if resource.startswith(OFFERINGS) and _original is not None:
        location_type, file_name = resource[len(OFFERINGS):].split("/", 1)
        _noted.setdefault(location_type, {})[file_name.split(".")[0]] = resource
        return []
    return (_original or _moto_load_resource())(resource)


def _moto_load_resource():
    from moto.utilities import utils

    return utils.load_resource


def _finish() -> None:
    """moto.ec2.models.instance_types has loaded: put back moto's load_resource, make its offerings on demand."""
    global _original
    from moto.ec2.models import instance_types
    from moto.utilities import utils

    with _lock:
        load, _original = _original, None
        if load is None:
            return
        if utils.load_resource is _noting:
            utils.load_resource = load
        for location_type, paths in _noted.items():
            if instance_types.INSTANCE_TYPE_OFFERINGS.get(location_type) is not None:
                instance_types.INSTANCE_TYPE_OFFERINGS[location_type] = OnDemandOfferings(location_type, paths, load)
        _noted.clear()


def install() -> None:
    """Wrap moto's load_resource until EC2's instance types module has loaded (once per process; nothing if moto
    has loaded EC2 already)."""
    global _original
    from moto.utilities import utils

    from . import lazy

    with _lock:
        if MODULE in sys.modules or _original is not None:
            return
        _original = utils.load_resource
        utils.load_resource = _noting
    lazy.when_loaded((MODULE,), "ec2-offerings-on-demand", _finish)
