"""``%%solution``: a lab's worked solution, which runs in the book build and in the tests, never for a learner.

A lab's solution cell starts with ``%%solution``. In a learner's session (Jupyter, JupyterLab, Colab, Binder, a
hub) the cell only prints ``NOT_RUN``, so Run All leaves the learner's answer alone and Check my work judges it.
When the environment variable ``LABKIT_RUN_SOLUTIONS`` is ``1`` (set by the book build's ``_ext/labkit_solutions``
Sphinx extension and by ``tests/conftest.py``), the cell's body runs in the notebook's namespace like any cell.
Without labkit imported, IPython answers "Cell magic `%%solution` not found": the solution still does not run.
"""
from __future__ import annotations

import os

ENV = "LABKIT_RUN_SOLUTIONS"
NOT_RUN = ("Solution not run — it is here to read: expand the cell; copy what you need (not its %%solution line) "
           "into your answer cell above.")


class SolutionFailed(Exception):
    """The solution's own code raised (its traceback is shown above): the lab's solution needs fixing."""


def enabled() -> bool:
    """True when solutions run: ``LABKIT_RUN_SOLUTIONS=1`` (the book build, the tests)."""
    return os.environ.get(ENV) == "1"


def solution(line: str, cell: str):
    """The ``%%solution`` cell magic: run ``cell`` in the user namespace if ``enabled()``, else print ``NOT_RUN``.

    Raises ``SolutionFailed`` when the solution's code raises, so an executed book or test stops there.
    """
    if not enabled():
        print(NOT_RUN)
        return None
    from IPython import get_ipython

    result = get_ipython().run_cell(cell)
    if not result.success:
        raise SolutionFailed("The solution above raised an error (shown above).")
    return None


def register(shell=None) -> None:
    """Register ``%%solution`` in ``shell`` (the running IPython, if any); nothing happens in plain Python."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(solution, magic_kind="cell", magic_name="solution")
