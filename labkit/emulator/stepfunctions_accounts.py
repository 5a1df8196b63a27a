"""Step Functions tasks call other services in the execution's account, not in moto's default one.

moto runs an execution's Task states (Lambda ``Invoke``, the optimized integrations such as DynamoDB, SQS, SNS,
EventBridge, nested Step Functions, and the AWS SDK integrations) by making a boto3 client with
``moto.stepfunctions.parser.asl.utils.boto_client.boto_client_for`` and calling the engine over HTTP
(``localhost:MOTO_PORT``; labkit answers that in-process). The client signs with the dummy key ``ak`` and names no
account, so moto serves every task call in its default account (123456789012). A state machine created in any other
account (a student's on ``labkit serve``, or a kernel with ``LABKIT_ACCOUNT_ID``) then cannot find its own Lambda
function or table: its Task states fail with ``ResourceNotFoundException``.

On AWS a Task state calls the service with the execution role's credentials ("How Step Functions uses IAM" /
"Step Functions execution role"), or, for a cross-account task, with the role named by the state's ``Credentials``
field ("Accessing resources in other AWS accounts in Step Functions"): the call is made in that role's account.
moto hands ``boto_client_for`` that role's ARN (``StateCredentials.role_arn``: the state's ``Credentials`` role,
else the execution role). Local fix: the client it returns sends ``x-moto-account-id`` with the account of that
ARN, so the call is served in the role's account. Without a role ARN with a 12-digit account the client is
unchanged.

A state's ``Credentials`` role in another account than the execution's is refused (the task fails with
``States.Runtime`` and a message saying so): AWS would assume that role only if its trust policy allows it, which
the embedded engine does not model; serving the call in the other account would let one account (one student on
``labkit serve``) act in another.

Upstream change (moto ``stepfunctions/parser/asl/utils/boto_client.py``): in ``boto_client_for``, when
``state_credentials`` carries a role ARN, add a ``before-send`` handler (or server-mode header) naming the account
of that ARN, as moto's own ``x-moto-account-id`` header does for clients.
"""
from __future__ import annotations

import importlib
import re
from typing import Any

from .registry import Patch

BOTO_CLIENT_MODULE = "moto.stepfunctions.parser.asl.utils.boto_client"
_EXEC = "moto.stepfunctions.parser.asl.component.state.exec"
# Every module of moto's interpreter that imported boto_client_for by name (each keeps its own reference).
USERS = (
    f"{_EXEC}.state_map.result_writer.resource_eval.resource_eval_s3",
    f"{_EXEC}.state_map.item_reader.eval.resource_eval_s3",
    f"{_EXEC}.state_task.lambda_eval_utils",
    f"{_EXEC}.state_task.service.state_task_service_unsupported",
    f"{_EXEC}.state_task.service.state_task_service_glue",
    f"{_EXEC}.state_task.service.state_task_service_events",
    f"{_EXEC}.state_task.service.state_task_service_ecs",
    f"{_EXEC}.state_task.service.state_task_service_sqs",
    f"{_EXEC}.state_task.service.state_task_service_sfn",
    f"{_EXEC}.state_task.service.state_task_service_dynamodb",
    f"{_EXEC}.state_task.service.state_task_service_batch",
    f"{_EXEC}.state_task.service.state_task_service_sns",
    f"{_EXEC}.state_task.service.state_task_service_aws_sdk",
)
ROLE_ACCOUNT = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):")

PATCHES = [
    Patch(
        name="stepfunctions-task-calls-in-the-roles-account",
        changes="The boto3 client moto's Step Functions interpreter makes for a Task state sends x-moto-account-id "
                "with the account of the task's role (the execution role, or the state's Credentials role), so "
                "the task reaches resources of the state machine's own account, not moto's default account.",
        symbols=(f"{BOTO_CLIENT_MODULE}.boto_client_for",
                 f"{_EXEC}.state_task.credentials.StateCredentials")
                + tuple(f"{module}.boto_client_for" for module in USERS),
        upstream="moto stepfunctions/parser/asl/utils/boto_client.py: name the account of "
                 "state_credentials.role_arn on the client's requests (see this module's docstring).",
    ),
    Patch(
        name="stepfunctions-no-cross-account-task-role",
        changes="A Task state's Credentials role in another account than the execution's fails the task with a "
                "message (the role's trust policy is not modelled), instead of acting in that account.",
        symbols=(f"{_EXEC}.state_task.state_task.StateTask._eval_state_credentials",),
        upstream="None: moto does not model cross-account role assumption for Step Functions tasks.",
    ),
]
TASK_MODULE = f"{_EXEC}.state_task.state_task"

_original = None
_original_credentials = None


def _eval_state_credentials(self, env):
    """moto's task credentials; a role of another account than the execution's is refused (see the docstring)."""
    credentials = _original_credentials(self, env)
    account, own = role_account(credentials), getattr(getattr(env, "aws_execution_details", None), "account", None)
    if account is not None and own is not None and account != own:
        raise RuntimeError(f"the task's Credentials role {credentials.role_arn} is in account {account}, not the "
                           f"execution's account {own}: the embedded engine does not model cross-account roles")
    return credentials


def role_account(state_credentials: Any) -> str | None:
    """The 12-digit account of the role a Task state acts as (``StateCredentials.role_arn``), or None."""
    match = ROLE_ACCOUNT.match(str(getattr(state_credentials, "role_arn", None) or ""))
    return match.group(1) if match else None


def boto_client_for(region: str, service: str, state_credentials: Any = None):
    """moto's client for a Task state, its requests served in the account of the task's role (when it has one)."""
    client = _original(region=region, service=service, state_credentials=state_credentials)
    account = role_account(state_credentials)
    if account is not None:
        def name_account(request, **_):
            request.headers["x-moto-account-id"] = account

        client.meta.events.register("before-sign.*.*", name_account)
    return client


def install() -> None:
    """Point moto's boto_client module and every module that imported boto_client_for at ours."""
    global _original, _original_credentials
    task = importlib.import_module(TASK_MODULE)
    if _original_credentials is None:
        _original_credentials = task.StateTask._eval_state_credentials
        task.StateTask._eval_state_credentials = _eval_state_credentials
    module = importlib.import_module(BOTO_CLIENT_MODULE)
    if _original is None:
        _original = module.boto_client_for
    for name in (BOTO_CLIENT_MODULE, *USERS):
        user = importlib.import_module(name)
        if user.boto_client_for is _original:
            user.boto_client_for = boto_client_for


def uninstall() -> None:
    """Give moto its own boto_client_for back (for the test that shows moto still calls the default account)."""
    if _original is None:
        return
    for name in (BOTO_CLIENT_MODULE, *USERS):
        user = importlib.import_module(name)
        if user.boto_client_for is boto_client_for:
            user.boto_client_for = _original
