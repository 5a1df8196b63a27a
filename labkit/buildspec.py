"""AWS CodeBuild buildspec (version 0.2): validate the parts the course teaches, and run the phase commands locally.

No build container runs here: the embedded engine stores a CodeBuild project and answers ``StartBuild``, but it
runs nothing. :func:`run` does what CodeBuild's build container would do with the commands, on this machine, in a
temporary directory, following the AWS documentation:

- "Build specification reference for CodeBuild": ``version`` is required (0.2 recommended); ``env`` holds
  ``variables`` (plain text), ``parameter-store`` (name → Parameter Store parameter name) and
  ``secrets-manager`` (name → ``secret-id:json-key:version-stage:version-id``); ``phases`` are ``install``,
  ``pre_build``, ``build``, ``post_build``, each with ``commands`` run one at a time in order and an optional
  ``finally`` block that runs even if a command failed (the phase then still fails); in version 0.2 every command
  runs in the same shell instance, so ``cd`` and ``export`` carry over; names starting ``CODEBUILD_`` are reserved.
- "Build phase transitions": a failed ``install`` or ``pre_build`` skips the later command phases; a failed
  ``build`` still runs ``post_build``, and ``UPLOAD_ARTIFACTS`` is always attempted after ``BUILD``.
- "Environment variables in build environments": ``CODEBUILD_BUILD_SUCCEEDING`` is 1 while the build succeeds and
  0 once it fails; ``CODEBUILD_SRC_DIR`` is the directory the source is in.
"""
from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import LabkitError

PHASES = ("install", "pre_build", "build", "post_build")
"""The command phases, in the order CodeBuild runs them (their names cannot be changed)."""
TOP_LEVEL = {"version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache"}
"""Top-level keys the buildspec reference documents (the validator checks only the ones the course teaches)."""
ENV_KEYS = {"shell", "variables", "parameter-store", "exported-variables", "secrets-manager", "git-credential-helper"}
PHASE_KEYS = {"run-as", "on-failure", "runtime-versions", "commands", "finally"}
REPORT_FORMATS = {"JUNITXML", "CUCUMBERJSON", "TESTNGXML", "VISUALSTUDIOTRX", "NUNITXML", "NUNIT3XML",
                  "CLOVERXML", "COBERTURAXML", "JACOCOXML", "SIMPLECOV"}
"""Test report formats and code coverage formats of "Test reports file formats" and "Code coverage reports"."""
COMMAND_TIMEOUT = 60
"""Seconds one command may run locally before it is stopped and counted as failed (a lab must stay short)."""


