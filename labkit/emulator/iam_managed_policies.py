"""AWS managed policies built when their ARN is read, not all at once for every account.

With ``load_aws_managed_policies`` on (the embedded engine turns it on, so a lab can attach
``arn:aws:iam::aws:policy/ReadOnlyAccess`` as on AWS), moto 5.2.5 builds, in every account's IAM backend, a
``ManagedPolicy`` object for each of the 1,500-odd AWS managed policies it ships: it parses the whole 4.7 MB JSON
document again (about 13 MB transient) and keeps about 5 MB per account, though a lab reads two or three of them.

Here the backend's ``managed_policies`` is a :class:`LazyManagedPolicies`: a dict that knows every AWS managed
policy's ARN (from one index per process of where each policy sits in moto's data string) and builds a policy's
object, exactly as moto would (``AWSManagedPolicy.from_data``), the first time its ARN is read. Reading one ARN
(GetPolicy, Attach*/Detach*Policy, a policy version) builds that one; iterating the values (ListPolicies with
Scope=AWS or All, GetAccountAuthorizationDetails, AWS Config) builds them all, once. Customer managed policies are
stored as before. Moto's attach/detach methods looked a policy up by rebuilding ``{p.arn: p for p in values()}``
(every policy); :func:`attach_role_policy` and the others here look up the one ARN, with moto's errors, and
ListPolicies with Scope=Local or OnlyAttached reads only the policies that can match (an AWS policy never built was
never attached). ``backend.aws_managed_policies`` stays moto's list of the AWS policies (built when read). Once
indexed, moto's 4.7 MB data string itself leaves memory (:func:`release_data`: a file in labkit's cache folder,
read one policy at a time), since every lab that loads S3 or Lambda loads IAM.

The answers are moto's: same ARNs, order, documents, errors (tests/test_emulator_iam_managed_policies.py compares
them with moto's eager backend). ``test_moto_methods_unchanged`` fails when moto changes a method replaced here:
then compare this module's copy with moto's new one.

Upstream change (moto): ``moto/iam/models.py``: build AWS managed policies on first use, and look a policy up by its
ARN (``self.managed_policies.get(policy_arn)``) in the attach/detach methods.
"""
from __future__ import annotations

import functools
import json
import os
import sys
import threading
from collections.abc import Iterator

from .registry import Patch

REPLACED = ("_init_aws_policies", "_init_managed_policies", "attach_role_policy", "detach_role_policy",
            "attach_group_policy", "detach_group_policy", "attach_user_policy", "detach_user_policy",
            "list_policies")

PATCHES = [
    Patch(
        name="iam-managed-policies-on-demand",
        changes="Each IAM backend's managed_policies builds an AWS managed policy's object when its ARN is first "
                "read (all of them when the values are iterated), instead of all 1,500-odd per account; "
                "attach/detach look up the one ARN, ListPolicies Scope=Local/OnlyAttached reads only what can "
                "match; aws_managed_policies becomes a property giving moto's list. Once indexed, moto's data "
                "string is kept in a cache file instead of memory (moto.iam.models' copy put back while moto's "
                "_init_aws_policies runs; the data module reads it back on request).",
        symbols=tuple(f"moto.iam.models.IAMBackend.{name}" for name in REPLACED) + (
            "moto.iam.models.AWSManagedPolicy.from_data", "moto.iam.models.IAMBackend._filter_attached_policies",
            "moto.iam.models.NotFoundException", "moto.iam.aws_managed_policies.aws_managed_policies_data",
            "moto.settings.load_iam_aws_managed_policies"),
        upstream="moto/iam/models.py: build AWS managed policies on first use; attach/detach look the ARN up.",
    ),
]

INSTALL_WHEN = ("moto.iam.models",)

_index_lock = threading.Lock()
_entries: dict[str, tuple[int, int, str]] | None = None  # policy name → (start, end of its JSON object, path)
_arns: dict[str, dict[str, str]] = {}  # partition → ARN → policy name, in the data's order
_decoder = json.JSONDecoder()
_swap_lock = threading.RLock()  # moto.iam.models' data string put back for one call (_with_data)
_kept_in: str | None = None  # the file holding moto's data string once it is out of memory (see release_data)
DATA = "aws_managed_policies_data"  # the name of moto's data string, in its module and in moto.iam.models


def _data() -> str:
    """moto's data string: from moto's module while it holds it, else read back from :data:`_kept_in`."""
    import moto.iam.aws_managed_policies as source

    held = source.__dict__.get(DATA)
    if held is not None:
        return held
    with open(_kept_in, encoding="ascii") as kept:
        return kept.read()


