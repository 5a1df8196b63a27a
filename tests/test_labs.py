"""Every lab's shape, and the judging of the one pass that runs it (``tests/labnb.py``).

Each lab is executed once by nbval (``pytest`` collects ``labs/*.ipynb``; the ``labnb`` plugin makes that one
kernel run it as a learner, check Cleanup left nothing, then run it solved and compare it with the book build).
These tests run no notebook: they check what that pass relies on, and that its judging fails when it should.
"""
from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import nbformat
import pytest

import labnb
from labkit.checks import Verdict, verdict_html
from labkit.solutions import NOT_RUN

LABS = sorted(labnb.LABS.glob("*.ipynb"))


def output(html: str, text: str = "") -> dict:
    return nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": text})


def shown(kind: str, message: str) -> dict:
    verdict = Verdict(passed=kind == "passed", message=message, broken=kind == "broken")
    assert verdict.kind == kind
    return output(verdict_html(verdict))


def same(text: str) -> str:
    return text


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_lab_has_what_its_single_pass_relies_on(path):
    cells = labnb.code_cells(nbformat.read(path, as_version=4))
    roles = [labnb.role_of(c) for c in cells]
    assert "solution" in roles and "check" in roles, f"{path.name}: a lab has a %%solution cell and a labkit.check(...) cell"
    assert roles[-1] == "cleanup", f"{path.name}: the last code cell is the Cleanup (labkit.cleanup())"
    assert all(not c.get("outputs") for c in cells), f"{path.name}: labs are committed without outputs"


EMULATOR_BY_NAME = re.compile(r'name in \(\\"embedded\\", \\"shared\\"')


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_lab_asks_the_engine_whether_it_is_labkits_emulator(path):
    """A lab that lists the emulator's engine names by hand misses one when an engine is added (the page's
    'browser' engine skipped seven labs' notices that way): it asks ``engine.is_labkit_emulator``."""
    assert not EMULATOR_BY_NAME.search(path.read_text()), f"{path.name}: use labkit.engine().is_labkit_emulator"


def test_labkit_not_run_line_is_what_the_learner_pass_looks_for():
    assert NOT_RUN.startswith(labnb.NOT_RUN_START)


def test_verdicts_are_read_from_labkits_html():
    outputs = [shown("failed", "Put the bucket's name in my_bucket & run again."), shown("passed", "ok <now>")]
    assert labnb.verdicts(outputs) == [("failed", "Put the bucket's name in my_bucket & run again."),
                                       ("passed", "ok <now>")]
    assert labnb.verdicts([output("<p>no verdict</p>")]) == []


def test_learner_pass_accepts_only_not_yet_with_a_hint():
    labnb.judge_learner("check", [shown("failed", "Versioning is off: turn it on with put_bucket_versioning.")])
    for outputs in ([shown("passed", "reports/summary.txt has 2 versions.")],
                    [shown("failed", "Not yet.")],
                    [shown("broken", "This check broke — it is our bug (a KeyError).")], []):
        with pytest.raises(labnb.LabFailure):
            labnb.judge_learner("check", outputs)


def test_learner_pass_refuses_a_solution_that_ran():
    labnb.judge_learner("solution", [nbformat.v4.new_output("stream", name="stdout", text=NOT_RUN + "\n")])
    with pytest.raises(labnb.LabFailure, match="solution"):
        labnb.judge_learner("solution", [])


def test_solved_pass_wants_every_check_correct_and_the_books_verdicts():
    right = [shown("passed", "dva-photos-ab3k9 has 2 versions.")]
    labnb.judge_solved("check", right, None, same)
    with pytest.raises(labnb.LabFailure, match="✓"):
        labnb.judge_solved("check", [shown("failed", "Versioning is off: turn it on first.")], None, same)
    book = nbformat.v4.new_code_cell("labkit.check(f, x)")
    book.outputs = [shown("passed", "dva-photos-zz9q1 has 2 versions.")]
    def sanitize(text):  # as tests/sanitize.cfg's [names]
        return re.sub(r"dva-([a-z0-9-]+)-[a-z0-9]{5}", r"dva-\1-SUFFIX", text)

    labnb.judge_solved("check", right, book, sanitize)
    with pytest.raises(labnb.LabFailure, match="differ from the book"):
        labnb.judge_solved("check", [shown("passed", "dva-photos-ab3k9 has 3 versions.")], book, sanitize)


