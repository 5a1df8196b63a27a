"""Lab hygiene: remember what existed before a lab, delete what it added, report what is left."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

from botocore.exceptions import ClientError, WaiterError

from . import inventory
from .engines import current, moto_here

ALWAYS_TRACKED = ("iam", "logs")  # roles for functions, log groups their invocations create
PASSES = 3  # a deletion blocked by a dependency is retried after the others
REFUSED_AT_REQUIRE = "refused at require"  # in place of an error code: a kind listed at cleanup, not at require

_baseline: dict[str, set[str]] = {}
_tracked: set[str] = set()


def track(services) -> None:
    """Record what exists now for these services (once per process), so cleanup knows what is new.

    A kind the engine refuses to list now gets no record: nothing of it can be told apart from what was there
    before, so cleanup deletes none of it. On LocalStack and MiniStack cleanup says nothing about such a kind: the
    engine offers the service (``require`` checked), so the refusal is a list operation it does not implement, the
    same at every call (its create calls are as a rule missing too), and a line on every cleanup of every lab would
    bury the lines that matter. Where a refusal is no engine gap — real AWS (an account's policy may deny listing
    yet allow creating) and labkit's own emulator (embedded, shared, browser: a labkit defect) — cleanup reports it
    (:func:`new_resources`).
    """
    wanted = (set(services) | set(ALWAYS_TRACKED)) - _tracked
    kinds = [k for k in inventory.kinds_for(wanted) if k.name not in _baseline]
    _baseline.update(inventory.take(current(), kinds))
    _tracked.update(wanted)


def snapshot_all(refused: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Every kind that may hold something (:func:`labkit.inventory.kinds_in_use`: on the embedded engine, those of the
    services moto has loaded), as it is now: tests take this before a lab, independent of ``track``
    (tests/labnb.py), and :func:`added_since` after it; a kind missing from the first had nothing then.

    Where moto answers in this process (embedded and browser engines) every such kind must list: a refused list call
    raises ``inventory.ListingFailed`` instead of hiding the kind from the leftover check. Other engines may lack a
    service: its kinds are left out, and recorded in ``refused`` when given (``{kind name: error code}``).
    """
    engine = current()
    return inventory.take(engine, inventory.kinds_in_use(engine), strict=moto_here(engine), refused=refused)


def added_since(before: dict[str, set[str]]) -> dict[str, list[str]]:
    """Resources present now that were not in ``before`` (a :func:`snapshot_all`), per kind.

    Raises ``inventory.ListingFailed`` naming each kind that listed in ``before`` and is refused now, rather than
    count it as nothing added.
    """
    refused: dict[str, str] = {}
    after = snapshot_all(refused)
    lost = {kind: code for kind, code in refused.items() if kind in before}
    if lost:
        raise inventory.ListingFailed("; ".join(unlisted_line(k, code) for k, code in lost.items()))
    return {kind: sorted(ids - before.get(kind, set())) for kind, ids in after.items() if ids - before.get(kind, set())}


