"""Step Functions without threads, for the browser engine (Pyodide has no threads).

moto's Step Functions interpreter (a port of LocalStack's) runs an execution in a thread started by
``ExecutionWorker.start`` and runs each Task, Parallel branch and Map iteration in more threads it then joins. Under
Pyodide ``Thread.start`` raises. :func:`apply` (called by :class:`labkit.engines.browser.BrowserEngine`, never by
the embedded engine) gives those modules a ``Thread`` whose ``start()`` runs the target at once, in the caller: the
execution runs to its end inside StartExecution, states in definition order, branches and iterations one after
another. The results are those of the threaded run (each branch's output lands in its own slot), but:

- StartExecution returns only when the execution has ended (on AWS it returns at once, status RUNNING);
- a ``.waitForTaskToken`` task cannot wait (nothing else can run to send the token), nor can ``TimeoutSeconds``
  cut a state short: both are refused with a clear error instead of hanging (see ``DIFFERENCES``).

Upstream: none; LocalStack's interpreter is written for threads.
"""
from __future__ import annotations

import importlib
import threading as _threading
import types

from .registry import Difference, Patch

PROGRAM = "moto.stepfunctions.parser.asl.component.program.program"
TEST_STATE = "moto.stepfunctions.parser.asl.component.test_state.program.test_state_program"
MAP_ITERATION = "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.inline_iteration_component"
CALLBACK = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback"
BRANCH = "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker"
EXECUTE_STATE = "moto.stepfunctions.parser.asl.component.state.exec.execute_state"
WORKER = "moto.stepfunctions.parser.backend.execution_worker"
THREADING_USERS = (PROGRAM, TEST_STATE, MAP_ITERATION, CALLBACK, BRANCH)  # `import threading`
THREAD_USERS = (EXECUTE_STATE, WORKER)  # `from threading import Thread`

PATCHES = [
    Patch(
        name="stepfunctions-without-threads",
        changes="Browser engine only: the modules of moto's Step Functions interpreter that start threads get a "
                "Thread whose start() runs its target at once (Pyodide cannot start threads); a callback task "
                "(.waitForTaskToken) fails with an error saying why instead of waiting forever.",
        symbols=tuple(f"{module}.threading" for module in THREADING_USERS)
        + tuple(f"{module}.Thread" for module in THREAD_USERS),
        upstream="None: LocalStack's interpreter is written for threads.",
    ),
]

DIFFERENCES = [
    Difference(
        id="stepfunctions-browser-synchronous",
        service="stepfunctions",
        aws="StartExecution returns at once and the execution runs on (DescribeExecution shows RUNNING until it "
            "ends); Parallel branches and Map iterations run concurrently.",
        engine="In the browser (Pyodide has no threads) StartExecution returns only once the execution has ended; "
               "branches and iterations run one after another; TimeoutSeconds cannot cut a state short and "
               ".waitForTaskToken tasks fail (nothing can send the token while the execution waits).",
        doc="StartExecution",
    ),
]


class SyncThread:
    """A ``threading.Thread`` look-alike whose ``start()`` runs the target in the caller and returns when it ends."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        self._target, self._args, self._kwargs = target, tuple(args), dict(kwargs or {})
        self.name = name or "labkit-sync"
        self.daemon = bool(daemon)
        self._started = False
        self.ident = self.native_id = _threading.get_ident()  # it runs in the caller's thread

    def start(self) -> None:
        if self._started:
            raise RuntimeError("threads can only be started once")
        self._started = True
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def run(self) -> None:
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def join(self, timeout=None) -> None:
        return None

    def is_alive(self) -> bool:
        return False


class ExecutionThread(SyncThread):
    """The thread of a whole execution: runs it at once and shows the notice of the difference, once."""

    def start(self) -> None:
        from .notices import notice

        notice("stepfunctions-browser-synchronous")
        super().start()


class CallbackRefused(RuntimeError):
    """A .waitForTaskToken task under the browser engine: nothing could ever send its token."""


class _RefusingThread(SyncThread):
    def start(self) -> None:
        raise CallbackRefused(
            "A .waitForTaskToken task cannot wait in the browser: Pyodide runs the execution to its end inside "
            "StartExecution, so nothing can call SendTaskSuccess meanwhile. Run this lab on the embedded engine "
            "(Jupyter, Colab) to see a callback task wait for its token.")


def _namespace(thread_class) -> types.SimpleNamespace:
    """What the interpreter's modules use of ``threading``: the real locks and events, ``Thread`` replaced."""
    return types.SimpleNamespace(Thread=thread_class, Lock=_threading.Lock, RLock=_threading.RLock,
                                 Event=_threading.Event, Condition=_threading.Condition,
                                 current_thread=_threading.current_thread, get_ident=_threading.get_ident)


_applied = False


def apply() -> None:
    """Replace the interpreter's threads by synchronous runs (once per process; the browser engine calls it)."""
    global _applied
    if _applied:
        return
    for name in THREADING_USERS:
        module = importlib.import_module(name)
        module.threading = _namespace(_RefusingThread if name == CALLBACK else SyncThread)
    for name in THREAD_USERS:
        importlib.import_module(name).Thread = ExecutionThread if name == WORKER else SyncThread
    _applied = True
