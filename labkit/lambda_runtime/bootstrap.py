"""What a Lambda worker process runs: ``python -I -S bootstrap.py HANDLER PROTOCOL_FD`` (labkit/lambda_runtime/
environments.py starts it; the name is the one AWS gives a runtime's entry point).

It loads the runtime, worker.py of this folder, with the import system's own loader and runs it. That loader uses
the runtime's compiled file when there is one — in the interpreter's pycache prefix, labkit's cache, for a runtime
whose Python is not the kernel's (written there by the first environment, or by the workshop sandbox before any),
or in this package's ``__pycache__`` for the kernel's Python — whereas a script given to ``python`` is compiled from
source at every start, and the compiler's memory stays in the process for as long as the environment is warm
(measured on the lambda lab's function, Python 3.12: a warm environment 13.5 MB when worker.py was the script,
12.9 MB now). The runtime module is not put in ``sys.modules``: a handler's own module named ``worker`` stays its own.
"""
import os
import sys
from importlib.machinery import SourceFileLoader

loader = SourceFileLoader("labkit_lambda_worker", os.path.join(os.path.dirname(__file__), "worker.py"))
runtime = type(sys)(loader.name)
runtime.__file__ = loader.path
loader.exec_module(runtime)
runtime.main()
