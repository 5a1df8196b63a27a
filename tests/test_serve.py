"""``python -m labkit serve`` / ``env``: a terminal's AWS CLI reaches the engine with the printed export line.

The AWS CLI is the real one: awscli from PyPI, installed by this test into a cache folder (pip --target), not into
the course's environment: awscli 1.x requires docutils<=0.19 while the book's Sphinx needs docutils 0.21, so it
cannot live in requirements.txt. awscli 1.46 vendors its own botocore (1.43.x) and s3transfer.
"""
from __future__ import annotations

import os
import pathlib
import re
import shlex
import signal
import socket
import subprocess
import sys
import time

import boto3
import pytest

from _ports import free_port
from labkit.__main__ import build_parser

AWSCLI_PINS = ["awscli==1.46.3", "colorama==0.4.6", "rsa==4.7.2", "pyasn1==0.6.1"]
AWSCLI_HOME = pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache")) / \
    "labkit-tests" / "-".join(p.replace("==", "-") for p in AWSCLI_PINS[:1])
EXPORT = re.compile(r"^export (AWS_ENDPOINT_URL=\S+ AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+ "
                    r"AWS_DEFAULT_REGION=\S+)$", re.M)


def clean_env(**extra) -> dict:
    """This environment without any AWS/labkit setting that would change what the command finds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LABKIT_", "LOCALSTACK_"))}
    return {**env, **extra}


def labkit(*args, env=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labkit", *args], capture_output=True, text=True,
                          env=env or clean_env(), timeout=timeout)


@pytest.fixture(scope="module")
def served():
    """``python -m labkit serve`` on a free port; yields (url, the export line it printed)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "labkit", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=clean_env())
    lines, deadline = [], time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("export "):
                break
        output = "".join(lines)
        assert EXPORT.search(output), f"labkit serve printed no export line:\n{output}"
        yield f"http://127.0.0.1:{port}", output
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def aws_cli():
    """The pinned AWS CLI v1 as a command prefix (its own folder on PYTHONPATH, this Python)."""
    if not (AWSCLI_HOME / "awscli" / "__main__.py").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(AWSCLI_HOME),
                        *AWSCLI_PINS], check=True, timeout=600)
    return AWSCLI_HOME


def run_cli(home, args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "awscli", *args], capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": str(home), "AWS_CONFIG_FILE": os.devnull,
                               "AWS_SHARED_CREDENTIALS_FILE": os.devnull})


def exported(line: str) -> dict:
    """The variables of an ``export A=1 B=2`` line, parsed as a shell would."""
    return dict(word.split("=", 1) for word in shlex.split(line)[1:])


def test_serve_listens_on_4566_by_default():
    arguments = build_parser().parse_args(["serve"])
    assert (arguments.host, arguments.port) == ("127.0.0.1", 4566)


def test_serve_prints_the_export_line_of_its_endpoint(served):
    url, output = served
    variables = exported(EXPORT.search(output).group(0))
    assert variables == {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing",
                         "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def test_env_prints_the_line_for_the_running_engine(served):
    url, _ = served
    result = labkit("env", env=clean_env(AWS_ENDPOINT_URL=url))
    assert result.returncode == 0, result.stderr
    assert exported(EXPORT.search(result.stdout).group(0))["AWS_ENDPOINT_URL"] == url
    # the whole output is shell: eval "$(python -m labkit env)" works
    check = subprocess.run(["bash", "-c", 'eval "$(python -m labkit env)" && echo "$AWS_ENDPOINT_URL"'],
                           capture_output=True, text=True, env=clean_env(AWS_ENDPOINT_URL=url,
                                                                        PATH=f"{pathlib.Path(sys.executable).parent}:{os.environ['PATH']}"))
    assert check.stdout.strip() == url, check.stderr


def test_env_with_nothing_running_says_how_to_start_one():
    url = f"http://127.0.0.1:{free_port()}"
    result = labkit("env", env=clean_env(AWS_ENDPOINT_URL=url))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "python -m labkit serve" in result.stderr and url in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_env_on_real_aws_prints_no_credentials():
    result = labkit("env", env=clean_env(LABKIT_ENGINE="aws", AWS_SECRET_ACCESS_KEY="do-not-print-me",
                                         AWS_DEFAULT_REGION="eu-west-1"))
    assert result.returncode == 0, result.stderr
    assert "unset AWS_ENDPOINT_URL; export AWS_DEFAULT_REGION=eu-west-1" in result.stdout
    assert "do-not-print-me" not in result.stdout


def test_a_port_held_by_another_program_is_one_clear_line():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = labkit("serve", "--port", str(port))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"labkit: port {port} on 127.0.0.1 is taken by another program: stop it, or choose a free port with "
        f"`python -m labkit serve --port {port + 1}`."]


def test_a_port_held_by_labkit_points_to_env(served):
    url, _ = served
    port = int(url.rsplit(":", 1)[1])
    result = labkit("serve", "--port", str(port))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "already serves" in result.stderr and "python -m labkit env" in result.stderr


def test_aws_cli_reaches_the_engine_with_the_printed_line(served, aws_cli):
    url, output = served
    env = clean_env(**exported(EXPORT.search(output).group(0)))
    bucket = f"cli-{os.getpid()}"
    made = run_cli(aws_cli, ["s3", "mb", f"s3://{bucket}"], env)
    assert made.returncode == 0 and f"make_bucket: {bucket}" in made.stdout, made.stderr
    listed = run_cli(aws_cli, ["s3", "ls"], env)
    assert listed.returncode == 0 and bucket in listed.stdout, listed.stderr
    # the engine itself holds the bucket (the CLI did not talk to anything else)
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.delete_bucket(Bucket=bucket)


