"""Every lab passes, solved, in a student's non-default account on ``labkit serve --students N``, through that
student's issued key, as the student's kernel runs it (``LABKIT_ENGINE=auto``, ``AWS_ENDPOINT_URL`` and the key): every
Check my work verdict is ✓, no cell raises (but those tagged raises-exception), the verdicts reach the instructor's
dashboard under the student's name, and afterwards the student's account holds nothing of any kind labkit
inventories (the lab worked there, and its Cleanup found everything it made).

Each lab is a test class of its own (``TestLab_<slug>``), so each is a pytest-xdist scope (``--dist loadscope``) that
tests/_schedule.py spreads over the workers, longest first; each worker starts one server (session fixture) with one
student per lab, so every lab starts in a fresh account and a lab that leaves something behind fails alone, and one
kernel that runs its labs one after another, each after a reset to a fresh student (tests/workshop_server.py:
LabKernel, NEXT_STUDENT), which saves a kernel start and the imports per lab. Only the solved pass runs here: the
learner's pass, in a kernel of its own per lab, is nbval's (tests/labnb.py), on the embedded engine. Every other lab
also sets LABKIT_ACCOUNT_ID (optional for a student).

Also: the Step Functions fix itself (labkit/emulator/stepfunctions_accounts.py) and the guard that moto still
needs it."""
from __future__ import annotations

import pathlib

import pytest

from workshop_server import ROOT, LabKernel, StudentEngine, WorkshopServer, run_lab_as_student

LABS = sorted((ROOT / "labs").glob("*.ipynb"))


@pytest.fixture(scope="session")
def workshop():
    """One ``labkit serve`` per xdist worker (a session fixture runs once per worker), a student (an account) per
    lab."""
    with WorkshopServer(students=len(LABS)) as server:
        yield server
        server.check()


@pytest.fixture(scope="session")
def kernel():
    """One kernel per xdist worker, reused by its labs (workshop_server.LabKernel: each lab as a fresh student)."""
    reused = LabKernel()
    yield reused
    reused.shutdown()


def leftovers(engine: StudentEngine) -> dict[str, set[str]]:
    """Every kind labkit inventories that holds something in the student's account (a refused listing raises)."""
    from labkit import inventory

    return {kind: ids for kind, ids in inventory.take(engine, inventory.kinds_for(), strict=True).items() if ids}


def dashboard(server: WorkshopServer, student: str, monkeypatch) -> list[tuple[str, bool]]:
    """(check, passed) of every verdict the instructor's dashboard holds for ``student`` (read with the instructor's
    key, as workshop/instructor.ipynb does)."""
    from labkit import progress

    monkeypatch.setenv("LABKIT_ACCESS_KEY_ID", server.instructor["access_key_id"])
    monkeypatch.setenv("LABKIT_SECRET_ACCESS_KEY", server.instructor["secret_access_key"])
    return [(r["check"], r["passed"]) for r in progress.class_progress(server.engine(server.instructor))
            if r["student"] == student]


class LabInAStudentAccount:
    """One lab (``lab``) run solved by its own student; a class per lab below, each its own xdist scope."""

    lab: pathlib.Path

    def test_passes_and_leaves_the_account_empty(self, workshop, kernel, monkeypatch):
        key = workshop.students[LABS.index(self.lab)]
        student = workshop.engine(key)
        assert student.account_id == key["account_id"] != "123456789012"
        # every other lab also sets LABKIT_ACCOUNT_ID (optional for a student; it must then be the key's account)
        account_id = key["account_id"] if LABS.index(self.lab) % 2 else None
        run_lab_as_student(workshop, key, self.lab.stem, kernel, account_id)
        assert leftovers(student) == {}, f"{self.lab.stem}: the lab's Cleanup left this in the student's account"
        verdicts = dashboard(workshop, key["student"], monkeypatch)  # this student ran this lab only
        assert verdicts and all(passed for _, passed in verdicts), verdicts