class BuildspecError(LabkitError):
    """The buildspec is not valid YAML or breaks the buildspec reference; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("This buildspec would not run:\n" + "\n".join(f"- {p}" for p in self.problems))


def parse(text) -> dict:
    """Read a buildspec from YAML text (str) or take an already parsed dict; raise BuildspecError if it is neither.

    YAML's own error names the line, as CodeBuild's does when a build fails at once on bad spacing.
    """
    if isinstance(text, dict):
        return text
    if not isinstance(text, str):
        raise BuildspecError([f"a buildspec is YAML text (a str) or a dict, not {type(text).__name__}"])
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise BuildspecError([f"not valid YAML{line}: {getattr(exc, 'problem', exc)} (check the indentation; "
                              "a command with ': ' in it must be quoted)"]) from None
    if not isinstance(spec, dict):
        raise BuildspecError(["the buildspec must be a YAML mapping with at least `version` and `phases`"])
    return spec


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _scalar_map(where: str, value, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"`{where}` must be a mapping of NAME: value")
        return
    for name, item in value.items():
        if not isinstance(item, (str, int, float, bool)):
            problems.append(f"`{where}.{name}` must be a single value, not {type(item).__name__}")
        if str(name).startswith("CODEBUILD_"):
            problems.append(f"`{where}.{name}`: names starting with CODEBUILD_ are reserved for CodeBuild")


def _command_problems(where: str, commands) -> list[str]:
    if not isinstance(commands, list):
        return [f"`{where}` must be a list: one `- command` per line"]
    found = []
    for n, command in enumerate(commands, 1):
        if isinstance(command, dict):
            found.append(f"`{where}` item {n} is read as a mapping ({command!r}): a command containing ': ' "
                         "must be quoted")
        elif not isinstance(command, str):
            found.append(f"`{where}` item {n} is read as {type(command).__name__} {command!r}, not a command: "
                         "quote it (YAML reads true/false/yes/no and numbers as values)")
    return found


def validate(spec) -> list[str]:
    """Every problem found in ``spec`` (YAML text or dict) as a short sentence; an empty list means valid.

    Checked (Build specification reference for CodeBuild): ``version`` is 0.2 (0.1 is still accepted by AWS but
    runs each command in its own shell: this runner refuses it); unknown top-level, ``env`` or phase keys (a
    typo such as ``prebuild``); ``env.variables``/``parameter-store``/``secrets-manager`` are NAME: value maps,
    secrets-manager values name at least a secret; ``phases`` exists and each phase has ``commands`` (a list of
    strings) and an optional ``finally`` list; ``artifacts.files`` is a list; ``cache.paths`` is a list;
    ``reports.<group>.files`` is a list and ``file-format`` one of the documented formats.
    """
    try:
        spec = parse(spec)
    except BuildspecError as exc:
        return exc.problems
    problems: list[str] = []
    version = spec.get("version")
    if version is None:
        problems.append("`version` is missing: start the file with `version: 0.2`")
    elif str(version) != "0.2":
        problems.append(f"`version: {version}`: use 0.2 (0.1 runs each command in a separate shell; this runner "
                        "follows 0.2, where all commands share one shell)")
    for key in spec:
        if key not in TOP_LEVEL:
            problems.append(f"unknown top-level key `{key}` (the buildspec has {', '.join(sorted(TOP_LEVEL))})")
    env = spec.get("env")
    if env is not None:
        if not isinstance(env, dict):
            problems.append("`env` must be a mapping (variables, parameter-store, secrets-manager, ...)")
        else:
            for key in env:
                if key not in ENV_KEYS:
                    problems.append(f"unknown key `env.{key}` (env has {', '.join(sorted(ENV_KEYS))})")
            for key in ("variables", "parameter-store", "secrets-manager"):
                if key in env:
                    _scalar_map(f"env.{key}", env[key], problems)
            for name, ref in (env.get("secrets-manager") or {}).items() if isinstance(env.get("secrets-manager"),
                                                                                         dict) else ():
                if not str(ref).split(":")[0]:
                    problems.append(f"`env.secrets-manager.{name}` must start with the secret's name or ARN "
                                    "(secret-id:json-key:version-stage:version-id)")
            if "exported-variables" in env and not _strings(env["exported-variables"]):
                problems.append("`env.exported-variables` must be a list of variable names")
    phases = spec.get("phases")
    if phases is None:
        problems.append("`phases` is missing: add at least `phases: build: commands: [...]`")
    elif not isinstance(phases, dict):
        problems.append("`phases` must be a mapping of phase name to its commands")
    else:
        for name, phase in phases.items():
            if name not in PHASES:
                close = [p for p in PHASES if p.replace("_", "") == str(name).replace("_", "").replace("-", "")]
                hint = f" — did you mean `{close[0]}`?" if close else ""
                problems.append(f"unknown phase `{name}` (the phases are {', '.join(PHASES)}){hint}")
                continue
            if not isinstance(phase, dict):
                problems.append(f"`phases.{name}` must be a mapping with `commands`")
                continue
            for key in phase:
                if key not in PHASE_KEYS:
                    problems.append(f"unknown key `phases.{name}.{key}` (a phase has {', '.join(sorted(PHASE_KEYS))})")
            if "commands" not in phase and "runtime-versions" not in phase:
                problems.append(f"`phases.{name}` has no `commands` list")
            elif "commands" in phase:
                problems.extend(_command_problems(f"phases.{name}.commands", phase["commands"]))
            if "finally" in phase:
                problems.extend(_command_problems(f"phases.{name}.finally", phase["finally"]))
    artifacts = spec.get("artifacts")
    if artifacts is not None:
        if not isinstance(artifacts, dict) or not _strings(artifacts.get("files")):
            problems.append("`artifacts.files` must be a list of paths or patterns such as 'dist/**/*'")
    cache = spec.get("cache")
    if cache is not None and (not isinstance(cache, dict) or not _strings(cache.get("paths"))):
        problems.append("`cache.paths` must be a list of paths such as '/root/.cache/pip/**/*'")
    reports = spec.get("reports")
    if reports is not None:
        if not isinstance(reports, dict):
            problems.append("`reports` must map a report group name (or ARN) to its files")
        else:
            for group, report in reports.items():
                if not isinstance(report, dict) or not _strings(report.get("files")):
                    problems.append(f"`reports.{group}.files` must be a list of report files")
                    continue
                form = report.get("file-format")
                if form is not None and str(form) not in REPORT_FORMATS:
                    problems.append(f"`reports.{group}.file-format: {form}` is not a report format "
                                    f"({', '.join(sorted(REPORT_FORMATS))})")
    return problems


def load(text) -> dict:
    """Parse and validate; return the buildspec as a dict, or raise BuildspecError listing every problem."""
    spec = parse(text)
    problems = validate(spec)
    if problems:
        raise BuildspecError(problems)
    return spec


def resolve_env(spec, ssm=None, secretsmanager=None) -> dict[str, str]:
    """The custom environment variables of ``spec``: plain ``variables``, then ``parameter-store`` values read
    with ``GetParameters`` (``WithDecryption``, so SecureString values arrive decrypted, as the service role's
    ``ssm:GetParameters`` permission allows), then ``secrets-manager`` values read with ``GetSecretValue``
    (``secret-id:json-key:version-stage:version-id``; a json-key picks one field of a JSON secret).

    ``ssm``/``secretsmanager``: boto3 clients (labkit's by default). A parameter or secret that does not exist
    raises BuildspecError naming it; on AWS the build fails in its DOWNLOAD_SOURCE/PROVISIONING steps instead.
    """
    spec = load(spec)
    env = spec.get("env") or {}
    values = {str(k): str(v) for k, v in (env.get("variables") or {}).items()}
    wanted = {str(k): str(v) for k, v in (env.get("parameter-store") or {}).items()}
    if wanted:
        if ssm is None:
            from . import client

            ssm = client("ssm")
        names = sorted(set(wanted.values()))
        found = {}
        for start in range(0, len(names), 10):  # GetParameters takes at most 10 names
            answer = ssm.get_parameters(Names=names[start:start + 10], WithDecryption=True)
            found.update({p["Name"]: p["Value"] for p in answer.get("Parameters", [])})
        missing = [f"{k} → {v}" for k, v in wanted.items() if v not in found]
        if missing:
            raise BuildspecError([f"Parameter Store has no parameter {m.split(' → ')[1]!r} (for {m.split(' → ')[0]}); "
                                  "create it, or fix the name in env.parameter-store" for m in missing])
        values.update({k: found[v] for k, v in wanted.items()})
    secrets = {str(k): str(v) for k, v in (env.get("secrets-manager") or {}).items()}
    if secrets:
        if secretsmanager is None:
            from . import client

            secretsmanager = client("secretsmanager")
        from botocore.exceptions import ClientError

        for name, ref in secrets.items():
            secret_id, *rest = _split_secret_ref(ref)
            json_key, stage, version = (rest + ["", "", ""])[:3]
            kwargs = {"SecretId": secret_id}
            if stage:
                kwargs["VersionStage"] = stage
            if version:
                kwargs["VersionId"] = version
            try:
                text = secretsmanager.get_secret_value(**kwargs)["SecretString"]
            except ClientError as exc:
                raise BuildspecError([f"Secrets Manager cannot give {secret_id!r} (for {name}): "
                                      f"{exc.response['Error'].get('Code')}"]) from None
            if json_key:
                try:
                    text = str(json.loads(text)[json_key])
                except (ValueError, KeyError, TypeError):
                    raise BuildspecError([f"the secret {secret_id!r} has no JSON key {json_key!r} (for {name})"]) from None
            values[name] = text
    return values


def _split_secret_ref(ref: str) -> list[str]:
    """``secret-id:json-key:version-stage:version-id``; a secret ARN itself holds six colons."""
    if ref.startswith("arn:"):
        parts = ref.split(":")
        return [":".join(parts[:7])] + parts[7:]
    return ref.split(":")


@dataclass
class PhaseResult:
    """One phase of a local run: ``status`` SUCCEEDED, FAILED or SKIPPED (never started), and its log lines."""

    name: str
    status: str
    log: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class BuildRun:
    """What :func:`run` did: ``phases`` in order, the build's ``status`` (SUCCEEDED or FAILED), the
    ``artifacts`` found (paths relative to the base directory), and the working directory ``workdir``."""

    phases: list[PhaseResult]
    status: str
    artifacts: list[str]
    workdir: str

    @property
    def log(self) -> str:
        """The whole log, phase by phase, in CodeBuild's phase names."""
        out = []
        for phase in self.phases:
            out.append(f"[{phase.name.upper()}] {phase.status}")
            out.extend(f"    {line}" for line in phase.log)
        return "\n".join(out)

    def table(self):
        """A pandas DataFrame: phase, status, commands run, seconds."""
        import pandas as pd

        return pd.DataFrame([{"phase": p.name.upper(), "status": p.status,
                              "commands run": sum(1 for line in p.log if line.startswith("$ ")),
                              "seconds": round(p.seconds, 2)} for p in self.phases]).set_index("phase")

    def _repr_html_(self) -> str:
        import html

        return f"<p>Build <strong>{self.status}</strong> (run locally)</p><pre>{html.escape(self.log)}</pre>"

    def __repr__(self) -> str:
        return f"BuildRun({self.status})\n{self.log}"


class _Shell:
    """One bash process for the whole build: buildspec 0.2 runs every command in the same shell instance."""

    def __init__(self, cwd: str, env: dict[str, str]):
        self.cwd, self.env = cwd, env
        self.proc = None
        self.lines: queue.Queue = queue.Queue()

    def start(self) -> None:
        from .engines.browser import running_in_browser

        if running_in_browser():  # Pyodide: no processes (os.fork, subprocess) in a page
            raise BuildspecError(["labkit runs the buildspec's commands with bash, as CodeBuild's Linux images do, "
                                  "and a page in your browser cannot start a process: run this step on Binder, "
                                  "Colab or your laptop"])
        try:
            self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=self.cwd,
                                         env=self.env, bufsize=1)
        except FileNotFoundError:
            raise BuildspecError(["labkit runs the buildspec's commands with bash, as CodeBuild's Linux images do, "
                                  "and this machine has no bash on PATH: run the lab on Linux or macOS, Colab or "
                                  "Binder"]) from None
        threading.Thread(target=self._pump, args=(self.proc,), daemon=True).start()

    def _pump(self, proc) -> None:
        for line in proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def set(self, name: str, value: str) -> None:
        self.run(f"export {name}={_quote(value)}", quiet=True)

    def run(self, command: str, quiet: bool = False, timeout: float = COMMAND_TIMEOUT) -> tuple[int, list[str]]:
        """Run one command; its exit code and output. A command that ends the shell (``exit 1``) fails, and the
        next command gets a new shell (with the build's variables, not the lost shell's state)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
            for name in ("CODEBUILD_BUILD_SUCCEEDING",):
                self.proc.stdin.write(f"export {name}={_quote(self.env.get(name, '1'))}\n")
        syntax = subprocess.run(["bash", "-n"], input=command + "\n", capture_output=True, text=True, env=self.env)
        if syntax.returncode != 0:  # an unclosed quote would otherwise swallow the lines after it until the timeout
            return syntax.returncode, [line.replace("bash: -: ", "bash: ") for line in syntax.stderr.splitlines()]
        marker = f"__labkit_rc_{uuid.uuid4().hex}"
        self.proc.stdin.write("{\n" + command + f"\n}} < /dev/null\necho {marker} $?\n")
        self.proc.stdin.flush()
        output, deadline = [], time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                self.close()
                return 124, output + [f"(stopped after {timeout:.0f} s)"]
            if line is None:  # the shell ended: the command ran `exit`
                code = self.proc.wait()
                self.lines = queue.Queue()
                return code or 1, output
            if line.startswith(marker):
                return int(line.split()[-1]), output
            output.append(line)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self.lines = queue.Queue()


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "'\"'\"'") + "'"


def _glob_regex(pattern: str) -> re.Pattern:
    """A path pattern of ``artifacts.files`` as a regular expression: ``*`` and ``?`` stay within one directory,
    ``**/`` stands for any number of directories (none too), ``**`` at the end for everything below
    ("Build specification reference for CodeBuild": ``**/*`` all files recursively, ``dir/*`` the files of
    ``dir``, ``dir/**/*`` all files under ``dir``)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _matches(root: Path, patterns: list[str]) -> list[str]:
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    compiled = [_glob_regex(pattern[2:] if pattern.startswith("./") else pattern) for pattern in patterns]
    return [path for path in files if any(regex.fullmatch(path) for regex in compiled)]


