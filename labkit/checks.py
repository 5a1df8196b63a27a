"""Check my work: a check is a plain function returning a Verdict; the widget shows it and re-runs it.

Who is to blame decides what the learner reads (``evaluate``):

- the check's own verdict (``passed``/``failed``), and an answer the check rejects with ``expect`` → a hint;
- the engine refusing a request about the learner's resource (``ClientError``) or a ``LabkitError`` → a hint;
- any other exception inside a check → "This check broke": our bug, never the learner's, with its details folded.
"""
from __future__ import annotations

import functools
import html
import inspect
import traceback
from dataclasses import dataclass
from typing import Callable

from botocore.exceptions import ClientError

from .errors import LabkitError

BROKE = "This check broke — it is our bug, not your answer; please report it (with the details below)."


@dataclass(frozen=True)
class Verdict:
    """What a check says: ``passed`` or not, a ``message`` for the learner; ``broken`` when the check itself
    failed (then ``details`` holds the exception, for the report)."""

    passed: bool
    message: str
    broken: bool = False
    details: str = ""

    @property
    def kind(self) -> str:
        """``"passed"``, ``"failed"`` (a hint for the learner) or ``"broken"`` (our bug)."""
        return "passed" if self.passed else "broken" if self.broken else "failed"

    def _repr_html_(self) -> str:
        return verdict_html(self)


def passed(message: str = "Well done: that is right.") -> Verdict:
    return Verdict(True, message)


def failed(hint: str) -> Verdict:
    return Verdict(False, hint)


class AnswerError(LabkitError):
    """The learner's answer variable is still the placeholder, or not the kind of value the exercise asks for."""


KINDS = {str: "a string", dict: "a dict", list: "a list", tuple: "a tuple", bytes: "bytes", int: "a number",
         float: "a number"}


def _kind_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(KINDS.get(k, k.__name__) for k in kinds))


def expect(value, name: str, kind, what: str):
    """Return ``value`` if it is a non-empty instance of ``kind``; otherwise raise ``AnswerError`` with a hint.

    ``name`` is the learner's variable (``"my_bucket"``), ``kind`` a type or tuple of types, ``what`` says what
    the variable should hold ("the name of the bucket you created"). ``evaluate`` shows the hint as ✗ Not yet.
    """
    if value is None or (isinstance(value, (str, bytes, dict, list, tuple, set)) and not value):
        raise AnswerError(f"{name} is still {value!r}: set it to {what}, then run this cell again.")
    if not isinstance(value, kind):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise AnswerError(f"{name} should be {_kind_name(kind)} ({what}), not {type(value).__name__} {shown}.")
    return value


def evaluate(check: Callable[..., Verdict], *args, **kwargs) -> Verdict:
    """Run ``check(*args, **kwargs)`` and return its Verdict, never raising for a check's failure.

    A ``ClientError`` (the engine refusing a request about the learner's resource), an ``AnswerError`` or any
    other ``LabkitError`` becomes a hint (``failed``). Any other exception is the check's own bug: a Verdict with
    ``broken=True``, the message ``BROKE`` and the exception's last frames in ``details``.
    A call that leaves out a required argument (the learner's answer) or passes too many is a hint too, naming
    what to pass. Raises ``TypeError`` only if ``check`` returns something that is not a Verdict (a bug in the
    check's code, meant to be caught by its tests).
    """
    if hint := _arguments_hint(check, args, kwargs):
        return failed(hint)
    try:
        verdict = check(*args, **kwargs)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return failed(f"The engine answered {error.get('Code', 'an error')}: {error.get('Message', '')}. "
                      "Did the cells above run, and does the name match?")
    except LabkitError as exc:
        return failed(str(exc))
    except Exception as exc:  # noqa: BLE001 - whatever it is, it is ours, not the learner's
        frames = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-3)
        return Verdict(False, BROKE, broken=True, details="".join(frames).strip())
    if not isinstance(verdict, Verdict):
        raise TypeError(f"{check.__name__} must return labkit.passed(...) or labkit.failed(...)")
    return verdict