for _path in LABS:  # TestLab_s3_basics, ...: pytest collects each (its name starts with Test)
    _name = "TestLab_" + _path.stem.replace("-", "_")
    globals()[_name] = type(_name, (LabInAStudentAccount,), {"lab": _path,
                                                             "__doc__": f"labs/{_path.name} in a student's account."})


def test_each_lab_is_a_scope_of_its_own():
    """Every lab has its class (its xdist scope), and nothing is collected twice from the base class."""
    classes = {name: value for name, value in globals().items() if name.startswith("TestLab_")}
    assert sorted(c.lab for c in classes.values()) == LABS
    assert not LabInAStudentAccount.__name__.startswith("Test")


# --- the Step Functions fix, and the guard that moto still needs it -------------------------------------------------

def sent_headers(client) -> dict:
    """The headers of one ListFunctions request the client would send (answered locally, never sent)."""
    from botocore.awsrequest import AWSResponse

    seen = {}

    def capture(request, **_):
        seen.update((k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items())
        return AWSResponse(request.url, 200, {}, _Raw(b'{"Functions": []}'))

    client.meta.events.register_first("before-send", capture)
    client.list_functions()
    return seen


class _Raw:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_):
        yield self.data


def test_moto_still_names_no_account_for_a_task_call():
    """moto's boto_client_for signs with the dummy key and names no account, whatever the task's role: its calls are
    served in moto's default account. When this fails, moto names the account itself: drop
    labkit/emulator/stepfunctions_accounts.py."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials

    from labkit.emulator import stepfunctions_accounts

    original = stepfunctions_accounts._original or __import__(
        stepfunctions_accounts.BOTO_CLIENT_MODULE, fromlist=["boto_client_for"]).boto_client_for
    client = original(region="us-east-1", service="lambda",
                      state_credentials=StateCredentials(role_arn="arn:aws:iam::100000000002:role/sfn"))
    headers = {k.lower(): v for k, v in sent_headers(client).items()}
    assert "x-moto-account-id" not in headers
    assert "Credential=ak/" in str(headers.get("authorization"))


def test_a_task_call_is_made_in_its_roles_account():
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials

    from labkit.emulator import stepfunctions_accounts

    stepfunctions_accounts.install()
    assert lambda_eval_utils.boto_client_for is stepfunctions_accounts.boto_client_for
    role = StateCredentials(role_arn="arn:aws:iam::100000000002:role/sfn")
    headers = sent_headers(stepfunctions_accounts.boto_client_for("us-east-1", "lambda", role))
    assert headers.get("x-moto-account-id") == "100000000002"
    # no role ARN with an account: the client is moto's, unchanged
    unnamed = sent_headers(stepfunctions_accounts.boto_client_for("us-east-1", "lambda", StateCredentials(role_arn="")))
    assert "x-moto-account-id" not in {k.lower() for k in unnamed}


def test_a_task_role_of_another_account_is_refused(monkeypatch):
    """A state's Credentials role in another account fails the task instead of acting in that account."""
    from types import SimpleNamespace

    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task import StateTask

    from labkit.emulator import stepfunctions_accounts

    stepfunctions_accounts.install()
    assert StateTask._eval_state_credentials is stepfunctions_accounts._eval_state_credentials
    env = SimpleNamespace(aws_execution_details=SimpleNamespace(account="100000000001"))
    for role, allowed in (("arn:aws:iam::100000000001:role/own", True), ("arn:aws:iam::100000000002:role/x", False)):
        monkeypatch.setattr(stepfunctions_accounts, "_original_credentials",
                            lambda self, env, role=role: StateCredentials(role_arn=role))
        if allowed:
            assert stepfunctions_accounts._eval_state_credentials(None, env).role_arn == role
        else:
            with pytest.raises(RuntimeError, match="not the execution's account 100000000001"):
                stepfunctions_accounts._eval_state_credentials(None, env)
