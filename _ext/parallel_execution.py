"""Sphinx extension of the book: execute the book's notebooks in parallel before myst-nb reads them.

With ``execute_notebooks: cache`` myst-nb (1.4.0) executes each notebook it cannot find in its jupyter-cache
(``<outdir>/../.jupyter_cache``) one at a time, while it reads the documents. At ``builder-inited`` — after
myst-nb's own ``builder-inited`` handler has set ``env.mystnb_config`` and its cache path, and before any document
is read — this extension:

1. lists the book's documents (the same discovery Sphinx does: ``exclude_patterns``, and so Jupyter Book's
   ``only_build_toc_files``, apply) and reads each with myst-nb's own reader (``create_nb_reader``): ``.ipynb``
   notebooks and MyST Markdown notebooks (``file_format: mystnb`` top matter); other pages are skipped,
2. keeps those myst-nb would execute through the cache and that the cache does not hold yet
   (``cache.match_cache_notebook`` on the notebook as myst-nb reads it: the same kernelspec and code cells, so
   the hash is the one myst-nb computes),
3. adds them to that cache's project and runs them with jupyter-cache's ``local-parallel`` executor (a pool of
   ``os.cpu_count()`` processes, each notebook in its own kernel, in the notebook's folder as myst-nb does) with
   myst-nb's ``execution_timeout`` and ``execution_allow_errors``. nbclient honours ``raises-exception`` cell tags
   there exactly as in myst-nb's own execution (both call ``jupyter_cache.executors.utils.single_nb_execution``).
   Each kernel is shut down at once once its notebook is done (nbclient's ``shutdown_kernel="immediate"``, as
   nbval does): the outputs are complete by then, and nbclient's graceful shutdown waited about 2-3 s per kernel
   (measured on this 2-core machine: a one-cell notebook took 5.2 s graceful, 1.8 s immediate). A lab's Lambda
   workers still end: each reads its requests from a pipe the kernel holds and exits when it closes.

A kernel that dies before answering (two kernels given the same port) is started once more. A notebook that
succeeds is cached, and myst-nb then reports "Using cached notebook" for it. A notebook that fails
here is not cached: myst-nb executes it itself when it reads it, and reports the failure exactly as without this
extension. Nothing here raises or warns for a failed notebook; an unexpected error in this pass is logged (info)
and the build goes on serially.

Notebooks left to myst-nb (not pre-executed here): those matching ``nb_execution_excludepatterns``, and those
whose metadata carries per-notebook myst-nb overrides (``mystnb``) or whose kernel name ``nb_kernel_rgx_aliases``
would rewrite (their hash or settings could differ from what this pass would use).

The kernels inherit the build's environment, so ``LABKIT_RUN_SOLUTIONS=1`` (set by ``labkit_solutions``'s
``setup``) reaches them. Set ``BOOK_SERIAL_EXECUTION=1`` to turn this pass off.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from pathlib import Path, PurePosixPath

from jupyter_cache.executors import basic
from jupyter_cache.executors.utils import single_nb_execution
from sphinx.util import logging as sphinx_logging

LOGGER = sphinx_logging.getLogger(__name__)
OFF_SWITCH = "BOOK_SERIAL_EXECUTION"


def _book_documents(app) -> list[Path]:
    """Absolute paths of the documents this build will read (Sphinx's own discovery)."""
    exclude = list(app.config.exclude_patterns) + list(app.config.templates_path) + list(app.builder.get_asset_paths())
    docnames = app.project.discover(exclude, app.config.include_patterns)
    return [Path(app.project.doc2path(name, True)) for name in sorted(docnames)]


def _left_to_myst_nb(path: Path, notebook, nb_config) -> bool:
    """True for a notebook whose execution settings this pass might not reproduce exactly."""
    posix_path = PurePosixPath(path.as_posix())
    if any(posix_path.match(pattern) for pattern in nb_config.execution_excludepatterns):
        return True
    if nb_config.metadata_key in notebook.metadata:
        return True
    kernel_name = notebook.metadata.get("kernelspec", {}).get("name")
    return kernel_name is not None and any(re.fullmatch(rgx, kernel_name) for rgx in nb_config.kernel_rgx_aliases)


KERNEL_DIED = "Kernel died before replying to kernel_info"
"""nbclient's error when a kernel exits before it answers: here, when two kernels started at once by the pool's
processes were given the same port (jupyter_client picks free ports before the kernel binds them; the kernel
then stops on ZMQError "Address already in use"), as a clean-clone CI run showed once."""


def _single_nb_execution(notebook, cwd: str, data):
    """``single_nb_execution`` as jupyter-cache's workers call it, with nbclient's ``shutdown_kernel="immediate"``.

    A kernel that died before answering (:data:`KERNEL_DIED`: no cell has run) is started once more; a second
    failure, or any other error, propagates and leaves the notebook to myst-nb as before."""
    for attempt in (1, 2):
        try:
            return single_nb_execution(notebook, cwd=cwd, timeout=data.timeout, allow_errors=data.allow_errors,
                                       shutdown_kernel="immediate")
        except RuntimeError as error:
            if attempt == 2 or KERNEL_DIED not in str(error):
                raise


class _LocalWorker(basic.ExecutionWorkerLocalMProc):
    """jupyter-cache's ``local-parallel`` worker (the notebook's folder as cwd); its kernel stops at once."""

    @staticmethod
    def execute(project_nb, data):
        return _single_nb_execution(project_nb.nb, str(Path(project_nb.uri).parent), data)


class _TempWorker(basic.ExecutionWorkerTempMProc):
    """jupyter-cache's ``temp-parallel`` worker (a temporary folder with the notebook's assets); stops at once."""

    @staticmethod
    def execute(project_nb, data):
        with tempfile.TemporaryDirectory() as cwd:
            basic.copy_assets(project_nb.uri, project_nb.assets, cwd)
            return _single_nb_execution(project_nb.nb, cwd, data)


class LocalParallelExecutor(basic.JupyterExecutorLocalMproc):
    """jupyter-cache's ``local-parallel`` executor through its ``_EXECUTION_WORKER`` hook: kernels stop at once."""

    _EXECUTION_WORKER = _LocalWorker


class TempParallelExecutor(basic.JupyterExecutorTempMproc):
    """jupyter-cache's ``temp-parallel`` executor through its ``_EXECUTION_WORKER`` hook: kernels stop at once."""

    _EXECUTION_WORKER = _TempWorker


def execute_missing_notebooks(app) -> dict:
    """Pre-execute, in parallel, the book's notebooks missing from myst-nb's cache, and cache the successes.

    Returns ``{"queued": [paths], "succeeded": [those the cache now holds], "failed": [the others], "seconds":
    float}`` (empty lists when there is nothing to do or the pass is off). Never raises for a failing notebook:
    myst-nb re-executes it.
    """
    summary = {"queued": [], "succeeded": [], "failed": [], "seconds": 0.0}
    nb_config = getattr(app.env, "mystnb_config", None)
    if nb_config is None or nb_config.execution_mode != "cache" or os.environ.get(OFF_SWITCH) == "1":
        return summary

    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(nb_config.execution_cache_path)
    pks, queued = [], []
    for path in _book_documents(app):
        text = path.read_text(encoding="utf-8")
        nb_reader = create_nb_reader(str(path), app.env.myst_config, nb_config, text)  # as myst-nb's parser does
        if nb_reader is None:
            continue  # not a notebook (plain Markdown page)
        notebook = nb_reader.read(text)
        if _left_to_myst_nb(path, notebook, nb_config):
            continue
        if _cached(cache, notebook):
            continue  # already a cache hit
        if nb_reader.read_fmt is not None:  # a MyST Markdown notebook: jupyter-cache reads it with myst-nb's plugin
            pks.append(cache.add_nb_to_project(str(path), read_data=nb_reader.read_fmt).pk)
        else:
            pks.append(cache.add_nb_to_project(str(path)).pk)
        queued.append((str(path), notebook))
    summary["queued"] = [path for path, _ in queued]
    if not pks:
        return summary

    executor_class = TempParallelExecutor if nb_config.execution_in_temp else LocalParallelExecutor
    LOGGER.info(f"parallel_execution: executing {len(pks)} notebook(s) with jupyter-cache's "
                f"{executor_class.__mro__[1].__name__} (kernels shut down at once) over {os.cpu_count()} processes")
    started = time.perf_counter()
    executor = executor_class(cache, logger=logging.getLogger("parallel_execution"))
    executor.run_and_cache(filter_pks=pks, timeout=nb_config.execution_timeout,
                           allow_errors=nb_config.execution_allow_errors)
    summary["seconds"] = time.perf_counter() - started
    # what the cache holds now, as myst-nb will look it up: a worker's caching error is not always a miss (two
    # workers caching at once can race in jupyter-cache's truncate_caches after the notebook was stored)
    for path, notebook in queued:
        summary["succeeded" if _cached(cache, notebook) else "failed"].append(path)
    LOGGER.info(f"parallel_execution: {len(summary['succeeded'])} cached, {len(summary['failed'])} left to myst-nb "
                f"in {summary['seconds']:.1f} s")
    return summary


def _cached(cache, notebook) -> bool:
    """True when ``cache`` holds ``notebook`` (jupyter-cache's ``match_cache_notebook``, as myst-nb matches it)."""
    try:
        cache.match_cache_notebook(notebook)
    except KeyError:
        return False
    return True


def _on_builder_inited(app):
    try:
        app.env.parallel_execution_summary = execute_missing_notebooks(app)
    except Exception as error:  # this pass only saves time: myst-nb still executes whatever is not cached
        LOGGER.info(f"parallel_execution: skipped ({error.__class__.__name__}: {error}); executing serially")


def setup(app):
    app.setup_extension("myst_nb")
    app.connect("builder-inited", _on_builder_inited, priority=900)  # after myst-nb's create_mystnb_config (500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
