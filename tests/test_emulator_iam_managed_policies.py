"""AWS managed policies built on first read (labkit/emulator/iam_managed_policies.py): moto's answers, less memory.

An eager backend (moto's own methods, on a subclass) is the reference every answer is compared with.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import tracemalloc

import pytest
from botocore.exceptions import ClientError

from labkit.emulator import iam_managed_policies as lazy_policies
from labkit.engines.shared import add_account_header

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SERVICE_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

# sha256 of moto 5.2.5's source of each IAMBackend method the module replaces: a change means moto's behaviour may
# have moved away from the module's copy (compare them, then update the digest)
MOTO_SOURCES = {
    "_init_aws_policies": "b3f2c8c3a9c6a1eb111edf70dbf4d4a8731fd0b0f0c826849ce638583efd0a37",
    "_init_managed_policies": "fb61ef428691ef3f46f838134524e7fe4db906c33c3edcc05e73cbdfb4eca077",
    "attach_role_policy": "e8207b1043715161a864790f9a56c918795774ff0131c85039b0e5774a0a07c9",
    "detach_role_policy": "2dd0d7012707df93974d65560fb44f9d66f2b5b26358d0d510d973d91df6db03",
    "attach_group_policy": "5ffcedbe42576fc05a9644a05b3a8f2a8d69d1c301ab2d93a7ee2609f95f90c8",
    "detach_group_policy": "d23af9b695f920761ce0f9c123741e527b406539a3f656e85c30fad8d8572355",
    "attach_user_policy": "79961b49037bcced82ab18cf58f25296cc3ea294f2671bfe7397b0025a014136",
    "detach_user_policy": "1b1907290a17baf8603c7bcee28697071ad9453f931a6fa398e41ad28af7edfc",
    "list_policies": "09429e2ad7e023c067ad280186f7760e3124ec91bd72545cc54e582465b7b7b1",
}


@pytest.fixture(scope="module")
def models(engine):
    engine.client("iam").list_users()  # moto has loaded IAM: the module is installed
    import moto.iam.models as models

    return models


def eager_backend(models, account: str):
    """An IAM backend built by moto's own (eager) methods, for comparison."""
    class EagerIAMBackend(models.IAMBackend):
        pass

    for name in lazy_policies.REPLACED:
        setattr(EagerIAMBackend, name, lazy_policies._originals[name])
    return EagerIAMBackend("aws", account)


def lazy_backend(models, account: str):
    return models.IAMBackend("aws", account)


def described(policy) -> tuple:
    """What an answer says of a policy (a customer managed policy's dates are the clock's, not compared)."""
    dated = type(policy).__name__ == "AWSManagedPolicy"
    return (policy.arn, policy.name, policy.path, policy.default_version_id, dated and policy.create_date,
            dated and policy.update_date, [(v.version_id, v.document, v.is_default) for v in policy.versions],
            policy.attachment_count, type(policy).__name__)


def test_installed_and_nothing_built_until_read(models):
    assert models.IAMBackend._init_managed_policies is lazy_policies._init_managed_policies
    backend = lazy_backend(models, "111122220001")
    assert isinstance(backend.managed_policies, lazy_policies.LazyManagedPolicies)
    assert backend.managed_policies.built_count() == 0
    assert READ_ONLY in backend.managed_policies and len(backend.managed_policies) > 1000
    backend.get_policy(READ_ONLY)
    assert backend.managed_policies.built_count() == 1


def test_same_policies_in_the_same_order_as_moto(models):
    lazy, eager = lazy_backend(models, "111122220002"), eager_backend(models, "111122220002")  # apart: not registered
    assert not isinstance(eager.managed_policies, lazy_policies.LazyManagedPolicies)
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*",
                                                                   "Resource": "*"}]})
    for backend in (lazy, eager):  # customer managed policies come after AWS's, in the order created
        backend.create_policy("", "/", document, "second", [])
        backend.create_policy("", "/app/", document, "first", [])
    assert list(lazy.managed_policies) == list(eager.managed_policies)
    assert list(lazy.managed_policies.keys()) == list(eager.managed_policies.keys())
    lazy_all = [described(p) for p in lazy.managed_policies.values()]
    assert lazy_all == [described(p) for p in eager.managed_policies.values()]
    assert [described(p) for p in lazy.aws_managed_policies] == [described(p) for p in eager.aws_managed_policies]


def outcome(call):
    try:
        answer = call()
    except Exception as exc:  # noqa: BLE001 - the error is the answer compared
        return type(exc).__name__, str(exc)
    if isinstance(answer, tuple) and len(answer) == 2:  # list_* → (policies, marker)
        return [described(p) for p in answer[0]], answer[1]
    if isinstance(answer, dict):
        return {key: sorted(getattr(v, "arn", getattr(v, "name", str(v))) for v in value)
                for key, value in answer.items()}
    return described(answer) if hasattr(answer, "versions") else answer


