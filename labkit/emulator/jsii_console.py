"""The CDK's warnings in a notebook: jsii's console relay, made to write text (one line per message).

jsii runs the CDK's JavaScript library in a Node.js process and relays what that process writes to its console:
a thread (``jsii._kernel.providers.process.stderr_sink``) reads each JSON line ``{"stderr": "<base64>"}`` and
writes the decoded bytes to ``sys.stderr.buffer``. An ipykernel's ``sys.stderr`` has no ``buffer``, so the relay's
``except`` prints the raw JSON line instead: a learner sees ``b'{"stderr":"W1dBUk5J…"}'`` where the CDK said
"[WARNING] …#logRetention is deprecated". :func:`patch_jsii` replaces the relay with :func:`console_sink`, which
decodes each message and writes it as text, one line per message (the CDK's indented continuation lines are joined
to it), to ``sys.stderr`` (or ``sys.stdout``), whatever stream object those are.

Not a moto patch: it has no ``install()`` the embedded engine would call; ``labkit.require("cdk")``
(:func:`labkit.cdk.ready`) calls :func:`patch_jsii` before the first ``import aws_cdk`` starts Node.js (the relay
thread starts with the Node.js process, so a process already running keeps the relay it started with).
Upstream change: jsii's ``stderr_sink`` writing to ``sys.stderr`` when it has no ``buffer``.
"""
from __future__ import annotations

import base64
import json
import sys

from .registry import Patch

PATCHES = [
    Patch(
        name="jsii-console-text",
        changes="jsii's relay of Node.js console output writes decoded text, one line per CDK message, instead of "
                "raw base64 JSON lines when sys.stderr has no .buffer (an ipykernel's).",
        symbols=("jsii._kernel.providers.process.stderr_sink", "jsii._kernel.providers.process._NodeProcess.start"),
        upstream="jsii (python runtime): stderr_sink falls back to sys.stderr.write when there is no .buffer.",
    ),
]


def one_line(text: str) -> list[str]:
    """The messages in ``text`` (what Node.js wrote), each on one line: an indented line continues the message
    above it (the CDK writes "[WARNING] … is deprecated.\\n  use `logGroup` instead"); blank lines are dropped."""
    messages: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[:1].isspace() and messages:
            messages[-1] = f"{messages[-1]} {line.strip()}"
        else:
            messages.append(line.strip())
    return messages


def relay(line: bytes | str, stderr=None, stdout=None) -> None:
    """Write one line of jsii's console protocol as text: ``{"stderr": b64}`` one message per line to ``stderr``,
    ``{"stdout": b64}`` as it is to ``stdout`` (defaults: the current ``sys.stderr`` / ``sys.stdout``); a line that
    is not that JSON is written as decoded text to ``stderr``. Never raises for a malformed line."""
    stderr = stderr or sys.stderr
    stdout = stdout or sys.stdout
    raw = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    try:
        console = json.loads(raw)
        if not isinstance(console, dict):
            raise ValueError("not an object")
        if console.get("stderr") is not None:
            text = base64.b64decode(console["stderr"]).decode("utf-8", "replace")
            for message in one_line(text):
                stderr.write(message + "\n")
            stderr.flush()
        if console.get("stdout") is not None:
            stdout.write(base64.b64decode(console["stdout"]).decode("utf-8", "replace"))
            stdout.flush()
    except (ValueError, TypeError):  # json.JSONDecodeError and binascii.Error are ValueErrors
        if raw.strip():
            stderr.write(raw.rstrip("\n") + "\n")


def console_sink(reader) -> None:
    """The replacement of jsii's ``stderr_sink``: relay every line of the Node.js process's stderr until EOF."""
    for line in iter(reader.readline, b""):
        if line in (b"", ""):
            break
        relay(line)


def patch_jsii() -> bool:
    """Make jsii relay the CDK's console output as text (idempotent); ``False`` when jsii is not installed."""
    try:
        from jsii._kernel.providers import process
    except ImportError:
        return False
    process.stderr_sink = console_sink
    return True
