"""Drift canary: the course with the newest moto, boto3 and MiniStack from the registry, against what is recorded.

    python tests/drift_canary.py            # about 30 minutes on 2 cores; needs the package registry
    python tests/drift_canary.py --keep     # keep the temporary environments (their paths are printed)
    python tests/drift_canary.py --reuse /tmp/labkit-drift-…   # run again in environments a --keep run left

labkit patches moto internals and is pinned to the moto it is tested with; MiniStack changes fast. This builds,
in a temporary folder, (1) a virtual environment with the course's requirements except that moto, boto3, botocore
and s3transfer are the newest releases, and (2) MiniStack's own environment with the newest ``ministack`` and
``boto3``. From the repository as committed (``git archive HEAD``, so unfinished edits are not judged) it runs
every lab and every conformance test on the embedded engine and on MiniStack there
(``tests/engine_matrix.py --out``), then prints each lab and test whose outcome differs from the recorded run in
``data/lab-engines.json`` and ``data/conformance.json``, and writes the whole report to
``tests/artifacts/drift-canary.json``. Not part of the default test run; it never edits ``data/``.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
REPORT = ROOT / "tests" / "artifacts" / "drift-canary.json"
NEWEST = ("boto3", "botocore", "s3transfer", "moto")  # unpinned in the canary: the registry's newest


def pip(python: pathlib.Path, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "install", "-q", *args], check=True)


def course_requirements(folder: pathlib.Path, source: pathlib.Path) -> pathlib.Path:
    """The committed requirements.txt without ``-e .`` and with NEWEST unpinned (moto keeps its extras)."""
    lines = []
    for line in (source / "requirements.txt").read_text().splitlines():
        name = re.split(r"[\[=<>~ ;#]", line.strip(), maxsplit=1)[0].lower()
        if line.strip().startswith("-e"):
            continue
        if name in NEWEST:
            line = re.sub(r"==[^ ;#]+", "", line.split("#")[0]).strip()
        lines.append(line)
    path = folder / "requirements-newest.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def committed_tree(folder: pathlib.Path) -> pathlib.Path:
    """The repository as committed (HEAD), so that nobody's unfinished edits are judged: labkit, labs, tests."""
    source = folder / "src"
    source.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    return source


def build(folder: pathlib.Path, source: pathlib.Path, reuse: bool) -> tuple[pathlib.Path, pathlib.Path]:
    """(the course's Python with the newest moto/boto3, MiniStack's Python with the newest ministack)."""
    course, mini = folder / "course", folder / "ministack"
    if not reuse:
        for venv in (course, mini):
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # also when reusing: the committed requirements may have changed since (quick when nothing did)
    pip(course / "bin" / "python", "--upgrade", "-r", str(course_requirements(folder, source)))
    pip(mini / "bin" / "python", "--upgrade", "ministack", "boto3", "aws-sam-translator")
    # labkit itself as committed, without its moto pin
    pip(course / "bin" / "python", "--no-deps", "--force-reinstall", str(source))
    return course / "bin" / "python", mini / "bin" / "python"


def versions(python: pathlib.Path, packages: tuple[str, ...]) -> dict[str, str]:
    code = ("import importlib.metadata as m, json, sys; "
            "print(json.dumps({p: m.version(p) for p in sys.argv[1:]}))")
    return json.loads(subprocess.run([str(python), "-c", code, *packages], capture_output=True, text=True,
                                     check=True).stdout)


def changes(recorded: dict, now: dict, key: str) -> list[dict]:
    """Each (item, engine) whose outcome differs between the recorded run and the canary's."""
    found = []
    for item, engines in sorted(now.get(key, {}).items()):
        for engine, result in engines.items():
            before = recorded.get(key, {}).get(item, {}).get(engine)
            if before is None or before["outcome"] != result["outcome"]:
                found.append({"item": item, "engine": engine,
                              "recorded": before and before["outcome"], "now": result["outcome"],
                              "reason": result.get("reason", "")})
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary environments")
    parser.add_argument("--reuse", metavar="FOLDER", help="the environments a --keep run left (skips installing)")
    arguments = parser.parse_args(argv)
    folder = pathlib.Path(arguments.reuse or tempfile.mkdtemp(prefix="labkit-drift-"))
    shutil.rmtree(folder / "src", ignore_errors=True)
    shutil.rmtree(folder / "results", ignore_errors=True)
    try:
        source = committed_tree(folder)
        course, mini = build(folder, source, reuse=bool(arguments.reuse))
        out = folder / "results"
        env = {key: value for key, value in os.environ.items() if key not in ("AWS_ENDPOINT_URL", "LABKIT_ENGINE")}
        subprocess.run([str(course), "tests/engine_matrix.py", "--engines", "embedded,ministack", "--out", str(out)],
                       cwd=source, check=True, env={**env, "LABKIT_MINISTACK_PYTHON": str(mini)})
        report = {"versions": {**versions(course, NEWEST), "ministack": versions(mini, ("ministack",))["ministack"]},
                  "labs": changes(json.loads((ROOT / "data" / "lab-engines.json").read_text()),
                                  json.loads((out / "lab-engines.json").read_text()), "labs"),
                  "conformance": changes(json.loads((ROOT / "data" / "conformance.json").read_text()),
                                         json.loads((out / "conformance.json").read_text()), "tests")}
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(json.dumps(report, indent=2) + "\n")
        print("newest:", ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
        for kind in ("labs", "conformance"):
            print(f"{kind}: {len(report[kind])} changed")
            for change in report[kind]:
                print(f"  {change['engine']:10} {change['item']}: {change['recorded']} → {change['now']}"
                      f"  {change['reason'][:120]}")
        print(f"report: {REPORT}")
        return 1 if report["labs"] or report["conformance"] else 0
    finally:
        if arguments.keep or arguments.reuse:
            print(f"environments kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