STUDENT = "100000000007"  # a student's account on `labkit serve --students N`


def test_solved_pass_compares_the_students_account_with_the_books_default_one():
    """The book runs in the default account, the solved pass in a student's: each id becomes ACCOUNT on its own
    side only, so an output of the student's pass naming the default account still differs from the book."""
    arn = "arn:aws:sns:us-east-1:{}:dva-alerts-{}"
    book = nbformat.v4.new_code_cell("labkit.check(f, x)")
    book.outputs = [shown("passed", f"{arn.format(labnb.BOOK_ACCOUNT, 'zz9q1')} has 1 subscription.")]
    sanitize = nbval_sanitizer()
    labnb.judge_solved("check", [shown("passed", f"{arn.format(STUDENT, 'ab3k9')} has 1 subscription.")], book,
                       sanitize, STUDENT)
    with pytest.raises(labnb.LabFailure, match="differ from the book"):  # served in the default account
        labnb.judge_solved("check", [shown("passed", f"{arn.format(labnb.BOOK_ACCOUNT, 'ab3k9')} has 1 subscription.")],
                           book, sanitize, STUDENT)
    cleanup = nbformat.v4.new_code_cell("labkit.cleanup()")
    cleanup.outputs = [nbformat.v4.new_output("execute_result", execution_count=1, data={
        "text/plain": f"deleted sns.topic {arn.format(labnb.BOOK_ACCOUNT, 'zz9q1')}"})]
    for account, passes in ((STUDENT, True), (labnb.BOOK_ACCOUNT, False)):
        ours = [nbformat.v4.new_output("execute_result", execution_count=1, data={
            "text/plain": f"deleted sns.topic {arn.format(account, 'ab3k9')}"})]
        if passes:
            labnb.judge_solved("cleanup", ours, cleanup, sanitize, STUDENT)
        else:
            with pytest.raises(labnb.LabFailure, match="Cleanup deleted other resources"):
                labnb.judge_solved("cleanup", ours, cleanup, sanitize, STUDENT)


def test_nbval_comparison_names_each_sides_account_only():
    """What LabCell.compare_outputs hands nbval: the student's id in ours and the default one in the book's made
    ACCOUNT; a longer number holding those digits is left alone."""
    def out(text):
        return [nbformat.v4.new_output("stream", name="stdout", text=text)]

    book = labnb.outputs_naming(out(f"queue url .../{labnb.BOOK_ACCOUNT}/dva-jobs\n"), labnb.BOOK_ACCOUNT)
    assert labnb.outputs_naming(out(f"queue url .../{STUDENT}/dva-jobs\n"), STUDENT) == book
    assert labnb.outputs_naming(out(f"queue url .../{labnb.BOOK_ACCOUNT}/dva-jobs\n"), STUDENT) != book
    assert labnb.name_account(f"{STUDENT}5 1{STUDENT}", STUDENT) == f"{STUDENT}5 1{STUDENT}"


def test_a_solved_output_naming_the_default_account_fails_in_a_students_account():
    right = [shown("passed", f"arn:aws:iam::{STUDENT}:role/dva-app-ab3k9 can read the bucket.")]
    labnb.judge_account("labkit.check(f, role)", right, STUDENT)
    wrong = [nbformat.v4.new_output("stream", name="stdout", text=f"arn:aws:iam::{labnb.BOOK_ACCOUNT}:role/x\n")]
    with pytest.raises(labnb.LabFailure, match="names the default account"):
        labnb.judge_account("print(role)", wrong, STUDENT)
    labnb.judge_account(f"print('{labnb.BOOK_ACCOUNT}')", wrong, STUDENT)  # the cell itself names it


