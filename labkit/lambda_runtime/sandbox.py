"""Workshop mode: each student's Lambda code runs sandboxed on the instructor's server.

``python -m labkit serve --students N`` (or ``--keys``) calls :func:`enable` once the engine listens. From then
on every new execution environment starts through ``sandbox_exec.py`` (this folder), which gives the worker:

- **its own user**: uid and gid ``1,000,000,000 + (account id mod 1,000,000,000)`` — one per student account, no
  supplementary groups, no new privileges; the function's code and layers are owned by that user and readable by
  it only;
- **its own file system**: an empty root holding, read-only, only the system's programs and libraries, a few files
  of /etc (the dynamic linker's cache, time zone, hosts, certificates), the Python that runs the handler, the AWS
  SDK's packages (boto3, botocore and their dependencies, nothing else of the server's Python environment),
  labkit's worker and runtime modules, and this function's own code and layers; a fresh /proc (its own processes
  only), a minimal /dev, and an empty writable /tmp of 512 MB (the default size of a function's /tmp,
  "EphemeralStorage", Lambda API reference) with ``HOME`` there. The server's home, working folder, key file and
  other functions' code do not exist in it;
- **its own PID, IPC and network namespaces**: it sees and signals no other process; its only network interface
  is the loopback, where a relay forwards ``127.0.0.1:<engine port>`` (its ``AWS_ENDPOINT_URL``) to the engine
  through a Unix socket: the engine is the one address it can reach;
- **limits**: the worker's resident memory may not pass the function's ``MemorySize`` (AWS: 128 to 10,240 MB,
  "Lambda quotas"): the launcher checks it every 50 ms and stops the environment, and the invocation fails with
  ``Runtime.ExitError`` saying so; its address space may not pass ``MemorySize`` + 9 GB (a backstop: a larger
  allocation raises ``MemoryError``; 8 GB of it is room for 1,024 threads' 8 MB stacks, which they reserve but
  barely use), with glibc's malloc arenas capped at 2 (``MALLOC_ARENA_MAX``; each reserves 64 MB); at most 1,024
  processes and threads per account and 1,024 open files (the Lambda quotas' numbers), no core files; CPU priority lowered (nice 10) below the server's; the function's
  timeout ends the environment's processes, as before.

It needs Linux. Run as root, it switches each account's code to its own user (above). Run as another user, it
adds a user namespace: the same file system, namespaces and limits, but the code keeps the server's own user
(uid 0 inside the namespace, mapped to the server's user outside, every capability dropped), so students are
kept apart by the namespaces only, and the 1,024-process limit counts the server's own processes too.
:func:`probe` tries it once and :func:`enable` says in one line what is and is not isolated. Outside workshop
mode nothing changes: a learner's own engine runs their own code as their own user.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
EXEC = os.path.join(HERE, "sandbox_exec.py")
WORKER = os.path.join(HERE, "worker.py")
UID_BASE = 1_000_000_000
TMP_MB = 512  # "EphemeralStorage" (Lambda API reference): a function's /tmp is 512 MB by default
NPROC = NOFILE = 1024  # "Lambda quotas": execution processes/threads 1,024; file descriptors 1,024
THREAD_STACK_MB = 8  # glibc's default thread stack: the usual RLIMIT_STACK of 8 MB, reserved whole per thread
ADDRESS_SLACK_MB = 1024 + NPROC * THREAD_STACK_MB
"""The address space (virtual memory) allowed beyond MemorySize, a backstop to the resident-memory watch: a
process reserves much address space it never uses (each thread's stack, malloc's arenas), which AWS does not count.
1 GB, plus a stack for each of the 1,024 threads the Lambda quotas allow (with 1 GB only, a 128 MB function
could start about 20 threads)."""
MALLOC_ARENA_MAX = "2"
"""glibc makes up to 8 malloc arenas per core, each reserving 64 MB of address space: capped in the worker's
environment, so threads do not spend the backstop above on arenas (the resident memory is what is limited)."""
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/hosts",
       "/etc/nsswitch.conf", "/etc/protocols", "/etc/services", "/etc/mime.types", "/etc/ssl",
       "/etc/ca-certificates", "/etc/pki", "/etc/alternatives")

ACTIVE: "Sandbox | None" = None
"""The sandbox new execution environments start in (labkit/lambda_runtime/environments.py); None: unsandboxed."""


def user_of(account: str) -> int:
    """The uid (and gid) a student account's Lambda code runs as."""
    return UID_BASE + int(account) % 1_000_000_000


def python_prefix(executable: str) -> str:
    """The installation folder of a Python (``/usr``, ``~/.pyenv/versions/3.11.7``) from its real executable."""
    return os.path.dirname(os.path.dirname(os.path.realpath(executable)))


