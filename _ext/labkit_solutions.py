"""Sphinx extension of the book: every notebook the build executes runs its labs' ``%%solution`` cells.

``setup()`` sets ``LABKIT_RUN_SOLUTIONS=1`` in the build's own environment; the kernels that execute the
notebooks are started by the build, inherit it, and so the static book shows each solution's ✓ verdict.
A learner's kernel never has it (see ``labkit/solutions.py``). Listed under ``sphinx: local_extensions`` in
``_config.yml``, so ``jupyter-book build .`` needs nothing more.

It also teaches the ``ipython3`` highlighter that a ``%%solution`` cell's body is Python (IPython's lexer shows
the body of a cell magic it does not know as plain text).
"""
from __future__ import annotations

import os

ENV = "LABKIT_RUN_SOLUTIONS"  # the same name as labkit.solutions.ENV (not imported: the build need not import labkit)


def solution_lexer():
    """IPython's lexer, plus: the body of a ``%%solution`` cell is Python. None without ipython_pygments_lexers."""
    try:
        from ipython_pygments_lexers import IPython3Lexer
    except ImportError:
        return None
    from pygments.lexer import bygroups, using
    from pygments.token import Operator, Text

    class SolutionLexer(IPython3Lexer):
        tokens = IPython3Lexer.tokens.copy()
        tokens["root"] = [(r"(?s)(\s*)(%%solution)([^\n]*\n)(.*)",
                           bygroups(Text, Operator, Text, using(IPython3Lexer)))] + IPython3Lexer.tokens["root"]

    return SolutionLexer


def setup(app):
    os.environ[ENV] = "1"
    lexer = solution_lexer()
    if lexer is not None:
        app.add_lexer("ipython3", lexer)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