def _index() -> dict[str, tuple[int, int, str]]:
    """Every AWS managed policy's name → (where its JSON object starts and ends in moto's data string, its path),
    in the data's order; made once per process (about 30 ms), keeping no document. Then the data string itself
    leaves memory (:func:`release_data`)."""
    global _entries
    with _index_lock:
        if _entries is None:
            _entries = _index_by_parsing(_data())
            release_data()
        return _entries


def _index_by_parsing(data: str) -> dict[str, tuple[int, int, str]]:
    """The index by decoding the data object by object (any JSON layout; one policy in memory at a time)."""
    whitespace = json.decoder.WHITESPACE.match
    entries: dict[str, tuple[int, int, str]] = {}
    at = whitespace(data, 0).end()
    if data[at] != "{":
        raise ValueError("moto's AWS managed-policy data is not a JSON object")
    at = whitespace(data, at + 1).end()
    while data[at] != "}":
        name, at = _decoder.raw_decode(data, at)
        at = whitespace(data, at).end() + 1  # the colon
        at = whitespace(data, at).end()
        value, end = _decoder.raw_decode(data, at)
        entries[name] = (at, end, value.get("Path") or "/")
        at = whitespace(data, end).end()
        if data[at] == ",":
            at = whitespace(data, at + 1).end()
    return entries


def policy_data(name: str) -> dict:
    """The data moto ships for the AWS managed policy ``name`` (CreateDate, DefaultVersionId, Document, Path…)."""
    start, end, _ = _index()[name]
    if _kept_in is None:
        return _decoder.raw_decode(_data(), start)[0]
    with open(_kept_in, "rb") as kept:  # ASCII: a character's offset is its byte's
        kept.seek(start)
        return json.loads(kept.read(end - start))


def release_data() -> bool:
    """Take moto's 4.7 MB data string out of the kernel's memory, once indexed: it is written (once per moto
    release) to labkit's cache folder, policies are read from there, and moto's two references to it give way.

    ``moto.iam.aws_managed_policies.aws_managed_policies_data`` is read back from the file when something asks
    for it (a module ``__getattr__``: moto's SSO Admin imports it); ``moto.iam.models``'s own copy is put back for
    the length of a call of moto's ``_init_aws_policies`` (:func:`_with_data`), its one reader. Returns False, the
    string staying where it is, when it is not ASCII or the cache folder cannot be written."""
    global _kept_in
    import moto
    import moto.iam.aws_managed_policies as source
    import moto.iam.models as models

    data = source.__dict__.get(DATA)
    if data is None or not data.isascii():
        return data is None
    folder = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "labkit")
    path = os.path.join(folder, f"moto-{moto.__version__}-aws-managed-policies-{len(data)}.json")
    try:
        if not os.path.isfile(path) or os.path.getsize(path) != len(data):
            os.makedirs(folder, exist_ok=True)
            with open(f"{path}.{os.getpid()}", "w", encoding="ascii") as fresh:
                fresh.write(data)
            os.replace(f"{path}.{os.getpid()}", path)
    except OSError:
        return False
    _kept_in = path
    del source.__dict__[DATA]
    source.__getattr__ = _read_back
    models.__dict__[DATA] = None
    return True


def _read_back(name: str) -> str:
    """``moto.iam.aws_managed_policies``'s data string, read from the cache file (after :func:`release_data`)."""
    if name != DATA:
        raise AttributeError(f"module 'moto.iam.aws_managed_policies' has no attribute {name!r}")
    return _data()


def _with_data(original):
    """moto's ``_init_aws_policies`` (which reads ``moto.iam.models.aws_managed_policies_data``), run with the data
    string in place while it runs (it builds every AWS managed policy eagerly: moto's own path)."""

    @functools.wraps(original)
    def run(self):
        import moto.iam.models as models

        with _swap_lock:
            if models.__dict__.get(DATA) is None:
                models.__dict__[DATA] = _data()
                try:
                    return original(self)
                finally:
                    models.__dict__[DATA] = None
        return original(self)

    return run


def aws_arns(partition: str) -> dict[str, str]:
    """ARN → name of every AWS managed policy in ``partition`` (``arn:<partition>:iam::aws:policy<path><name>``)."""
    found = _arns.get(partition)
    if found is None:
        found = {f"arn:{partition}:iam::aws:policy{path}{name}": name for name, (*_, path) in _index().items()}
        _arns[partition] = found
    return found