def test_aws_cli_v1_sqs_needs_the_endpoint_flag(served, aws_cli):
    """AWS CLI v1 sends `aws sqs` to queue.amazonaws.com whatever AWS_ENDPOINT_URL says (aws/aws-cli#8737):
    the course tells learners to add --endpoint-url "$AWS_ENDPOINT_URL" for sqs; this is that command."""
    url, output = served
    env = clean_env(**exported(EXPORT.search(output).group(0)))
    flag = ["--endpoint-url", url]
    created = run_cli(aws_cli, ["sqs", "create-queue", "--queue-name", f"cli-{os.getpid()}", *flag], env)
    assert created.returncode == 0, created.stderr
    queue_url = __import__("json").loads(created.stdout)["QueueUrl"]
    sent = run_cli(aws_cli, ["sqs", "send-message", "--queue-url", queue_url, "--message-body", "hi", *flag], env)
    assert sent.returncode == 0, sent.stderr
    got = run_cli(aws_cli, ["sqs", "receive-message", "--queue-url", queue_url, *flag], env)
    assert got.returncode == 0 and '"Body": "hi"' in got.stdout, got.stderr
    assert run_cli(aws_cli, ["sqs", "delete-queue", "--queue-url", queue_url, *flag], env).returncode == 0


def test_a_busy_port_in_workshop_mode_issues_no_key_file(tmp_path):
    keys = tmp_path / "workshop-keys.json"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = labkit("serve", "--port", str(port), "--students", "2", "--keys", str(keys))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is taken by another program" in result.stderr
    assert not keys.exists()  # else the same command, run again on a free port, refuses: the file exists


@pytest.mark.parametrize("args, says", [
    (["--port", "99999"], "labkit: --port 99999: give a port from 1 to 65535"),
    (["--host", "192.0.2.1"], "labkit: 192.0.2.1 is not an address of this machine"),  # TEST-NET-1 (RFC 5737)
    (["--students", "2", "--keys", "{tmp}/no-such-folder/keys.json"],
     "labkit: cannot write the key file {tmp}/no-such-folder/keys.json (No such file or directory)"),
])
def test_bad_serve_arguments_are_one_clear_line(tmp_path, args, says):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = labkit("serve", "--port", str(free_port()), *args)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(says.replace("{tmp}", str(tmp_path))), result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def ministack_url(ministack_server):
    """The URL of the module's MiniStack (tests/conftest.py), without its trailing slash."""
    return ministack_server.endpoint_url.rstrip("/")


def test_env_names_a_ministack_and_its_line_works_for_the_aws_cli(ministack_url, aws_cli):
    """MiniStack also answers LocalStack's health route: `env` must still call it MiniStack."""
    result = labkit("env", env=clean_env(AWS_ENDPOINT_URL=ministack_url))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# MiniStack at {ministack_url}\n"), result.stdout
    assert "LocalStack" not in result.stdout
    env = clean_env(**exported(EXPORT.search(result.stdout).group(0)))
    bucket = f"cli-ms-{os.getpid()}"
    made = run_cli(aws_cli, ["s3", "mb", f"s3://{bucket}"], env)
    assert made.returncode == 0 and f"make_bucket: {bucket}" in made.stdout, made.stderr
    listed = run_cli(aws_cli, ["s3", "ls"], env)
    assert listed.returncode == 0 and bucket in listed.stdout, listed.stderr
    assert run_cli(aws_cli, ["s3", "rb", f"s3://{bucket}"], env).returncode == 0


@pytest.mark.parametrize("value", ["localhost:4566", "127.0.0.1:4566/"])
def test_env_with_an_endpoint_url_without_scheme_says_to_add_it(value):
    result = labkit("env", env=clean_env(AWS_ENDPOINT_URL=value))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (f"labkit: AWS_ENDPOINT_URL must start with http:// or https://: got {value!r} "
                                     f"(for example AWS_ENDPOINT_URL=http://{value})."), result.stderr


def test_an_endpoint_url_without_scheme_stops_engine_choice_with_that_sentence():
    from labkit.config import Settings, check_endpoint_url
    from labkit.engines import select
    from labkit.errors import LabkitError

    settings = Settings(engine="auto", region="us-east-1", prefix="dva", endpoint_url="localhost:4566",
                        localstack_host=None, aws_confirm="", account_id=None)
    with pytest.raises(LabkitError, match=r"^AWS_ENDPOINT_URL must start with http:// or https://: got "
                                          r"'localhost:4566' \(for example AWS_ENDPOINT_URL=http://localhost:4566\)"):
        select(settings)
    for right in ("http://localhost:4566", "https://example.test:4566/path"):
        assert check_endpoint_url(right) == right
    with pytest.raises(LabkitError, match=r"got 'ftp://localhost:4566'\.$"):
        check_endpoint_url("ftp://localhost:4566")


def test_an_unsigned_request_to_the_workshop_server_names_the_variables_to_set():
    """Notebook users set LABKIT_*; AWS CLI users set AWS_* (the CLI's own variables): the refusal names both."""
    from labkit.engines.sigv4 import Refused, issue_keys, verify

    keys = {key.access_key_id: key for key in issue_keys(1)}
    with pytest.raises(Refused) as refused:
        verify("GET", "/", [("Host", "127.0.0.1:4566")], b"", keys)
    assert refused.value.code == "MissingAuthenticationToken"
    for name in ("LABKIT_ACCESS_KEY_ID", "LABKIT_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert name in str(refused.value.message), refused.value.message
