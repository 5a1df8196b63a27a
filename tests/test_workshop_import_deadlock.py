"""The workshop server froze (every request unanswered, CI read timeouts): a deadlock between labkit's lazy emulator
installs (labkit/emulator/lazy.py) and Python's import locks, found with ``py-spy dump`` of a hung ``labkit serve``.

Thread A ran a deferred install() holding lazy's lock; the install imported a moto module that thread B was
importing (B held its import lock), and B, finishing a nested moto import, waited for lazy's lock to record it.
Here the same interleaving, forced with events on three tiny ``moto.*`` modules, in a child process with a
deadline (a deadlock there cannot freeze the test process)."""
from __future__ import annotations

import subprocess
import sys

SCENARIO = r'''
import os, sys, tempfile, threading, time
import moto
from labkit.emulator import lazy

folder = tempfile.mkdtemp()
moto.__path__.append(folder)  # three moto.* modules, imported through lazy's import hook
sources = {
    # B imports outer, which imports inner; inner waits until A is inside its install()
    "labkit_wt_outer": "import moto.labkit_wt_inner\n",
    "labkit_wt_inner": "import builtins\nbuiltins.B_INSIDE.set()\nbuiltins.A_INSTALLING.wait(10)\n",
    "labkit_wt_trigger": "",
}
for name, source in sources.items():
    with open(os.path.join(folder, name + ".py"), "w") as out:
        out.write(source)

import builtins
builtins.B_INSIDE, builtins.A_INSTALLING = threading.Event(), threading.Event()
ran = []

def install_a():  # A's deferred install imports the module B is importing
    builtins.A_INSTALLING.set()
    import moto.labkit_wt_outer
    ran.append("a")

lazy.when_loaded(("moto.labkit_wt_trigger",), "wt-a", install_a)
lazy.when_loaded(("moto.labkit_wt_inner",), "wt-inner", lambda: ran.append("inner"))

def thread_b():
    import moto.labkit_wt_outer

def thread_a():
    builtins.B_INSIDE.wait(10)
    import moto.labkit_wt_trigger  # loaded: install_a is due and runs when this import ends

threads = [threading.Thread(target=thread_b, daemon=True), threading.Thread(target=thread_a, daemon=True)]
for thread in threads:
    thread.start()
deadline = time.monotonic() + 15
for thread in threads:
    thread.join(max(0.0, deadline - time.monotonic()))
print("hung" if any(t.is_alive() for t in threads) else "done", sorted(ran), flush=True)
os._exit(0)
'''


def test_a_deferred_install_and_a_concurrent_moto_import_do_not_deadlock():
    done = subprocess.run([sys.executable, "-c", SCENARIO], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[:1] == ["done"], \
        f"the two threads deadlocked (lazy's lock against an import lock): {done.stdout} {done.stderr[-1000:]}"
    # both installs ran, once each: A's, and the one B's import made due (run by A, which held the install turn)
    assert done.stdout.strip() == "done ['a', 'inner']"
