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

On a shared engine (``python -m labkit serve``) the notice fires in the server, far from the learner's cell: the
server serves each request inside :func:`collected`, which gathers the ids its notices name, and returns them in the
:data:`HEADER` response header; the learner's client shows each with :func:`notice_from_server` (see
:mod:`labkit.engines.shared`). A notice raised outside any request (a Lambda async invoke thread, an event poller)
reaches only the server's log.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import re
import sys
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .registry import Difference, Patch, differences, resolve

__all__ = ["AwsDifferenceWarning", "notice", "text", "reset", "Trigger", "install_triggers", "trigger_patch",
           "HEADER", "collected", "ids_in_header", "notice_from_server"]

_lock = threading.Lock()
_shown: set[str] = set()
_known: dict[str, Difference] = {}

HEADER = "x-labkit-differences"  # response header of a shared engine: the ids of the request's notices, comma-separated
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")  # what a Difference id looks like (anything else in a header is dropped)
_collecting: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("labkit_notices", default=None)


class AwsDifferenceWarning(UserWarning):
    """The embedded engine differs from AWS's documented behaviour at this point (outside IPython)."""


def lookup(difference_id: str) -> Difference:
    """The registered :class:`Difference` with this id; raises ``KeyError`` naming it when none is registered.

    The modules of :mod:`labkit.emulator` already imported are searched first (the code that raises a notice is
    in the module that declares it, or beside it); only an id none of them declares makes every module of the
    package import (:func:`labkit.emulator.registry.differences`): a lab's notice does not load the emulator's
    other 60-odd modules (about 1 MB in the dynamodb lab's kernel)."""
    found = _known.get(difference_id)
    if found is None:
        loaded = [module for name, module in list(sys.modules.items())
                  if name.startswith(f"{__package__}.") and module is not None]
        _known.update({d.id: d for module in loaded for d in getattr(module, "DIFFERENCES", ())})
        if difference_id not in _known:
            _known.update({d.id: d for d in differences()})
        found = _known.get(difference_id)
    if found is None:
        raise KeyError(f"no Difference with id {difference_id!r} is declared in labkit/emulator/")
    return found


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
    call in labkit names a declared one). Inside :func:`collected` (a shared engine serving a request) the id is
    also gathered for that request's answer, on every request.
    """
    difference = lookup(difference_id)
    collecting = _collecting.get()
    if collecting is not None and difference_id not in collecting:
        collecting.append(difference_id)  # for the request being served (every request, not once per process)
    return _show_once(difference_id, text(difference), _html(difference))


def _show_once(key: str, plain: str, rich: str | None) -> bool:
    """Display ``plain`` (and ``rich`` HTML, if given) in the running cell, or warn outside IPython; once per
    process per ``key``. True when shown now."""
    with _lock:
        if key in _shown:
            return False
        _shown.add(key)
    shell = _ipython_shell()
    if shell is not None:
        from IPython.display import display

        display({"text/plain": plain} if rich is None else {"text/html": rich, "text/plain": plain}, raw=True)
    else:
        warnings.warn(plain, AwsDifferenceWarning, stacklevel=3)  # the caller of notice / notice_from_server
    return True


@contextlib.contextmanager
def collected() -> Iterator[list[str]]:
    """Gather, into the yielded list, the ids of the notices raised in this context (a server serving one request),
    each once, in the order raised. Threads the request starts do not inherit it (a new thread starts with an empty
    :mod:`contextvars` context), so their notices reach only the server's log."""
    ids: list[str] = []
    token = _collecting.set(ids)
    try:
        yield ids
    finally:
        _collecting.reset(token)


def ids_in_header(value: str | None) -> list[str]:
    """The difference ids in a :data:`HEADER` value (``"id1,id2"``); pieces that are no id are left out."""
    pieces = (piece.strip() for piece in (value or "").split(","))
    return [piece for piece in pieces if _ID.fullmatch(piece)]


def notice_from_server(difference_id: str) -> bool:
    """:func:`notice` for an id a labkit server reported (:data:`HEADER`), once per kernel like any notice.

    An id this labkit does not declare (a newer server) is shown as one plain line naming it, never a KeyError.
    """
    try:
        difference = lookup(difference_id)
    except KeyError:
        return _show_once(difference_id, f"Differs from AWS — the labkit server reports the difference "
                          f"“{difference_id}”, which this labkit does not describe: see the book page “How the "
                          "emulator differs from AWS”, or update labkit.", None)
    return _show_once(difference_id, text(difference), _html(difference))


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