def _check_run_arguments(env, files, workdir) -> None:
    """BuildspecError for arguments of :func:`run` that are not of the documented shape."""
    problems = []
    if env is not None and not isinstance(env, dict):
        problems.append(f"env must be a dict of NAME: value, not {type(env).__name__}")
    if files is not None and not isinstance(files, dict):
        problems.append(f"files must be a dict of {{relative path: text}}, not {type(files).__name__}")
    for rel, text in (files or {}).items() if isinstance(files, dict) else ():
        path = Path(str(rel))
        if not isinstance(rel, str) or not rel or path.is_absolute() or ".." in path.parts:
            problems.append(f"files key {rel!r} must be a path inside the source directory, such as 'app.py' or "
                            "'src/app.py'")
        if not isinstance(text, str):
            problems.append(f"files[{rel!r}] must be the file's text (a str), not {type(text).__name__}")
    if workdir is not None and Path(workdir).exists() and not Path(workdir).is_dir():
        problems.append(f"workdir {str(workdir)!r} is a file, not a directory")
    if problems:
        raise BuildspecError(problems)


def run(spec, env: dict | None = None, files: dict[str, str] | None = None, workdir: str | None = None,
        ssm=None, secretsmanager=None) -> BuildRun:
    """Run the buildspec's phase commands locally, in order, as CodeBuild's build container would.

    ``spec``: YAML text or dict (validated first: BuildspecError lists the problems). ``env``: extra variables
    (a StartBuild ``environmentVariablesOverride``: they win over the buildspec's). ``files``: the source,
    {relative path: text}, written into the working directory (``CODEBUILD_SRC_DIR``; a new temporary directory
    unless ``workdir`` is given; a path outside it, or text that is not a str, raises BuildspecError). A command
    that bash cannot parse (an unclosed quote) fails at once with bash's message; a phase whose ``on-failure`` is
    not ABORT raises BuildspecError (only the default transitions run here). Parameter Store and Secrets
    Manager values come from the engine (:func:`resolve_env`).

    Transitions ("Build phase transitions"): within a phase, the first failing command skips the phase's other
    commands, then ``finally`` runs; a failed install or pre_build skips the later phases; after build (failed or
    not) post_build runs; UPLOAD_ARTIFACTS is attempted whenever BUILD ran, and fails when no file matches
    ``artifacts.files``. Returns a :class:`BuildRun`. No container, no build image: the commands run with this
    machine's bash and tools.
    """
    spec = load(spec)
    _check_run_arguments(env, files, workdir)
    unsupported = [f"`phases.{name}.on-failure: {phase['on-failure']}`: this local run follows only the default, "
                   "ABORT (the transitions of 'Build phase transitions'); remove the line to run the buildspec here"
                   for name, phase in (spec.get("phases") or {}).items()
                   if isinstance(phase, dict) and phase.get("on-failure") not in (None, "ABORT")]
    if unsupported:  # CONTINUE or RETRY would change the transitions: refused rather than run differently
        raise BuildspecError(unsupported)
    variables = resolve_env(spec, ssm=ssm, secretsmanager=secretsmanager)
    variables.update({str(k): str(v) for k, v in (env or {}).items()})
    root = Path(workdir or tempfile.mkdtemp(prefix="codebuild-"))
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    shell_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LABKIT_", "JPY_"))}
    # the kernel's own Python first on PATH: `python` in a command is the one the lab runs with
    shell_env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), shell_env.get("PATH", os.defpath)])
    shell_env.update(variables)
    shell_env.update({"CODEBUILD_SRC_DIR": str(root), "CODEBUILD_BUILD_SUCCEEDING": "1"})
    shell = _Shell(str(root), shell_env)
    phases, succeeding, stop, build_ran = [], True, False, False
    declared = spec.get("phases") or {}
    try:
        for name in PHASES:
            if name not in declared:
                continue
            if stop:
                phases.append(PhaseResult(name, "SKIPPED", ["(not run: an earlier phase failed)"]))
                continue
            phase, log, ok, started = declared[name] or {}, [], True, time.monotonic()
            for command in phase.get("commands") or []:
                code, output = shell.run(command)
                log.append(f"$ {command}")
                log.extend(output)
                if code != 0:
                    log.append(f"Command did not exit successfully ({command}) exit status {code}")
                    ok = False
                    break
            for command in phase.get("finally") or []:
                code, output = shell.run(command)
                log.append(f"$ {command}   (finally)")
                log.extend(output)
                if code != 0:
                    log.append(f"Command did not exit successfully ({command}) exit status {code}")
                    ok = False
            phases.append(PhaseResult(name, "SUCCEEDED" if ok else "FAILED", log, time.monotonic() - started))
            build_ran = build_ran or name == "build"
            if not ok:
                succeeding = False
                shell.env["CODEBUILD_BUILD_SUCCEEDING"] = "0"
                shell.set("CODEBUILD_BUILD_SUCCEEDING", "0")
                if name in ("install", "pre_build"):
                    stop = True
    finally:
        shell.close()
    found: list[str] = []
    artifacts = spec.get("artifacts")
    if artifacts and build_ran:
        base = root / str(artifacts.get("base-directory", "")) if artifacts.get("base-directory") else root
        found = _matches(base, artifacts["files"]) if base.is_dir() else []
        if found:
            phases.append(PhaseResult("upload_artifacts", "SUCCEEDED", [f"would upload {p}" for p in found]))
        else:
            succeeding = False
            phases.append(PhaseResult("upload_artifacts", "FAILED",
                                      [f"no file matches artifacts.files {artifacts['files']}"]))
    return BuildRun(phases, "SUCCEEDED" if succeeding else "FAILED", found, str(root))


def remove(build: BuildRun) -> None:
    """Delete a local run's working directory."""
    shutil.rmtree(build.workdir, ignore_errors=True)
