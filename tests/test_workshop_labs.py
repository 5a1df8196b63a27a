"""The Step Functions fix that lets the Step Functions lab pass in a student's account on ``labkit serve``
(labkit/emulator/stepfunctions_accounts.py), and the guard that moto still needs it.

Every lab runs, solved, in a student's non-default account in nbval's pass (tests/labnb.py: ``solved: student
account`` … ``solved: nothing left``)."""
from __future__ import annotations

import pytest


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