class LazyManagedPolicies(dict):
    """One IAM backend's managed policies, ARN → policy: AWS managed ones built on first read, customer managed
    ones stored as given. Iterates as moto's dict did: AWS policies in moto's data order, then the others in the
    order they were added (a deleted AWS policy put back goes last, as in a dict)."""

    def __init__(self, account_id: str, region_name: str):
        super().__init__()  # the dict's own storage stays empty; an empty one must never short-cut a C fast path
        from moto.utilities.utils import get_partition

        self.account_id, self.region_name = account_id, region_name
        self._aws = aws_arns(get_partition(region_name))
        self._built: dict[str, object] = {}
        self._deleted: set[str] = set()
        self._local: dict[str, object] = {}
        self._lock = threading.RLock()

    # --- building -------------------------------------------------------------------------------------------
    def _is_aws(self, arn) -> bool:
        return arn in self._aws and arn not in self._deleted

    def _build(self, arn: str):
        with self._lock:
            policy = self._built.get(arn)
            if policy is None:
                from moto.iam.models import AWSManagedPolicy

                name = self._aws[arn]
                policy = AWSManagedPolicy.from_data(name, self.account_id, self.region_name, policy_data(name))
                self._built[arn] = policy
            return policy

    def aws_policies(self) -> list:
        """moto's ``aws_managed_policies``: every AWS managed policy of the data (deleted ones too, as moto's list
        kept them), built."""
        return [self._build(arn) for arn in self._aws]

    def built_count(self) -> int:
        """How many AWS managed policies have been built so far."""
        return len(self._built)

    def local_values(self) -> list:
        """The policies that are not AWS managed policies of the data (customer managed), in the order added."""
        return list(self._local.values())

    def built_values(self) -> list:
        """The policies built so far (AWS ones, in the data's order) and the others: every one that can be
        attached, since attaching reads (builds) the policy."""
        return [self._built[arn] for arn in self._aws if arn in self._built and arn not in self._deleted] + \
            self.local_values()

    # --- the dict protocol ----------------------------------------------------------------------------------
    def __getitem__(self, arn):
        if self._is_aws(arn):
            return self._build(arn)
        return self._local[arn]

    def get(self, arn, default=None):
        return self[arn] if arn in self else default

    def __contains__(self, arn) -> bool:
        return self._is_aws(arn) or arn in self._local

    def __setitem__(self, arn, policy) -> None:
        with self._lock:
            if self._is_aws(arn):
                self._built[arn] = policy
            else:
                self._local[arn] = policy

    def __delitem__(self, arn) -> None:
        with self._lock:
            if self._is_aws(arn):
                self._deleted.add(arn)
                self._built.pop(arn, None)
            else:
                del self._local[arn]

    def pop(self, arn, *default):
        with self._lock:
            if arn in self:
                value = self[arn]
                del self[arn]
                return value
            if default:
                return default[0]
            raise KeyError(arn)

    def setdefault(self, arn, default=None):
        with self._lock:
            if arn not in self:
                self[arn] = default
            return self[arn]

    def update(self, *others, **named) -> None:
        for key, value in dict(*others, **named).items():
            self[key] = value

    def popitem(self):
        with self._lock:
            if self._local:
                return self._local.popitem()
            arns = [arn for arn in self._aws if arn not in self._deleted]
            if not arns:
                raise KeyError("popitem(): dictionary is empty")
            value = self[arns[-1]]
            del self[arns[-1]]
            return arns[-1], value

    def clear(self) -> None:
        with self._lock:
            self._deleted.update(self._aws)
            self._built.clear()
            self._local.clear()

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def _keys(self) -> list[str]:
        return [arn for arn in self._aws if arn not in self._deleted] + list(self._local)

    def __len__(self) -> int:
        return len(self._aws) - len(self._deleted) + len(self._local)

    def __bool__(self) -> bool:
        return len(self) > 0

    def keys(self):
        return dict.fromkeys(self._keys()).keys()

    def values(self):
        return [self[arn] for arn in self._keys()]

    def items(self):
        return [(arn, self[arn]) for arn in self._keys()]

    def copy(self) -> dict:
        return dict(self.items())

    def __eq__(self, other) -> bool:
        return dict(self.items()) == other

    __hash__ = None

    def __reduce__(self):
        return (dict, (self.items(),))

    def __repr__(self) -> str:
        return (f"LazyManagedPolicies({len(self._aws) - len(self._deleted)} AWS managed, "
                f"{len(self._built)} built, {len(self._local)} others)")


# --- IAMBackend's replaced methods -----------------------------------------------------------------------------
_originals: dict[str, object] = {}


def _init_aws_policies(self) -> list:
    from moto.settings import load_iam_aws_managed_policies

    if load_iam_aws_managed_policies():
        return []  # the property below answers from managed_policies
    return _originals["_init_aws_policies"](self)


def _init_managed_policies(self) -> dict:
    from moto.settings import load_iam_aws_managed_policies

    if load_iam_aws_managed_policies():
        return LazyManagedPolicies(self.account_id, self.region_name)
    return _originals["_init_managed_policies"](self)


def _get_aws_managed_policies(self) -> list:
    managed = self.__dict__.get("managed_policies")
    if isinstance(managed, LazyManagedPolicies):
        return managed.aws_policies()
    if "_labkit_aws_managed_policies" in self.__dict__:
        return self.__dict__["_labkit_aws_managed_policies"]
    return self.__dict__.get("aws_managed_policies", [])  # a backend made before install(): moto's own list