def script(backend) -> list:
    """The same IAM operations on ``backend``; every answer and error, for comparison."""
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                   "Resource": "*"}]})
    backend.create_role("r", TRUST, "/", None, "", [], None)
    backend.create_user("us-east-1", "u", "/", [])
    backend.create_group("g", "/")
    local = backend.create_policy("", "/", document, "mine", []).arn
    missing = "arn:aws:iam::aws:policy/NoSuchPolicy"
    steps = [
        lambda: backend.attach_role_policy(READ_ONLY, "r"),
        lambda: backend.attach_role_policy(missing, "r"),
        lambda: backend.detach_role_policy(SERVICE_ROLE, "r"),
        lambda: backend.detach_role_policy(missing, "r"),
        lambda: backend.attach_user_policy(SERVICE_ROLE, "u"),
        lambda: backend.attach_user_policy(missing, "u"),
        lambda: backend.detach_user_policy(READ_ONLY, "u"),
        lambda: backend.attach_group_policy(local, "g"),
        lambda: backend.attach_group_policy(local, "g"),
        lambda: backend.attach_group_policy(missing, "g"),
        lambda: backend.detach_group_policy(READ_ONLY, "g"),
        lambda: backend.list_policies(None, 100, True, "/", "All"),
        lambda: backend.list_policies(None, 100, True, "/", "AWS"),
        lambda: backend.list_policies(None, 100, False, "/", "Local"),
        lambda: backend.list_policies(None, 100, False, "/service-role/", "AWS"),
        lambda: backend.list_policies("100", 50, False, "/", "All"),
        lambda: backend.get_policy(READ_ONLY),
        lambda: backend.get_policy(missing),
        lambda: backend.detach_group_policy(local, "g"),
        lambda: backend.detach_role_policy(READ_ONLY, "r"),
        lambda: backend.delete_policy(local),
        lambda: backend.list_policies(None, 100, False, "/", "Local"),
        lambda: backend.get_account_authorization_details(["AWSManagedPolicy", "LocalManagedPolicy"]),
        lambda: len(backend.managed_policies),
    ]
    return [outcome(step) for step in steps]


def test_operations_answer_as_moto(models):
    lazy, eager = lazy_backend(models, "111122220004"), eager_backend(models, "111122220004")  # apart: not registered
    lazy_answers, eager_answers = script(lazy), script(eager)
    assert lazy_answers == eager_answers
    assert lazy_answers[1][0] == "NotFoundException"  # the script reaches the error paths
    assert lazy_answers[1][1].endswith("Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not "
                                       "attachable.")


def test_local_listing_and_attach_build_only_what_they_touch(models):
    backend = lazy_backend(models, "111122220006")
    backend.create_role("r", TRUST, "/", None, "", [], None)
    backend.attach_role_policy(SERVICE_ROLE, "r")
    backend.list_policies(None, 100, False, "/", "Local")
    backend.list_policies(None, 100, True, "/", "All")
    backend.detach_role_policy(SERVICE_ROLE, "r")
    assert backend.managed_policies.built_count() == 1


