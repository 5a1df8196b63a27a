"""Expected failures, shown to a learner as one short paragraph instead of a traceback."""
from __future__ import annotations

import functools
import os
import pathlib
import re
import site
import sysconfig
import traceback


class LabkitError(Exception):
    """A situation labkit expects and can explain; the message says what to do."""


class EngineUnavailable(LabkitError):
    """No engine could be started or reached."""


class ServiceUnavailable(LabkitError):
    """The current engine does not offer a service this lab needs."""


class AwsNotConfirmed(LabkitError):
    """Real AWS was asked for without the explicit cost confirmation."""


class UnsupportedRuntime(LabkitError):
    """A Lambda runtime the embedded engine cannot execute."""


FULL_TRACEBACK_HINT = "(%tb shows the full traceback)"
OWN_ERROR = "labkit: "  # how labkit's own error is shown in a notebook: this, then its message
LEARNER_LINES = 5  # a deeper chain of the learner's own calls shows its first line and its last ones


def install_ipython_handler() -> None:
    """Show expected errors in notebooks short, as an *error* output (the cell fails; Run All stops there).

    - ``LabkitError`` (and botocore's ``EndpointConnectionError``, told as "is the engine running?"):
      ``labkit: <message>``, nothing more.
    - An AWS error, botocore's ``ClientError`` (and the modeled ``client.exceptions.X``, its subclasses),
      ``ParamValidationError`` (a parameter of the wrong shape, refused before any call), ``WaiterError`` (a waiter
      that gave up or met a failure state) or boto3's ``S3UploadFailedError`` (``upload_file``'s wrapping of the
      refused call, AWS's code in its message): the error's name and
      message (``ClientError: An error occurred (ValidationException) when calling the Query operation: …``),
      then the learner's own lines that led to it (see :func:`short_traceback`) and how to see the rest (``%tb``).

    Every other exception keeps IPython's traceback. The handler goes through IPython's ``set_custom_exc``
    (https://ipython.readthedocs.io/en/stable/api/generated/IPython.core.interactiveshell.html): the error renders
    as these lines (``_render_traceback_``, which IPython's ``showtraceback`` reads) until the cell is done, and
    the shell's public ``showtraceback`` shows it as any error: ipykernel makes the lines the cell's ``error``
    output (``ename``, ``evalue``, ``traceback``) and the execute reply's, JupyterLite's Pyodide kernel marks the
    cell failed from them, a plain ``InteractiveShell`` prints them; ``sys.last_value`` and its kin are set, so
    ``%tb`` (then the full traceback) and ``%debug`` find the error, and ``%pdb on`` opens the debugger.
    IPython's copy for ``%notebook`` is these lines too (no verbose traceback is made: it would import
    stack_data and its kin, 4.7 MB). Outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: normal tracebacks are fine
        return
    shell = get_ipython()
    if shell is None:
        return
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError, WaiterError

    def show_short(shell, etype, value, tb, tb_offset=None):
        shown = value
        if issubclass(etype, EndpointConnectionError):
            shown = EngineUnavailable(
                f"Nothing answers at {value.kwargs.get('endpoint_url')}. Is the engine running? "
                "Run `python -m labkit doctor` in a terminal to see what labkit finds."
            )
            shown.__cause__ = value  # %tb: botocore's error, then this one
        if isinstance(shown, LabkitError):
            lines = [f"{OWN_ERROR}{shown}"]
        else:
            lines = short_traceback(value, tb, cell_namer(shell.compile)) + [FULL_TRACEBACK_HINT]
        # IPython 9 formats the cell's error once more, to keep it for ``%notebook`` (history's exceptions): with
        # the verbose traceback unless the exception renders itself. These lines, until the cell is done.
        for error in {value, shown}:
            rendered.append(error)
            error._render_traceback_ = lambda: lines
        shell.showtraceback((type(shown), shown, tb))
        return None  # IPython's run_code ignores what a custom handler returns: showtraceback showed the lines

    def after_cell(result=None):  # then %tb shows the full traceback
        while rendered:
            vars(rendered.pop()).pop("_render_traceback_", None)

    rendered: list[BaseException] = []
    shell.set_custom_exc((LabkitError, EndpointConnectionError, ClientError, ParamValidationError, WaiterError,
                          S3UploadFailedError), show_short)
    shell.events.register("post_run_cell", after_cell)


def short_traceback(error: BaseException, tb, cell_name) -> list[str]:
    """``error`` in a few lines: ``<Name>: <message>``, then each of the learner's own frames of ``tb``, outermost
    first, as ``  Cell In[3], line 1: <source line>`` (``…, in <function>`` for a function defined in a cell).

    The learner's frames are those of notebook cells (``cell_name(filename)`` gives IPython's ``("Cell", "In[3]")``
    for a cell's code, None otherwise: the shell's ``compile.format_code_name``) and of files outside Python's own
    library, the installed packages and labkit. The source line comes from ``linecache``, where IPython keeps every
    cell. More than :data:`LEARNER_LINES` such frames (a recursion): the outermost, a count, the innermost ones.
    """
    lines = f"{type(error).__name__}: {error}".splitlines()
    frames = []
    for frame in traceback.extract_tb(tb):
        cell = cell_name(frame.filename)
        if cell is None and not _learners_file(frame.filename):
            continue
        where = f"Cell {cell[1]}" if cell else pathlib.Path(frame.filename).name
        where += f", line {frame.lineno}" + ("" if frame.name == "<module>" else f", in {frame.name}")
        frames.append(f"  {where}: {(frame.line or '').strip()}")
    if len(frames) > LEARNER_LINES:
        frames[1:-LEARNER_LINES + 1] = [f"  ... {len(frames) - LEARNER_LINES} more of your calls ..."]
    return lines + frames


def cell_namer(compiler):
    """IPython's namer of cells for ``short_traceback``: ``compiler.format_code_name`` (IPython 8 and later: a cell's
    code file → ``("Cell", "In[3]")``, else None); IPython 7 (Google Colab's) has none and names a cell's code
    ``<ipython-input-3-1a2b3c4d5e6f>``, read here the same way."""
    if hasattr(compiler, "format_code_name"):
        return compiler.format_code_name

    def ipython7(filename: str):
        number = re.fullmatch(r"<ipython-input-(\d+)-\w+>", filename)
        return ("Cell", f"In[{number.group(1)}]") if number else None
    return ipython7


def _learners_file(filename: str) -> bool:
    """Whether ``filename`` is code the learner wrote: a real file outside the interpreter's library folders
    (``sysconfig``'s stdlib, platstdlib, purelib, platlib and ``site``'s site-packages, the user's too: botocore,
    IPython…) and labkit's own package."""
    if filename.startswith("<"):  # <frozen …>, <string>: not a file of the learner's
        return False
    path = os.path.realpath(filename)
    return not any(path.startswith(folder + os.sep) for folder in _library_folders())


@functools.cache
def _library_folders() -> tuple[str, ...]:
    folders = {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    folders.update(site.getsitepackages() + [site.getusersitepackages()])
    folders.add(os.path.dirname(os.path.abspath(__file__)))  # labkit
    return tuple(os.path.realpath(folder) for folder in folders if folder)
