"""labkit.exercises.codebuild and labkit.buildspec: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import time

import pytest

import labkit
from labkit import buildspec
from labkit.checks import evaluate
from labkit.exercises import codebuild as exercise

RIGHT = """
version: 0.2
env:
  parameter-store:
    API_URL: {name}
phases:
  build:
    commands:
      - mkdir -p dist
      - echo "url=$API_URL" > dist/config.txt
artifacts:
  files:
    - 'dist/**/*'
"""


@pytest.fixture
def parameter(engine):
    name = f"/{labkit.name('cb')}/api-url"
    ssm = labkit.client("ssm")
    ssm.put_parameter(Name=name, Value="https://api.example.com/v1", Type="String")
    yield name
    ssm.delete_parameter(Name=name)


def check(spec, name):
    return evaluate(exercise.config_buildspec, spec, name)


def test_right_answer_passes(parameter):
    verdict = check(RIGHT.format(name=parameter), parameter)
    assert verdict.passed, verdict.message


def test_placeholder_is_a_hint(parameter):
    verdict = check(None, parameter)
    assert verdict.kind == "failed" and "my_buildspec" in verdict.message


def test_invalid_buildspec_lists_the_problems(parameter):
    spec = RIGHT.format(name=parameter).replace("  build:", "  biuld:")
    verdict = check(spec, parameter)
    assert verdict.kind == "failed" and "unknown phase `biuld`" in verdict.message


def test_plain_text_value_fails(parameter):
    spec = RIGHT.format(name=parameter).replace("  parameter-store:\n    API_URL: " + parameter,
                                                "  variables:\n    API_URL: https://api.example.com/v1")
    verdict = check(spec, parameter)
    assert verdict.kind == "failed" and "plain text" in verdict.message


def test_wrong_parameter_name_fails(parameter):
    verdict = check(RIGHT.format(name="/other/name"), parameter)
    assert verdict.kind == "failed" and "maps API_URL to '/other/name'" in verdict.message


def test_failing_command_fails(parameter):
    spec = RIGHT.format(name=parameter).replace("mkdir -p dist", "mkdir -p dist && cp missing.txt dist/")
    verdict = check(spec, parameter)
    assert verdict.kind == "failed" and "BUILD phase failed" in verdict.message


def test_file_without_value_fails(parameter):
    spec = RIGHT.format(name=parameter).replace('"url=$API_URL"', '"url=unknown"')
    verdict = check(spec, parameter)
    assert verdict.kind == "failed" and "does not contain the parameter's value" in verdict.message


def test_wrong_artifact_fails(parameter):
    spec = RIGHT.format(name=parameter).replace("'dist/**/*'", "'out/**/*'")
    verdict = check(spec, parameter)
    assert verdict.kind == "failed" and "FAILED" in verdict.message  # UPLOAD_ARTIFACTS finds nothing


# --- labkit.buildspec ---------------------------------------------------------------------------------------------

def test_validator_names_each_mistake():
    problems = buildspec.validate("version: 0.1\nenv:\n  variables:\n    CODEBUILD_X: 1\nphases:\n  prebuild:\n"
                                  "    commands: [a]\n  build:\n    commands:\n      - echo a: b\n      - yes\n"
                                  "reports:\n  unit:\n    files: [r.xml]\n    file-format: XML\n")
    text = "\n".join(problems)
    for expected in ("version: 0.1", "CODEBUILD_ are reserved", "did you mean `pre_build`", "item 1 is read as a "
                     "mapping", "item 2 is read as bool", "file-format: XML"):
        assert expected in text
    assert buildspec.validate(RIGHT.format(name="/x")) == []


def test_bad_yaml_names_the_line():
    (problem,) = buildspec.validate("version: 0.2\nphases:\n build:\n    commands: [x]\n  post_build: 1\n")
    assert "line 5" in problem


def test_phase_transitions_follow_the_documentation():
    build_fails = buildspec.run("version: 0.2\nphases:\n  install:\n    commands: ['cd /tmp']\n  build:\n"
                                "    commands: ['false', 'echo skipped']\n    finally: ['echo cleanup']\n"
                                "  post_build:\n    commands: ['echo succeeding=$CODEBUILD_BUILD_SUCCEEDING']\n")
    statuses = {p.name: p.status for p in build_fails.phases}
    assert statuses == {"install": "SUCCEEDED", "build": "FAILED", "post_build": "SUCCEEDED"}
    assert "skipped" not in build_fails.log and "cleanup" in build_fails.log and "succeeding=0" in build_fails.log
    assert build_fails.status == "FAILED"
    pre_build_fails = buildspec.run("version: 0.2\nphases:\n  pre_build:\n    commands: ['exit 3']\n  build:\n"
                                    "    commands: ['echo b']\n  post_build:\n    commands: ['echo c']\n")
    assert [p.status for p in pre_build_fails.phases] == ["FAILED", "SKIPPED", "SKIPPED"]
    for run in (build_fails, pre_build_fails):
        buildspec.remove(run)


def test_one_shell_for_the_whole_build():
    run = buildspec.run("version: 0.2\nphases:\n  install:\n    commands: ['mkdir -p a/b', 'cd a', 'export X=1']\n"
                        "  build:\n    commands: ['pwd', 'echo x=$X']\n")
    assert "/a\n" in run.log + "\n" and "x=1" in run.log
    buildspec.remove(run)


def test_missing_parameter_is_a_clear_error(engine):
    with pytest.raises(buildspec.BuildspecError, match="no parameter '/nope'"):
        buildspec.resolve_env("version: 0.2\nenv:\n  parameter-store:\n    A: /nope\nphases:\n  build:\n"
                              "    commands: [x]\n")


def test_secrets_manager_json_key(engine):
    sm = labkit.client("secretsmanager")
    arn = sm.create_secret(Name=labkit.name("cb"), SecretString='{"password": "s3cret"}')["ARN"]
    try:
        env = buildspec.resolve_env("version: 0.2\nenv:\n  secrets-manager:\n    P: " + arn + ":password\n"
                                    "phases:\n  build:\n    commands: [x]\n")
        assert env == {"P": "s3cret"}
    finally:
        sm.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


def test_no_bash_is_a_clear_message(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(buildspec.sys, "executable", "/nonexistent/python")
    with pytest.raises(buildspec.BuildspecError, match="no bash on PATH"):
        buildspec.run("version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n")


def test_value_copied_into_the_command_fails(parameter):
    spec = RIGHT.format(name=parameter).replace('"url=$API_URL"', '"url=https://api.example.com/v1"')
    verdict = check(spec, parameter)
    assert verdict.kind == "failed" and "written into the buildspec itself" in verdict.message


def test_unclosed_quote_fails_at_once_with_bash_message():
    started = time.monotonic()
    run = buildspec.run('version: 0.2\nphases:\n  build:\n    commands:\n      - echo "hi\n      - echo after\n')
    assert time.monotonic() - started < 10 and run.status == "FAILED"
    assert "matching" in run.log and "after" not in run.log.replace("echo after", "")
    buildspec.remove(run)


@pytest.mark.parametrize("kwargs, expected", [
    ({"env": ["A=1"]}, "env must be a dict"),
    ({"files": "app.py"}, "files must be a dict"),
    ({"files": {"app.py": 5}}, "must be the file's text"),
    ({"files": {"/tmp/outside.txt": "x"}}, "inside the source directory"),
    ({"files": {"../outside.txt": "x"}}, "inside the source directory"),
])
def test_bad_run_arguments_are_clear_errors(kwargs, expected):
    with pytest.raises(buildspec.BuildspecError, match=expected):
        buildspec.run("version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n", **kwargs)


def test_file_written_in_post_build_fails(parameter):
    spec = RIGHT.format(name=parameter).replace("  build:\n    commands:", "  build:\n    commands:\n      - echo b\n"
                                                "  post_build:\n    commands:")
    verdict = check(spec, parameter)
    assert verdict.kind == "failed" and "written in post_build" in verdict.message


def test_failed_command_hint_carries_the_error(parameter):
    spec = RIGHT.format(name=parameter).replace("      - mkdir -p dist\n", "")
    verdict = check(spec, parameter)
    assert verdict.kind == "failed" and "No such file or directory" in verdict.message


def test_on_failure_other_than_abort_is_refused_not_run_differently():
    spec = "version: 0.2\nphases:\n  pre_build:\n    on-failure: CONTINUE\n    commands: ['false']\n  build:\n" \
           "    commands: [echo b]\n"
    with pytest.raises(buildspec.BuildspecError, match="on-failure: CONTINUE"):
        buildspec.run(spec)
    run = buildspec.run(spec.replace("CONTINUE", "ABORT"))
    assert [p.status for p in run.phases] == ["FAILED", "SKIPPED"]
    buildspec.remove(run)


def test_artifact_patterns_follow_glob_rules():
    """"Build specification reference for CodeBuild": `**/*` every file, `dir/*` the files of dir, `dir/**/*`
    everything under dir; `*` does not cross a directory."""
    files = {"app.py": "", "src/lib.py": "", "dist/a/b.txt": "", "dist/c.txt": ""}
    spec = "version: 0.2\nphases:\n  build:\n    commands: [echo]\nartifacts:\n  files: {}\n"
    expected = {"'**/*.py'": ["app.py", "src/lib.py"], "'*.py'": ["app.py"], "'dist/*'": ["dist/c.txt"],
                "'src/**/*.py'": ["src/lib.py"], "'./dist/**/*'": ["dist/a/b.txt", "dist/c.txt"]}
    for pattern, found in expected.items():
        run = buildspec.run(spec.format(f"[{pattern}]"), files=files)
        assert run.artifacts == found, pattern
        buildspec.remove(run)


def test_in_the_browser_the_run_says_it_needs_a_process(monkeypatch):
    """Pyodide cannot start bash: the local run says so in one sentence (the page showed OSError Errno 138)."""
    from labkit.engines import browser

    monkeypatch.setattr(browser, "running_in_browser", lambda: True)
    with pytest.raises(buildspec.BuildspecError, match="cannot start a process"):
        buildspec.run({"version": 0.2, "phases": {"build": {"commands": ["echo hi"]}}})
