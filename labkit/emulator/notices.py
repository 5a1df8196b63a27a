"""One short notice, at the moment it matters, where the embedded engine differs from AWS.

Emulator code calls :func:`notice` with the id of a :class:`labkit.emulator.registry.Difference` (declared in the
``DIFFERENCES`` of its service's module) when a learner meets that difference — for example when a lab calls an
operation whose effect the engine does not emulate::

    from labkit.emulator.notices import notice

    notice("cloudwatch-alarms-not-evaluated")

The learner sees one line, once per kernel per difference:

- in IPython (Jupyter, Colab, nbclient): a note in the running cell's output (text/html styled as a note, and
  text/plain), naming what AWS does, what the engine does instead and the AWS documentation page;
- elsewhere (plain Python, pytest): one :class:`AwsDifferenceWarning` through :func:`warnings.warn`.

Call it only from code that runs on the embedded engine (the modules of :mod:`labkit.emulator`), and only where it
is cheap and certain that the learner meets the difference; every other difference is listed on the book page
"How the emulator differs from AWS" (``reference/emulator-differences.md``) and nowhere else. It is safe to call
from the engine's server thread: the note lands in the cell whose request is being served.
"""
from __future__ import annotations

import functools
import html
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Callable

from .registry import Difference, Patch, differences, resolve

__all__ = ["AwsDifferenceWarning", "notice", "text", "reset", "Trigger", "install_triggers", "trigger_patch"]

_lock = threading.Lock()
_shown: set[str] = set()
_known: dict[str, Difference] = {}


class AwsDifferenceWarning(UserWarning):
    """The embedded engine differs from AWS's documented behaviour at this point (outside IPython)."""


def lookup(difference_id: str) -> Difference:
    """The registered :class:`Difference` with this id; raises ``KeyError`` naming it when none is registered."""
    if not _known:
        _known.update({d.id: d for d in differences()})
    try:
        return _known[difference_id]
    except KeyError:
        raise KeyError(f"no Difference with id {difference_id!r} is declared in labkit/emulator/") from None


def text(difference: Difference) -> str:
    """The notice as one plain-text line."""
    return (f"Differs from AWS — on AWS: {difference.aws} Here: {difference.engine} "
            f"(AWS documentation: “{difference.doc}”)")


def _html(difference: Difference) -> str:
    e = html.escape
    return (
        f'<div class="labkit-notice" data-difference="{e(difference.id)}" style="border-left:4px solid #1f77b4;'
        'background:rgba(31,119,180,.08);padding:.35em .7em;margin:.3em 0;font-size:.92em">'
        f"<strong>ⓘ Differs from AWS</strong> — on AWS: {e(difference.aws)} "
        f"Here: {e(difference.engine)} (AWS documentation: <em>“{e(difference.doc)}”</em>)</div>"
    )


def _ipython_shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    # a terminal IPython has no rich display; treat it as plain Python
    return shell if shell is not None and hasattr(shell, "kernel") else None


def notice(difference_id: str) -> bool:
    """Show the notice for the difference ``difference_id``, once per kernel (process).

    Returns True when it was shown now, False when it had been shown already. Raises ``KeyError`` when no module
    of :mod:`labkit.emulator` declares a Difference with that id (``tests/test_emulator_notices.py`` checks every
    call in labkit names a declared one).
    """
    difference = lookup(difference_id)
    with _lock:
        if difference_id in _shown:
            return False
        _shown.add(difference_id)
    shell = _ipython_shell()
    if shell is not None:
        from IPython.display import display

        display({"text/html": _html(difference), "text/plain": text(difference)}, raw=True)
    else:
        warnings.warn(text(difference), AwsDifferenceWarning, stacklevel=2)
    return True


def reset() -> None:
    """Forget which notices were shown (tests; a new kernel starts empty anyway)."""
    with _lock:
        _shown.clear()
    _known.clear()


@dataclass(frozen=True)
class Trigger:
    """Show the notice ``difference`` whenever moto's method ``symbol`` runs (a dotted path to a method of a moto
    response class or backend, e.g. ``"moto.cloudwatch.responses.CloudWatchResponse.put_metric_alarm"``) and
    ``when(self, *args, **kwargs)`` is true (``when`` gets the method's own arguments: on a response class,
    ``self`` is moto's response object, whose ``_get_param`` reads the request). ``when_result(result)``, if
    given, is asked after the method has run, with what it returned (for a difference that shows only in the
    answer). A condition that raises counts as false."""
    symbol: str
    difference: str
    when: Callable[..., bool] | None = None
    when_result: Callable[[Any], bool] | None = None


def install_triggers(triggers: list[Trigger]) -> None:
    """Wrap each trigger's moto method so that it calls :func:`notice` first (idempotent per trigger)."""
    for trigger in triggers:
        owner_path, _, name = trigger.symbol.rpartition(".")
        owner = resolve(owner_path)
        method = getattr(owner, name)
        if trigger in getattr(method, "labkit_triggers", ()):
            continue

        def wrapped(self, *args, _method=method, _trigger=trigger, **kwargs):
            try:
                due = _trigger.when is None or bool(_trigger.when(self, *args, **kwargs))
            except Exception:  # noqa: BLE001 - a notice must never break the request it comments on
                due = False
            if due and _trigger.when_result is None:
                notice(_trigger.difference)
            result = _method(self, *args, **kwargs)
            if due and _trigger.when_result is not None:
                try:
                    due = bool(_trigger.when_result(result))
                except Exception:  # noqa: BLE001 - as above
                    due = False
                if due:
                    notice(_trigger.difference)
            return result

        functools.update_wrapper(wrapped, method)
        wrapped.labkit_triggers = (*getattr(method, "labkit_triggers", ()), trigger)
        setattr(owner, name, wrapped)


def trigger_patch(name: str, triggers: list[Trigger]) -> Patch:
    """The registry's :class:`Patch` for a module's triggers (the guard test checks their moto methods exist)."""
    return Patch(name=name, changes="Shows a 'Differs from AWS' notice when a lab calls: "
                 + ", ".join(t.symbol.rsplit(".", 2)[-1] for t in triggers) + ".",
                 symbols=tuple(t.symbol for t in triggers),
                 upstream="None: notices stay until the engine does what AWS documents.")