def _set_aws_managed_policies(self, value) -> None:
    self.__dict__["_labkit_aws_managed_policies"] = value


def _lookup(self, policy_arn: str, message: str):
    """moto's ``arns[policy_arn]`` over every managed policy, for the one ARN (moto's NotFoundException)."""
    from moto.iam.models import NotFoundException

    policy = self.managed_policies.get(policy_arn)
    if policy is None:
        raise NotFoundException(message)
    return policy


def attach_role_policy(self, policy_arn: str, role_name: str) -> None:
    policy = _lookup(self, policy_arn, f"Policy {policy_arn} does not exist or is not attachable.")
    policy.attach_to(self.get_role(role_name))


def detach_role_policy(self, policy_arn: str, role_name: str) -> None:
    from moto.iam.models import NotFoundException

    policy = _lookup(self, policy_arn, f"Policy {policy_arn} was not found.")
    if policy.arn not in self.get_role(role_name).managed_policies.keys():
        raise NotFoundException(f"Policy {policy_arn} was not found.")
    policy.detach_from(self.get_role(role_name))


def attach_group_policy(self, policy_arn: str, group_name: str) -> None:
    policy = _lookup(self, policy_arn, f"Policy {policy_arn} was not found.")
    if policy.arn in self.get_group(group_name).managed_policies.keys():
        return
    policy.attach_to(self.get_group(group_name))


def detach_group_policy(self, policy_arn: str, group_name: str) -> None:
    from moto.iam.models import NotFoundException

    policy = _lookup(self, policy_arn, f"Policy {policy_arn} was not found.")
    if policy.arn not in self.get_group(group_name).managed_policies.keys():
        raise NotFoundException(f"Policy {policy_arn} was not found.")
    policy.detach_from(self.get_group(group_name))


def attach_user_policy(self, policy_arn: str, user_name: str) -> None:
    policy = _lookup(self, policy_arn, f"Policy {policy_arn} does not exist or is not attachable.")
    policy.attach_to(self.get_user(user_name))


def detach_user_policy(self, policy_arn: str, user_name: str) -> None:
    from moto.iam.models import NotFoundException

    policy = _lookup(self, policy_arn, f"Policy {policy_arn} was not found.")
    if policy.arn not in self.get_user(user_name).managed_policies.keys():
        raise NotFoundException(f"Policy {policy_arn} was not found.")
    policy.detach_from(self.get_user(user_name))


def list_policies(self, marker, max_items, only_attached, path_prefix, scope):
    """moto's ListPolicies; Scope=Local reads only customer managed policies and OnlyAttached only the policies
    built so far (an AWS managed policy never read was never attached)."""
    from moto.iam.models import AWSManagedPolicy

    managed = self.managed_policies
    if scope == "Local":
        policies = managed.local_values()
    elif only_attached:
        policies = managed.built_values()
    else:
        policies = list(managed.values())
    if only_attached:
        policies = [p for p in policies if p.attachment_count > 0]
    if scope == "AWS":
        policies = [p for p in policies if isinstance(p, AWSManagedPolicy)]
    elif scope == "Local":
        policies = [p for p in policies if not isinstance(p, AWSManagedPolicy)]
    return self._filter_attached_policies(policies, marker, max_items, path_prefix)


def _on_lazy(name: str, replacement):
    """``replacement`` on a backend whose managed_policies is lazy; moto's own method on any other."""
    original = _originals[name]

    def method(self, *args, **kwargs):
        if isinstance(self.__dict__.get("managed_policies"), LazyManagedPolicies):
            return replacement(self, *args, **kwargs)
        return original(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = replacement.__doc__ or getattr(original, "__doc__", None)
    method.labkit_lazy_policies = True
    return method


def install() -> None:
    """Replace IAMBackend's methods (idempotent). Backends made before keep moto's eager dict and methods."""
    from moto.iam.models import IAMBackend

    if getattr(IAMBackend._init_managed_policies, "labkit_lazy_policies", False):
        return
    module = sys.modules[__name__]
    for name in REPLACED:
        _originals[name] = getattr(IAMBackend, name)
    _originals["_init_aws_policies"] = _with_data(_originals["_init_aws_policies"])
    for name in REPLACED:
        replacement = getattr(module, name)
        if name.startswith("_init_"):
            replacement.labkit_lazy_policies = True
            setattr(IAMBackend, name, replacement)
        else:
            setattr(IAMBackend, name, _on_lazy(name, replacement))
    IAMBackend.aws_managed_policies = property(_get_aws_managed_policies, _set_aws_managed_policies,
                                               doc="moto's list of AWS managed policies (built when read).")
