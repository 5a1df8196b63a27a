"""The CDK's warnings reach a notebook as text: labkit/emulator/jsii_console.py (issue 16).

jsii writes what Node.js prints to ``sys.stderr.buffer``; an ipykernel's stderr has none, and the learner saw
``b'{"stderr":"W1dBUk5J…"}'``. The real-synth test runs in a subprocess whose ``sys.stderr`` is a text stream
without ``buffer``, like a kernel's.
"""
from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import textwrap

from labkit.emulator import jsii_console

DEPRECATED = "[WARNING] aws-cdk-lib.aws_lambda.FunctionOptions#logRetention is deprecated, and will be removed " \
             "in the next major release.\n  use `logGroup` instead\n"


def _line(**streams: str) -> bytes:
    return json.dumps({k: base64.b64encode(v.encode()).decode() for k, v in streams.items()}).encode() + b"\n"


def test_a_warning_is_decoded_to_one_line_and_stdout_kept():
    err, out = io.StringIO(), io.StringIO()
    jsii_console.relay(_line(stderr=DEPRECATED + "[WARNING] second\n"), stderr=err, stdout=out)
    jsii_console.relay(_line(stdout="hello\nworld\n"), stderr=err, stdout=out)
    assert err.getvalue().splitlines() == [
        "[WARNING] aws-cdk-lib.aws_lambda.FunctionOptions#logRetention is deprecated, and will be removed in the "
        "next major release. use `logGroup` instead", "[WARNING] second"]
    assert out.getvalue() == "hello\nworld\n"


def test_a_line_that_is_not_the_protocol_is_shown_as_text():
    err = io.StringIO()
    jsii_console.relay(b"node: something odd\n", stderr=err, stdout=io.StringIO())
    jsii_console.relay(b'{"stderr": "not base64!"}\n', stderr=err, stdout=io.StringIO())
    assert err.getvalue() == 'node: something odd\n{"stderr": "not base64!"}\n'


REAL_SYNTH = textwrap.dedent('''
    import io, sys, tempfile, time

    class KernelStream(io.TextIOBase):  # like ipykernel's OutStream: text only, no .buffer
        def __init__(self):
            self.parts = []
        def writable(self):
            return True
        def write(self, text):
            self.parts.append(text)
            return len(text)

    real, sys.stderr = sys.stderr, KernelStream()
    assert not hasattr(sys.stderr, "buffer")
    import labkit.cdk
    labkit.cdk.ready()
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_, aws_logs as logs
    app = cdk.App(outdir=tempfile.mkdtemp())
    stack = cdk.Stack(app, "S")
    lambda_.Function(stack, "F", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                     code=lambda_.Code.from_inline("def handler(e, c): pass"),
                     log_retention=logs.RetentionDays.ONE_DAY)  # deprecated: the CDK warns
    app.synth()
    deadline = time.monotonic() + 20
    while "logRetention" not in "".join(sys.stderr.parts) and time.monotonic() < deadline:
        time.sleep(0.1)
    real.write("".join(sys.stderr.parts))
''')


def test_a_real_synth_in_a_stream_without_buffer_shows_the_warning_as_one_line():
    done = subprocess.run([sys.executable, "-c", REAL_SYNTH], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if "logRetention" in line]
    assert lines == ["[WARNING] aws-cdk-lib.aws_lambda.FunctionOptions#logRetention is deprecated, and will be "
                     "removed in the next major release. use `logGroup` instead"], done.stderr[-2000:]
    assert '"stderr"' not in done.stderr and "W1dBUk5J" not in done.stderr