def new_resources(services=None, refused: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Resources added since tracking began, per kind, in deletion order.

    On real AWS only what belongs to this run counts: what carries the run tag (``labkit.tagging``), and of the
    kinds that carry none, what is new and named with LABKIT_PREFIX; never anything else in the account.

    A kind that cannot be listed now is absent from the answer, which then says nothing about it: pass a dict as
    ``refused`` to learn which (``{kind name: the engine's error code}``). So is a kind ``require`` could not list
    (no record of what was there) on real AWS and on labkit's own emulator; see :func:`track` for why LocalStack's
    and MiniStack's are left out.
    """
    engine = current()
    refused = {} if refused is None else refused
    kinds = inventory.kinds_for(services or _tracked)
    if engine.name == "aws":
        from . import tagging

        def untagged(k) -> list[str]:  # kinds without a readable tag: new since require, and ours by name
            if k.name not in _baseline:  # refused at require; it listed now (run_resources lists first)
                refused[k.name] = REFUSED_AT_REQUIRE
                return []
            ids = set(k.list(engine.client(k.service))) - _baseline[k.name]  # a refusal: run_resources records it
            return sorted(i for i in ids if f"{engine_prefix()}-" in i)

        return tagging.run_resources(engine, kinds, untagged, refused=refused)
    if engine.is_labkit_emulator:
        for k in kinds:
            if k.name not in _baseline:
                _not_recorded(engine, k, refused)
    kinds = [k for k in kinds if k.name in _baseline]
    now = inventory.take(engine, kinds, refused=refused)
    added = {}
    for k in kinds:
        ids = sorted(now.get(k.name, set()) - _baseline[k.name])
        if ids:
            added[k.name] = ids
    return added


def _not_recorded(engine, k, refused: dict[str, str]) -> None:
    """Record in ``refused`` why a kind ``require`` could not list is not checked: the engine's error code if it
    refuses still, else that it was refused at require (what was there before is unknown)."""
    try:
        k.list(engine.client(k.service))
        refused[k.name] = REFUSED_AT_REQUIRE
    except ClientError as error:
        refused[k.name] = inventory.error_code(error)


def engine_prefix() -> str:
    from .config import Settings

    return Settings.from_env().prefix


def unlisted_line(kind: str, code: str) -> str:
    """One line saying a kind could not be listed, with the engine's error code, and where to look instead."""
    return f"could not list {kind} ({code}): not checked — look with the AWS CLI or in the console"


@dataclass
class Report:
    """What :func:`cleanup` did: ``deleted`` ``[(kind, identifier)]``, ``failed`` ``[(kind, identifier, error)]``,
    and ``unlisted`` ``[(kind, the engine's error code)]``: kinds the check after deleting could not list, so
    nothing is known about what is left of them. Shown as HTML in a notebook, as lines in ``repr``."""
    deleted: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    unlisted: list[tuple[str, str]] = field(default_factory=list)

    def _repr_html_(self) -> str:
        warnings = "".join(f"<p>⚠ {html.escape(unlisted_line(k, code))}</p>" for k, code in self.unlisted)
        if not self.deleted and not self.failed:
            if self.unlisted:
                return f"<p>🧹 Nothing to delete among the kinds labkit could list.</p>{warnings}"
            return "<p>🧹 Nothing to clean up: this lab left nothing behind.</p>"
        rows = "".join(f"<tr><td>{k}</td><td><code>{i}</code></td><td>deleted</td></tr>" for k, i in self.deleted)
        rows += "".join(f"<tr><td>{k}</td><td><code>{i}</code></td><td>⚠ {e}</td></tr>" for k, i, e in self.failed)
        return (f"<p>🧹 Deleted {len(self.deleted)} resource(s)"
                f"{f', {len(self.failed)} could not be deleted' if self.failed else ''}.</p>"
                f"<table><tr><th>kind</th><th>resource</th><th>result</th></tr>{rows}</table>{warnings}")

    def __repr__(self) -> str:
        lines = [f"deleted {k} {i}" for k, i in self.deleted]
        lines += [f"FAILED {k} {i}: {e}" for k, i, e in self.failed]
        lines += [f"⚠ {unlisted_line(k, code)}" for k, code in self.unlisted]
        return "\n".join(lines) or "nothing to clean up"


def cleanup() -> Report:
    """Delete every resource created since the lab's ``require`` (dependants first), then verify and report.

    After deleting, it lists again: whatever still exists is in ``Report.failed`` ("still exists after
    cleanup") unless its delete already failed there with the engine's message, so nothing is left silently;
    a kind that list refuses is in ``Report.unlisted`` with the engine's error code, never read as empty.
    """
    report = remove(new_resources)
    failed = {(k, i) for k, i, _ in report.failed}
    refused: dict[str, str] = {}
    for k, ids in new_resources(refused=refused).items():
        report.failed += [(k, i, "still exists after cleanup") for i in ids if (k, i) not in failed]
    report.unlisted = list(refused.items())
    return report


def remove(pending: Callable[[], dict[str, list[str]]]) -> Report:
    """Delete what ``pending()`` lists (``{kind: [identifier, ...]}``), dependants first, and report it.

    A deletion blocked by a dependency is retried after the others, up to ``PASSES`` passes; what still fails
    then is in ``Report.failed`` with the engine's message. A resource already gone when its turn comes (a
    CloudFormation stack deleted before it took it along, as "Deleting a stack" documents) counts as deleted and
    is not deleted again; one whose delete fails while it is still listed is a failure.
    """
    engine = current()
    report = Report()
    for attempt in range(PASSES):
        found = pending()
        if not found:
            break
        errors = []
        for k in [k for k in inventory.kinds_for() if k.name in found]:
            client = engine.client(k.service)
            present = _listed(k, client)  # a stack deleted above took its own resources with it
            for identifier in found[k.name]:
                if present is not None and identifier not in present:
                    report.deleted.append((k.name, identifier))  # already gone: deleted with what owned it
                    continue
                try:
                    k.delete(client, identifier)
                    report.deleted.append((k.name, identifier))
                except ClientError as exc:
                    if identifier not in (_listed(k, client) or {identifier}):  # gone meanwhile: success
                        report.deleted.append((k.name, identifier))
                        continue
                    error = exc.response.get("Error", {})
                    errors.append((k.name, identifier,
                                   f"{error.get('Code', 'Error')}: {error.get('Message') or exc}"))
                except WaiterError as exc:  # e.g. a NAT gateway that never reached "deleted"
                    errors.append((k.name, identifier, str(exc)))
        if attempt == PASSES - 1:
            report.failed = errors
    return report


def _listed(k, client) -> set[str] | None:
    """The kind's identifiers now, or ``None`` when the engine refuses to list them (then nothing counts as gone)."""
    try:
        return set(k.list(client))
    except ClientError:
        return None


def leftovers() -> dict[str, list[str]]:
    """What still exists that was not there before, ``{kind: [identifier, ...]}`` (empty after a good cleanup).

    Raises ``inventory.ListingFailed`` naming each kind the engine refused to list and its error code, rather
    than an answer that would read "nothing left" for a kind nobody could look at.
    """
    refused: dict[str, str] = {}
    found = new_resources(refused=refused)
    if refused:
        raise inventory.ListingFailed("; ".join(unlisted_line(k, code) for k, code in refused.items()))
    return found
