"""Start one Lambda worker inside the workshop sandbox (run as root by labkit/lambda_runtime/sandbox.py).

``python -I -S sandbox_exec.py WORKER_ARGV...`` with the sandbox's settings as JSON in ``LABKIT_SANDBOX`` (removed
before the worker starts). A plain script like worker.py: it imports nothing of labkit. What it does, in order:

1. new mount, PID, network, IPC and UTS namespaces (``unshare(2)``); a fork, so the child is PID 1 of its own
   PID namespace (it sees no other process; when it ends, every process it started ends too); the parent waits
   and exits with the child's status, and the child is killed if the parent is (``PR_SET_PDEATHSIG``);
2. a new root: an empty tmpfs holding read-only bind mounts of only what a handler needs (the system's programs
   and libraries, a few files of /etc, the Python that runs it, the AWS SDK's packages, bootstrap.py and worker.py
   (and its compiled file), the runtime's modules and this function's own code and layers), a fresh /proc, a
   minimal /dev and an empty writable /tmp;
   nothing else of the server's disk (its home, its working folder, other functions' code) exists in it;
3. the network namespace has only its loopback interface; one relay process listens on
   ``127.0.0.1:<engine port>`` and forwards each connection to the engine through a Unix socket the server
   bind-mounts in: the engine is the only address the handler can reach;
4. ``chroot`` into the new root, the function's own user and group (no supplementary groups, no new privileges),
   resource limits (address space, processes, open files, no core files), lower CPU priority; then ``execve`` of
   the worker;
5. the parent watches the worker's resident memory (every 50 ms) and stops it once it passes the function's
   memory size, answering the invocation with an error that says so (:func:`watch`).

A failure exits with status 126 and one line on stderr beginning ``labkit sandbox:``.
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import signal
import socket
import struct
import sys
import threading
import time

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 1, 38, 24
CLONE_NEWUSER = 0x10000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
DEVICES = ("null", "zero", "full", "random", "urandom")

libc = ctypes.CDLL(None, use_errno=True)


class SandboxError(Exception):
    """A step of building the sandbox failed (the message names it)."""


def check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise SandboxError(f"{what}: {os.strerror(code)} (errno {errno.errorcode.get(code, code)})")


def mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    check(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
          f"mount {source or fstype} on {target}")


def bind(source: str, target: str, writable: bool = False) -> None:
    """Bind ``source`` at ``target`` (created: a folder or an empty file), read-only unless ``writable``."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "w").close()
    mount(source, target, None, MS_BIND | MS_REC)
    kept = MS_NOEXEC if os.statvfs(source).f_flag & os.ST_NOEXEC else 0  # a user namespace may not clear it
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | kept | (0 if writable else MS_RDONLY)
    mount(None, target, None, flags)