def test_solved_cleanup_must_delete_what_the_book_deleted():
    def report(*lines):
        return [nbformat.v4.new_output("execute_result", data={"text/plain": "\n".join(lines)}, execution_count=1)]

    def sanitize(text):  # as tests/sanitize.cfg's [uuid]: random ids become equal
        return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", text)

    book = nbformat.v4.new_code_cell("labkit.cleanup()")
    book.outputs = report("deleted kms.alias alias/dva-app", "deleted kms.key 1f1f1f1f-0000-0000-0000-000000000000",
                          "deleted apigateway.api-key kpyrxprn1d", "deleted apigateway.api-key w5rmgicpwa")
    # the same resources, listed in another order (a key's id is random, so is its place in the report)
    labnb.judge_solved("cleanup", report("deleted apigateway.api-key 7gm9heyqpz", "deleted apigateway.api-key a0",
                                          "deleted kms.key 3c3c3c3c-0000-0000-0000-000000000000",
                                          "deleted kms.alias alias/dva-app"), book, sanitize)
    # a cell's outputs are separate: a notice shown before the report does not swallow its first line
    notice = nbformat.v4.new_output("display_data", data={"text/plain": "Differs from AWS — a notice"})
    labnb.judge_solved("cleanup", [notice, *report("deleted kms.alias alias/dva-app", "deleted apigateway.api-key a0",
                                                   "deleted kms.key 3c3c3c3c-0000-0000-0000-000000000000",
                                                   "deleted apigateway.api-key a1")], book, sanitize)
    for other in (["deleted kms.alias alias/dva-app", "deleted kms.key 3c3c3c3c-0000-0000-0000-000000000000",
                   "deleted apigateway.api-key 7gm9heyqpz"],  # one API key fewer
                  ["deleted kms.alias alias/dva-web", "deleted kms.key 3c3c3c3c-0000-0000-0000-000000000000",
                   "deleted apigateway.api-key 7gm9heyqpz", "deleted apigateway.api-key a0"]):  # another name
        with pytest.raises(labnb.LabFailure, match="Cleanup deleted other resources"):
            labnb.judge_solved("cleanup", report(*other), book, sanitize)


def test_the_book_build_is_a_reference_only_when_current(tmp_path):
    lab = labnb.LABS / "s3-basics.ipynb"
    cells = labnb.code_cells(nbformat.read(lab, as_version=4))
    book = tmp_path / "jupyter_execute" / "labs"
    reference, why = labnb.reference_for(lab, cells, tmp_path / "jupyter_execute")
    assert reference is None and "no book build output" in why
    book.mkdir(parents=True)
    executed = nbformat.read(lab, as_version=4)
    for number, cell in enumerate(labnb.code_cells(executed)):
        cell.execution_count = number + 1
    nbformat.write(executed, book / lab.name)
    reference, why = labnb.reference_for(lab, cells, tmp_path / "jupyter_execute")
    assert why == "" and len(reference) == len(cells)
    labnb.code_cells(executed)[2].source += "\nprint('changed since the build')"
    nbformat.write(executed, book / lab.name)
    assert labnb.reference_for(lab, cells, tmp_path / "jupyter_execute")[0] is None
    assert "stale" in labnb.reference_for(lab, cells, tmp_path / "jupyter_execute")[1]