def sdk_paths() -> list[str]:
    """The AWS SDK's package folders (and their ``.dist-info``) a handler may import, nothing else of the venv."""
    from ..emulator.lambda_sandbox import sdk_locations

    found = sdk_locations()
    wanted = {d.replace("-", "_").lower() for d in found["distributions"]}
    paths = []
    for name, folder in found["modules"].items():
        paths += [p for p in (os.path.join(folder, name), os.path.join(folder, name + ".py")) if os.path.exists(p)]
    for folder in set(found["modules"].values()):
        for entry in os.listdir(folder):
            if entry.endswith(".dist-info") and entry.split("-")[0].lower() in wanted:
                paths.append(os.path.join(folder, entry))
    return paths


class _Relay(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """The server's end of the only road out of a sandbox: a Unix socket connected to the engine's TCP port."""

    daemon_threads = True

    def __init__(self, path: str, engine: tuple[str, int]):
        self.engine = engine
        super().__init__(path, _RelayHandler)


class _RelayHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        from .sandbox_exec import pump

        try:
            upstream = socket.create_connection(self.server.engine, timeout=10)
            upstream.settimeout(None)
        except OSError:
            return
        other = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
        other.start()
        pump(self.request, upstream)
        other.join()
        upstream.close()


class Sandbox:
    """Where sandboxes are built from, and the relay to the engine at ``endpoint_url``.

    Raises OSError when the relay's socket cannot be made. Call :meth:`close` to stop the relay.
    """

    def __init__(self, endpoint_url: str, userns: bool = False):
        self.userns = userns  # not root: in a user namespace, as the server's own user (no per-account users)
        parsed = urlparse(endpoint_url)
        self.engine = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.folder = tempfile.mkdtemp(prefix="labkit-sandbox-")
        os.chmod(self.folder, 0o755)
        self.root = os.path.join(self.folder, "root")  # each sandbox mounts its own root here, in its namespace
        os.mkdir(self.root)
        os.mkdir(os.path.join(self.folder, "run"), 0o755)
        self.relay_socket = os.path.join(self.folder, "run", "engine.sock")
        self._relay = _Relay(self.relay_socket, self.engine)
        os.chmod(self.relay_socket, 0o666)
        threading.Thread(target=self._relay.serve_forever, name="labkit-sandbox-relay", daemon=True).start()
        self._lock = threading.Lock()
        self._compiled: set[tuple[str, str]] = set()
        self.symlinks = [(p, os.readlink(p)) for p in SYSTEM if os.path.islink(p)]
        self.common = [p for p in SYSTEM if os.path.isdir(p) and not os.path.islink(p)]
        self.common += [p for p in ETC if os.path.exists(p)]
        runtime = [os.path.join(HERE, "bootstrap.py"), WORKER,
                   importlib.util.cache_from_source(WORKER)]  # what the kernel's Python loads (if compiled)
        self.common += [python_prefix(sys.executable), *sdk_paths(), *runtime]
        from ..emulator.lambda_sandbox import RUNTIME_MODULES

        self.common.append(RUNTIME_MODULES)

    def config(self, code_dir: str, account: str, memory_mb: int, cwd: str, engine_port: int,
               extra: list[str]) -> dict:
        """The settings ``sandbox_exec.py`` reads (see its docstring)."""
        uid = user_of(account)
        return {"userns": self.userns, "root": self.root, "binds": [*self.common, *extra, code_dir], "symlinks": self.symlinks,
                "chown": [] if self.userns else [code_dir], "uid": uid, "gid": uid, "memory_mb": memory_mb, "nproc": NPROC,
                "nofile": NOFILE, "tmp_mb": TMP_MB, "address_slack_mb": ADDRESS_SLACK_MB, "relay_socket": self.relay_socket, "engine_port": engine_port,
                "cwd": cwd}

    def wrap(self, argv: list[str], env: dict[str, str], spec, code_dir: str) -> tuple[list[str], dict[str, str]]:
        """The command and environment that start ``argv`` (a worker) sandboxed, for function ``spec``."""
        interpreter = os.path.realpath(argv[0])
        extra = [python_prefix(interpreter)]
        for arg in argv:  # another Python's compiled standard library and SDK: readable, not writable (not the
            if arg.startswith("pycache_prefix="):  # other functions' compiled code, kept in the same folder)
                cache = arg.split("=", 1)[1]
                self.compile_sdk(interpreter, cache)
                extra += [cache + p for p in (extra[0], HERE, *self.common) if os.path.isdir(cache + p)]
        port = urlparse(env["AWS_ENDPOINT_URL"]).port or 80
        config = self.config(code_dir, spec.arn.split(":")[4], spec.memory_mb, env["LAMBDA_TASK_ROOT"], port, extra)
        env = {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "HOME": "/tmp",
               "MALLOC_ARENA_MAX": MALLOC_ARENA_MAX, "LABKIT_SANDBOX": json.dumps(config)}
        return [os.path.realpath(sys.executable), "-I", "-S", EXEC, interpreter, *argv[1:]], env

    def compile_sdk(self, interpreter: str, cache: str) -> None:
        """Compile, once per Python, the standard library and SDK modules a handler imports, and the runtime
        (worker.py), into labkit's cache.

        A sandbox may not write there (one student's compiled file would run in another's sandbox), so without
        this every cold start of a runtime other than the kernel's Python would compile boto3 again (seconds), and
        each environment would keep the memory of compiling the runtime (bootstrap.py)."""
        with self._lock:
            if (interpreter, cache) in self._compiled:
                return
            self._compiled.add((interpreter, cache))
        from ..emulator.lambda_sandbox import sdk_locations

        folders = sorted(set(sdk_locations()["modules"].values()))
        warm = (f"import py_compile, sys; py_compile.compile({WORKER!r}); sys.path += {folders!r}; import boto3\n"
                "for name in ('s3', 'dynamodb', 'sqs', 'sns', 'lambda', 'stepfunctions', 'events', 'logs'):\n"
                "    boto3.client(name, region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x')")
        try:
            subprocess.run([interpreter, "-I", "-S", "-X", f"pycache_prefix={cache}", "-c", warm],
                           capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            pass  # then each cold start compiles what it imports, in memory: slower, not wrong

    def close(self) -> None:
        self._relay.shutdown()
        self._relay.server_close()
        shutil.rmtree(self.folder, ignore_errors=True)


PROBE = r"""
import json, os, socket, sys
caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff:")][0]
seen = {"uid": os.getuid(), "caps": int(caps, 16), "server_file": os.path.exists(sys.argv[1]), "root_home": os.path.exists("/root/.bashrc"),
        "pids": len([p for p in os.listdir("/proc") if p.isdigit()])}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1).close(); seen["internet"] = True
except OSError:
    seen["internet"] = False
print(json.dumps(seen))
"""


def probe(sandbox: Sandbox, endpoint_url: str) -> str | None:
    """Start one sandboxed Python and check what it sees; None when it is isolated, else why not."""
    code_dir = tempfile.mkdtemp(prefix="labkit-lambda-")
    task = os.path.join(code_dir, "task")
    os.mkdir(task)

    class Spec:
        arn, memory_mb = "arn:aws:lambda:us-east-1:000000000000:function:probe", 128

    argv, env = sandbox.wrap([sys.executable, "-I", "-S", "-c", PROBE, os.path.abspath(__file__)],
                             {"AWS_ENDPOINT_URL": endpoint_url, "LAMBDA_TASK_ROOT": task, "PATH": "/usr/bin:/bin"},
                             Spec, code_dir)
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"the sandbox did not start ({exc})"
    finally:
        shutil.rmtree(code_dir, ignore_errors=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        return lines[-1].replace("labkit sandbox: ", "") if lines else f"exit status {done.returncode}"
    seen = json.loads(done.stdout)
    if (seen["uid"] == 0 and not sandbox.userns) or seen["caps"] or seen["server_file"] or seen["root_home"] or seen["pids"] > 3 or seen["internet"]:
        return f"a test sandbox saw more than it should ({seen})"
    return None


def unavailable_reason() -> str | None:
    """Why this host cannot sandbox at all (None: it may; :func:`probe` tells)."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux namespaces, and this is {sys.platform}"
    return None


def server_user() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


def enable(endpoint_url: str) -> str:
    """Sandbox every new Lambda execution environment of this process, if the host allows it.

    Returns the one line ``labkit serve`` prints: what is isolated, or that nothing is and why.
    """
    global ACTIVE
    reason = unavailable_reason()
    sandbox = None
    userns = os.geteuid() != 0 or os.environ.get("LABKIT_SANDBOX_USERNS") == "1"  # the latter: tests, as root
    if reason is None:
        try:
            sandbox = Sandbox(endpoint_url, userns=userns)
            reason = probe(sandbox, endpoint_url)
        except OSError as exc:
            reason = f"the sandbox could not be prepared ({exc})"
        if reason is not None and sandbox is not None:
            sandbox.close()
        if reason is not None and os.geteuid() != 0:
            reason = f"labkit serve runs as {server_user()}, not root, and no user namespace was allowed ({reason})"
    if reason is not None:
        return (f"Student Lambda code: NOT sandboxed on this host: {reason}. It runs as this server's user, with "
                "its files and network: run the server as root on Linux, or give each student their own engine "
                "(per-student servers) instead.")
    ACTIVE = sandbox
    import atexit

    atexit.register(disable)  # the relay's socket and folder go with the server
    who = (f"as {server_user()} in a user namespace, without privileges" if sandbox.userns else
           "one user per student account")
    return (f"Student Lambda code: sandboxed ({who}, no server files, only the engine reachable, memory = the "
            f"function's MemorySize, {TMP_MB} MB /tmp, {NPROC} processes; see workshop.md).")


def disable() -> None:
    """Stop sandboxing new execution environments (tests)."""
    global ACTIVE
    if ACTIVE is not None:
        ACTIVE.close()
        ACTIVE = None