def build_root(config: dict) -> str:
    """Mount the sandbox's file system under ``config["root"]`` (see the module docstring); returns the root."""
    root = config["root"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing mounted here propagates back to the server
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
    inside = lambda path: os.path.join(root, path.lstrip("/"))  # noqa: E731
    for link, target in config.get("symlinks", []):  # /bin -> usr/bin on merged-/usr systems
        os.makedirs(os.path.dirname(inside(link)), exist_ok=True)
        os.symlink(target, inside(link))
    os.makedirs(inside("/tmp"))
    mount("tmpfs", inside("/tmp"), "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={config['tmp_mb']}m")
    os.makedirs(inside("/dev"))
    mount("tmpfs", inside("/dev"), "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k")
    for name in DEVICES:
        if os.path.exists(f"/dev/{name}"):
            open(inside(f"/dev/{name}"), "w").close()
            mount(f"/dev/{name}", inside(f"/dev/{name}"), None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, inside(f"/dev/{name}"))
    os.makedirs(inside("/dev/shm"))
    mount("tmpfs", inside("/dev/shm"), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=16m")
    os.makedirs(inside("/proc"))
    mount("proc", inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for source in sorted(config["binds"], key=lambda p: p.count("/")):  # a folder before what is inside it
        if os.path.exists(source):
            bind(source, inside(source))
    os.makedirs(inside(os.path.dirname(config["relay_socket"])), exist_ok=True)
    bind(config["relay_socket"], inside(config["relay_socket"]))
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=755")
    return root


def loopback_up() -> None:
    """Bring up ``lo`` in the new network namespace (it starts down)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", __import__("fcntl").ioctl(sock.fileno(), SIOCGIFFLAGS, request))[1]
        __import__("fcntl").ioctl(sock.fileno(), SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock, how in ((target, socket.SHUT_WR), (source, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass


def relay(listener: socket.socket, unix_path: str) -> None:
    """Forward every connection to ``127.0.0.1:<port>`` to the engine's Unix socket (runs forever)."""
    while True:
        client, _ = listener.accept()
        try:
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(unix_path)
        except OSError:
            client.close()
            continue
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


def drop_privileges(config: dict) -> None:
    """Become the function's user, with its limits; the parent-death signal is set again (a uid change clears it).

    In a user namespace (a server not run as root) the only user there is the server's own: the process keeps it
    and gives up every capability instead (bounding set emptied, so the worker's ``execve`` grants none)."""
    if config.get("userns"):
        for cap in range(64):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != errno.EINVAL:
                check(-1, f"prctl(PR_CAPBSET_DROP, {cap})")
    else:
        uid, gid = config["uid"], config["gid"]
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    limits = {resource.RLIMIT_NPROC: config["nproc"], resource.RLIMIT_NOFILE: config["nofile"],
              resource.RLIMIT_CORE: 0}
    if config.get("memory_mb"):  # a backstop only: the parent watches the resident memory (see main)
        limits[resource.RLIMIT_AS] = (config["memory_mb"] + config["address_slack_mb"]) * 1024 * 1024
    for which, value in limits.items():
        resource.setrlimit(which, (value, value))
    os.nice(config.get("nice", 10))
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def child(config: dict, argv: list[str]) -> None:
    """PID 1 of the new namespaces: build the root, start the relay, become the function's user, run the worker."""
    check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    for path in config.get("chown", []):  # this function's code: readable by its user only
        for folder, dirs, files in os.walk(path):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.lchown(name, config["uid"], config["gid"])
    root = build_root(config)
    loopback_up()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", config["engine_port"]))
    listener.listen(64)
    os.chroot(root)
    os.chdir("/")
    if os.fork() == 0:  # the relay: same user and limits, ended with the namespace when the worker ends
        try:
            drop_privileges({**config, "memory_mb": 0})
            os.closerange(3, listener.fileno())
            relay(listener, config["relay_socket"])
        finally:
            os._exit(0)
    listener.close()
    os.chdir(config["cwd"])
    drop_privileges(config)
    env = dict(os.environ)
    env.pop("LABKIT_SANDBOX", None)
    os.execve(argv[0], argv, env)


def resident_mb(pid: int) -> float:
    """The resident memory (RSS) of process ``pid``, in MB; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def watch(pid: int, memory_mb: int, protocol_fd: int, every: float = 0.05) -> int:
    """Wait for the worker ``pid`` to end; stop it once its resident memory passes ``memory_mb``.

    Then the invocation's reply (on the worker's protocol file descriptor) is an error saying so, as the worker
    cannot write it any more. Returns the worker's wait status."""
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            os._exit(126)
        if done:
            return status
        if memory_mb and resident_mb(pid) > memory_mb:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            reply = {"error": {"errorType": "Runtime.ExitError", "errorMessage": (
                f"Runtime exited with error: the function's memory passed its MemorySize ({memory_mb} MB), so "
                "the labkit workshop sandbox stopped it. Raise the function's MemorySize, or use less memory.")},
                "logs": f"Error: memory passed MemorySize ({memory_mb} MB): execution environment stopped\n",
                "exiting": True}  # the engine waits for this process to end before it retires the environment
            try:
                os.write(protocol_fd, (json.dumps(reply) + "\n").encode())
            except OSError:
                pass
            os._exit(137)
        time.sleep(every)


def main() -> None:
    config = json.loads(os.environ["LABKIT_SANDBOX"])
    argv = sys.argv[1:]
    outer_uid, outer_gid = os.getuid(), os.getgid()
    try:
        flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
        check(libc.unshare(flags | (CLONE_NEWUSER if config.get("userns") else 0)), "unshare")
        if config.get("userns"):  # the server's user is root in the namespace (and nobody else exists there)
            for name, text in (("setgroups", "deny"), ("uid_map", f"0 {outer_uid} 1"),
                               ("gid_map", f"0 {outer_gid} 1")):
                with open(f"/proc/self/{name}", "w") as file:
                    file.write(text)
    except (SandboxError, OSError) as exc:
        print(f"labkit sandbox: {exc}", file=sys.stderr, flush=True)
        os._exit(126)
    pid = os.fork()
    if pid == 0:
        try:
            child(config, argv)
        except (SandboxError, OSError) as exc:
            print(f"labkit sandbox: {exc}", file=sys.stderr, flush=True)
        os._exit(126)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # pass a stop on to the worker
        signal.signal(signum, lambda number, _frame: os.kill(pid, signal.SIGKILL))
    status = watch(pid, config["memory_mb"], int(argv[-1]) if argv[-1].isdigit() else -1)
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


if __name__ == "__main__":
    main()