def test_a_lab_the_book_took_from_its_cache_is_compared_with_the_cached_run(tmp_path):
    """myst-nb writes jupyter_execute/<lab>.ipynb without outputs when the run came from its jupyter-cache (as every
    lab does once _ext/parallel_execution.py has run them): the reference is then the cached run, matched by hash."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    lab = labnb.LABS / "s3-basics.ipynb"
    cells = labnb.code_cells(nbformat.read(lab, as_version=4))
    book = tmp_path / "jupyter_execute" / "labs"
    book.mkdir(parents=True)
    nbformat.write(nbformat.read(lab, as_version=4), book / lab.name)  # as myst-nb writes it: no counts, no outputs
    reference, why = labnb.reference_for(lab, cells, tmp_path / "jupyter_execute")
    assert reference is None and "its cache has no run" in why
    executed = nbformat.read(lab, as_version=4)
    for number, cell in enumerate(labnb.code_cells(executed)):
        cell.execution_count = number + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"cell {number}\n")]
    get_cache(str(tmp_path / ".jupyter_cache")).cache_notebook_bundle(CacheBundleIn(executed, str(lab)),
                                                                      check_validity=False)
    reference, why = labnb.reference_for(lab, cells, tmp_path / "jupyter_execute")
    assert why == "" and [c.outputs[0]["text"] for c in reference] == [f"cell {n}\n" for n in range(len(cells))]


def test_nbval_collects_a_lab_as_one_learner_then_solved_pass():
    lab = labnb.LABS / "s3-basics.ipynb"
    listed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", str(lab)],
                            cwd=labnb.ROOT, capture_output=True, text=True, timeout=120).stdout
    ids = [line.split("::", 1)[1] for line in listed.splitlines() if "::" in line]
    cells = len(labnb.code_cells(nbformat.read(lab, as_version=4)))
    assert ids == (["learner: start", *[f"learner: Cell {n}" for n in range(cells)], "learner: nothing left",
                    "solved: student account", *[f"solved: Cell {n}" for n in range(cells)], "solved: nothing left"]), listed
    assert labnb.is_lab(lab) and not labnb.is_lab(labnb.ROOT / "workshop" / "instructor.ipynb")


def nbval_sanitizer():
    """tests/sanitize.cfg applied as nbval applies it (``--nbval-sanitize-with``: its rules, in file order)."""
    from nbval.plugin import get_sanitize_patterns

    rules = get_sanitize_patterns((labnb.ROOT / "tests" / "sanitize.cfg").read_text())

    def sanitize(text):
        for regex, replace in rules:
            text = re.sub(regex, replace, text)
        return text

    return sanitize


def test_sanitize_cfg_makes_two_runs_of_the_cloudformation_lab_equal():
    """Two solved runs of labs/cloudformation.ipynb (the book's, the test's) delete the same resources under other
    random names: the stack's S3 bucket is <stack>-<logical id>-<12 random>, lower-cased (the CI failure: [names]
    took the first 5 characters of that tail as the suffix and left the stack's own suffix and the rest in)."""
    sanitize = nbval_sanitizer()

    def report(suffix, tail, port):
        lines = [f"deleted cloudformation.stack dva-orders-{suffix}",
                 f"deleted sqs.queue http://127.0.0.1:{port}/123456789012/dva-orders-{suffix}-WorkQueue-{tail.upper()}",
                 f"deleted s3.bucket dva-orders-{suffix}-uploads-{tail}"]
        return [nbformat.v4.new_output("execute_result", data={"text/plain": "\n".join(lines)}, execution_count=1)]

    book = nbformat.v4.new_code_cell("labkit.cleanup()")
    book.outputs = report("gzufz", "oyfovkukh9v2", 39539)
    labnb.judge_solved("cleanup", report("0z8hl", "v6dhbeb1x2k3", 41011), book, sanitize)
    assert sanitize("dva-order-items-ab3k9, dva-order-items-zz9q1") == "dva-order-items-SUFFIX, dva-order-items-SUFFIX"
    with pytest.raises(labnb.LabFailure, match="Cleanup deleted other resources"):  # another logical id is another bucket
        labnb.judge_solved("cleanup", [nbformat.v4.new_output("execute_result", execution_count=1, data={
            "text/plain": book.outputs[0]["data"]["text/plain"].replace("-uploads-", "-archive-")})], book, sanitize)


def test_sanitize_cfg_makes_secret_arns_equal_whatever_their_random_suffix():
    """Secrets Manager ends a secret's ARN with 6 random letters and digits ("SecretId", Secrets Manager API
    Reference): a tail of 5 lower-case characters and an upper-case one made [names] take those 5 as the lab's suffix
    (the CI failure: dva-prod-RANDOM-db-k0f1d-SUFFIXZ against dva-prod-orders-db-SUFFIX-RANDOM)."""
    sanitize = nbval_sanitizer()
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dva-prod-orders-db-{}-{}"
    expected = arn.format("SUFFIX", "RANDOM")
    for suffix, tail in (("k0f1d", "abcdeZ"), ("fzapm", "Q1w2E3"), ("a1b2c", "zzzzzz"), ("00000", "ABCDEF")):
        assert sanitize(arn.format(suffix, tail)) == expected
