"""Sphinx extension of the book: every notebook the build executes runs its labs' ``%%solution`` cells.

``setup()`` sets ``LABKIT_RUN_SOLUTIONS=1`` in the build's own environment; the kernels that execute the
notebooks are started by the build, inherit it, and so the static book shows each solution's ✓ verdict.
A learner's kernel never has it (see ``labkit/solutions.py``). Listed under ``sphinx: local_extensions`` in
``_config.yml``, so ``jupyter-book build .`` needs nothing more.
"""
from __future__ import annotations

import os

ENV = "LABKIT_RUN_SOLUTIONS"  # the same name as labkit.solutions.ENV (not imported: the build need not import labkit)


def setup(app):
    os.environ[ENV] = "1"
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
