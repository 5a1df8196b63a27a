"""A free TCP port on 127.0.0.1, for the tests that start a server (labkit serve, LocalStack, JupyterLab).

One copy for the tests (``from _ports import free_port``; the tests folder is on ``sys.path`` under pytest, and
bench/ scripts put it there). labkit/engines/ministack.py keeps its own: the package does not import the tests.
"""
from __future__ import annotations

import socket


def free_port() -> int:
    """A port no process listens on now (the OS picks it); another process may take it before the caller binds."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
