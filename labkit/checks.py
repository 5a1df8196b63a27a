"""Check my work: a check is a plain function returning a Verdict; the widget shows it and re-runs it."""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

from botocore.exceptions import ClientError

from .errors import LabkitError


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str

    def _repr_html_(self) -> str:
        return verdict_html(self)


def passed(message: str = "Well done: that is right.") -> Verdict:
    return Verdict(True, message)


def failed(hint: str) -> Verdict:
    return Verdict(False, hint)


def evaluate(check: Callable[..., Verdict], *args, **kwargs) -> Verdict:
    """Run a check; an engine error or a missing resource becomes a hint, never a traceback."""
    try:
        verdict = check(*args, **kwargs)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return failed(f"The engine answered {error.get('Code', 'an error')}: {error.get('Message', '')}. "
                      "Did the cells above run, and does the name match?")
    except LabkitError as exc:
        return failed(str(exc))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return failed(f"Your answer does not have the expected shape ({type(exc).__name__}: {exc}).")
    if not isinstance(verdict, Verdict):
        raise TypeError(f"{check.__name__} must return labkit.passed(...) or labkit.failed(...)")
    return verdict


def verdict_html(verdict: Verdict) -> str:
    colour, mark = ("#1a7f37", "✓") if verdict.passed else ("#b42318", "✗")
    return (f'<div class="labkit-verdict" style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
            f'<strong style="color:{colour}">{mark} {"Correct" if verdict.passed else "Not yet"}</strong> '
            f"{html.escape(verdict.message)}</div>")


def check(check_fn: Callable[..., Verdict], *args, title: str = "Check my work", **kwargs) -> None:
    """Show a **Check my work** button with the verdict of ``check_fn(*args, **kwargs)``.

    The verdict is computed at once, so an executed notebook (and the static book) shows it; the button
    runs the check again after you change something.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from .progress import record

    name = f"{check_fn.__module__.rpartition('.')[2]}.{check_fn.__name__}"

    def verdict() -> str:
        result = evaluate(check_fn, *args, **kwargs)
        record(name, result.passed)
        return verdict_html(result)

    output = widgets.HTML(verdict())
    button = widgets.Button(description=title, icon="check", button_style="primary")

    def recheck(_):
        output.value = verdict()

    button.on_click(recheck)
    display(widgets.VBox([button, output]))