def _label(check_fn) -> str:
    """``module.function`` for a check, as a lab cell names it (``s3_basics.versioned_report``)."""
    module = (getattr(check_fn, "__module__", None) or "").rpartition(".")[2]
    name = getattr(check_fn, "__name__", None) or type(check_fn).__name__
    return f"{module}.{name}" if module else name


def _arguments_hint(check_fn, args, kwargs) -> str | None:
    """A hint if ``check_fn`` cannot take ``args``/``kwargs`` (an answer left out, or one too many), else None."""
    try:
        signature = inspect.signature(check_fn)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        pass
    else:
        return None
    label = _label(check_fn)
    required = [p.name for p in signature.parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    missing = required[len(args):]
    if missing:
        example = ", ".join(f"my_{m}" for m in required)
        return (f"The check has no answer for {', '.join(missing)}: pass your answer after the check, e.g. "
                f"labkit.check({label}, {example}), using the variables the exercise names.")
    return (f"{label} was given {len(args)} argument(s) it does not take: pass the check, then only the values "
            f"it asks for ({', '.join(required) or 'none'}), as the lab's cell shows.")


def verdict_html(verdict: Verdict) -> str:
    """The verdict as HTML: ✓ Correct, ✗ Not yet with the hint, or ⚠ Check broke with its details folded."""
    colour, mark, label = {"passed": ("#1a7f37", "✓", "Correct"), "failed": ("#b42318", "✗", "Not yet"),
                           "broken": ("#9a6700", "⚠", "Check broke")}[verdict.kind]
    details = (f"<details><summary>Details for the report</summary><pre>{html.escape(verdict.details)}</pre>"
               "</details>" if verdict.details else "")
    return (f'<div class="labkit-verdict" data-verdict="{verdict.kind}" '
            f'style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
            f'<strong style="color:{colour}">{mark} {label}</strong> '
            f"{html.escape(verdict.message)}{details}</div>")


def verdict_text(verdict: Verdict) -> str:
    """The verdict as one line of plain text (terminals, logs)."""
    mark, label = {"passed": ("✓", "Correct"), "failed": ("✗", "Not yet"), "broken": ("⚠", "Check broke")}[verdict.kind]
    return f"{mark} {label}: {verdict.message}"


@functools.cache
def _check_box():
    """A VBox whose display also carries the verdict as text/html and text/plain.

    Front-ends with widgets show the live widget (its button re-runs the check); the executed notebook's output
    also holds the verdict without widget state, for tests and for renderers without widgets.
    """
    import ipywidgets as widgets

    class CheckBox(widgets.VBox):
        verdict: Verdict | None = None

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs)
            if self.verdict is not None:
                data["text/html"] = verdict_html(self.verdict)
                data["text/plain"] = verdict_text(self.verdict)
            return data

    return CheckBox


def check(check_fn: Callable[..., Verdict], *args, title: str = "Check my work", **kwargs) -> None:
    """Show a **Check my work** button with the verdict of ``check_fn(*args, **kwargs)``.

    The verdict is computed at once, so an executed notebook (and the static book) shows it; the button
    runs the check again after you change something. Raises ``TypeError`` if ``check_fn`` is not callable
    (a bug in the lab's cell); an answer left out is a hint, as ``evaluate`` says.
    """
    if not callable(check_fn):
        raise TypeError(f"labkit.check needs a check function first, e.g. labkit.check(s3_basics.versioned_report, "
                        f"my_bucket); it got {type(check_fn).__name__} {check_fn!r:.60}.")
    import ipywidgets as widgets
    from IPython.display import display

    from .progress import record

    name = _label(check_fn)

    def verdict() -> Verdict:
        result = evaluate(check_fn, *args, **kwargs)
        record(name, result.passed)
        return result

    first = verdict()
    output = widgets.HTML(verdict_html(first))
    button = widgets.Button(description=title, icon="check", button_style="primary")

    box = _check_box()([button, output])
    box.verdict = first

    def recheck(_):
        result = verdict()
        box.verdict = result
        output.value = verdict_html(result)

    button.on_click(recheck)
    display(box)