def test_api_list_policies_aws_and_get_policy_answer_as_before(engine, models):
    """Through the API, in an account of its own: every AWS managed policy listed, and ReadOnlyAccess as moto's
    eager backend (built from the same data) describes it."""
    account = "111122220007"
    # a client of its own (any argument makes one): the header handler must not reach the engine's shared IAM client
    iam = add_account_header(engine.client("iam", region_name="us-east-1"), account)
    eager = eager_backend(models, "111122220008")
    policy = iam.get_policy(PolicyArn=READ_ONLY)["Policy"]
    reference = eager.get_policy(READ_ONLY)
    assert (policy["Arn"], policy["PolicyName"], policy["Path"], policy["DefaultVersionId"], policy["IsAttachable"]) \
        == (reference.arn, "ReadOnlyAccess", "/", reference.default_version_id, True)
    version = iam.get_policy_version(PolicyArn=READ_ONLY, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert version["Document"] == json.loads(reference.versions[0].document)
    assert models.iam_backends[account]["aws"].managed_policies.built_count() == 1
    listed = [p for page in iam.get_paginator("list_policies").paginate(Scope="AWS") for p in page["Policies"]]
    expected = sorted(eager.aws_managed_policies, key=lambda p: p.name)
    assert [(p["Arn"], p["DefaultVersionId"]) for p in listed] == [(p.arn, p.default_version_id) for p in expected]
    assert len(listed) > 1000
    with pytest.raises(ClientError, match="does not exist or is not attachable"):
        iam.attach_role_policy(RoleName=iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"][
            "RoleName"], PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")


def test_an_account_costs_a_fraction_of_moto_eager_backend(models):
    """Memory allocated (tracemalloc) to build one account's IAM backend: moto's eager one keeps every AWS managed
    policy (about 5 MB); the lazy one keeps next to nothing until policies are read."""
    lazy_policies._index()  # the per-process index, made once for all accounts

    def kept(make) -> int:
        tracemalloc.start()
        try:
            backend = make()
            size = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        assert backend is not None
        return size

    eager = kept(lambda: eager_backend(models, "111122220009"))
    lazy = kept(lambda: lazy_backend(models, "111122220010"))
    print(f"IAM backend: moto eager {eager / 1e6:.1f} MB, lazy {lazy / 1e6:.2f} MB")
    assert eager > 2_000_000
    assert lazy < eager / 20


def test_moto_still_builds_every_policy_eagerly(models):
    """moto's own backend builds all AWS managed policies at once: when this fails, moto builds them on demand
    itself; then delete labkit/emulator/iam_managed_policies.py."""
    eager = eager_backend(models, "111122220011")
    assert type(eager.__dict__["managed_policies"]) is dict
    # moto's __init__ still sets the list as an instance attribute (the module's property takes that assignment)
    assert "self.aws_managed_policies = self._init_aws_policies()" in inspect.getsource(models.IAMBackend.__init__)
    assert len(eager.__dict__["managed_policies"]) == len(lazy_policies._index())


def test_moto_methods_unchanged():
    """The module copies moto's attach/detach/ListPolicies logic: fails (naming the method) when moto's source of a
    replaced method changes, so the copy is compared with the new one before the digest is updated."""
    changed = {}
    for name in lazy_policies.REPLACED:
        original = lazy_policies._originals.get(name)
        if original is None:
            from moto.iam.models import IAMBackend

            original = getattr(IAMBackend, name)
        digest = hashlib.sha256(inspect.getsource(original).encode()).hexdigest()
        if digest != MOTO_SOURCES[name]:
            changed[name] = digest
    assert not changed, f"moto changed IAMBackend methods labkit/emulator/iam_managed_policies.py replaces: {changed}"


def test_sam_managed_policy_map_reads_names_without_building(models):
    """The SAM transform's policy-name map (labkit/emulator/sam.py) names every policy as moto's objects do."""
    from labkit.emulator import sam

    account = "111122220012"
    backend = models.iam_backends[account]["global"]
    backend.create_policy("", "/team/", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}), "TeamRead", [])
    names = sam._managed_policies(account)
    assert backend.managed_policies.built_count() == 0
    assert names == {policy.name: policy.arn for policy in backend.managed_policies.values()}
    assert names["AWSLambdaBasicExecutionRole"] == SERVICE_ROLE and names["TeamRead"].endswith(":policy/team/TeamRead")


RELEASE_PROBE = r'''
import json, sys
import labkit
iam = labkit.client("iam")
role = labkit.lambda_role()  # IAM loaded, a managed policy attached: the data is indexed
import moto.iam.aws_managed_policies as source, moto.iam.models as models
from labkit.emulator import iam_managed_policies as lazy
found = {"module_holds": "aws_managed_policies_data" in source.__dict__,
         "models_holds": models.aws_managed_policies_data is not None}
document = iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess", VersionId=iam.get_policy(
    PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["Policy"]["DefaultVersionId"])["PolicyVersion"]["Document"]
from moto.iam.aws_managed_policies import aws_managed_policies_data as text  # as moto's SSO Admin imports it
original = json.loads(text)["ReadOnlyAccess"]
found["same_document"] = document == original["Document"]
found["read_back_length"] = len(text)
found["kept_in"] = lazy._kept_in
found["models_after"] = models.aws_managed_policies_data is not None
print(json.dumps(found))
'''


def test_the_data_string_leaves_memory_and_reads_back_the_same():
    """release_data: after a lab's first IAM calls neither moto module holds the 4.7 MB string; GetPolicyVersion
    answers moto's document, and the module hands out the same text to whoever imports it."""
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", RELEASE_PROBE], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LABKIT_ENGINE": "embedded"})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["module_holds"] is False and found["models_holds"] is False
    assert found["same_document"] is True and found["models_after"] is False
    assert found["read_back_length"] == os.path.getsize(found["kept_in"]) > 4_000_000


def test_moto_iam_reads_its_data_string_only_in_init_aws_policies(models):
    """release_data puts moto.iam.models' copy back only while _init_aws_policies runs: no other function of the
    module may read it (a moto upgrade that adds one makes this fail; then wrap that one too)."""
    readers = set()
    classes = [v for v in vars(models).values() if inspect.isclass(v) and v.__module__ == models.__name__]
    for owner in [models, *classes]:
        for name, value in vars(owner).items():
            function = getattr(value, "__func__", value)
            function = lazy_policies._originals.get(name, function) if owner is models.IAMBackend else function
            code = getattr(inspect.unwrap(function), "__code__", None)
            if code is not None and lazy_policies.DATA in code.co_names:
                readers.add(f"{owner.__name__}.{name}")
    assert readers == {"IAMBackend._init_aws_policies"}
