"""The learner's leftover check of every lab run (tests/labnb.py: ``START`` before the lab, ``LEFTOVERS`` after it),
which lists only the kinds that may hold something (labkit.hygiene.snapshot_all, labkit.inventory.kinds_in_use: on
the embedded engine, the services whose moto package is imported), so a lab's kernel no longer imports all 35 services to list them."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types

from labnb import LEFTOVERS, START, ROOT

from labkit import inventory

# Before START: a parameter that exists before the lab. After it, as a lab whose Cleanup forgot them: resources of
# services moto had not loaded at START, among them one whose moto package is named otherwise (lambda ->
# moto.awslambda) and one with a dash (cognito-idp -> moto.cognitoidp).
LAB = """\
import io, json, os, sys, warnings, zipfile
warnings.simplefilter("ignore")
os.environ["LABKIT_ENGINE"] = "embedded"
import labkit
labkit.client("ssm").put_parameter(Name="/dva/before", Value="v", Type="String")
exec({start!r})
loaded_at_start = sorted(k.service for k in labkit.inventory.kinds_in_use(labkit.engine()))
labkit.client("sns").create_topic(Name="dva-left-topic")
labkit.client("cognito-idp").create_user_pool(PoolName="dva-left-pool")
role = labkit.client("iam").create_role(RoleName="dva-left-role", AssumeRolePolicyDocument=json.dumps({{
    "Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "lambda.amazonaws.com"}},
                                            "Action": "sts:AssumeRole"}}]}}))["Role"]["Arn"]
code = io.BytesIO()
with zipfile.ZipFile(code, "w") as archive:
    archive.writestr("app.py", "def handler(event, context):\\n    return 1\\n")
labkit.client("lambda").create_function(FunctionName="dva-left-fn", Runtime="python3.12", Role=role,
                                        Handler="app.handler", Code={{"ZipFile": code.getvalue()}})
print(json.dumps(loaded_at_start))
exec({leftovers!r})
"""


def test_the_leftover_check_sees_what_a_lab_left_in_services_loaded_after_its_start():
    script = LAB.format(start=START, leftovers=LEFTOVERS)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT / "labs", capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded_at_start, left = (json.loads(line) for line in done.stdout.strip().splitlines()[-2:])
    assert not {"sns", "cognito-idp", "lambda"} & set(loaded_at_start), loaded_at_start
    named = {kind: [i.rsplit(":", 1)[-1].rsplit("/", 1)[-1] for i in ids] for kind, ids in left.items()}
    assert named.get("sns.topic") == ["dva-left-topic"], left
    assert named.get("lambda.function") == ["dva-left-fn"], left
    assert named.get("iam.role") == ["dva-left-role"], left
    assert len(left.get("cognito-idp.user-pool", [])) == 1, left
    assert "ssm.parameter" not in left, left  # there before the lab


def test_every_kind_names_a_moto_package_that_exists():
    """A misnamed package would never count as imported: its kinds' leftovers would go unseen."""
    missing = {k.service: inventory.moto_package(k.service) for k in inventory.kinds_for()
               if importlib.util.find_spec(inventory.moto_package(k.service)) is None}
    assert missing == {}


def test_on_another_engine_every_kind_is_listed(monkeypatch):
    """Where moto answers in this process (embedded, and browser: the same moto in the page) only loaded services'
    kinds count; elsewhere every kind (a workshop server's moto is in another process)."""
    monkeypatch.setattr(inventory, "moto_package", lambda service: "moto.never_loaded")
    listed = {name: inventory.kinds_in_use(types.SimpleNamespace(name=name)) for name in ("embedded", "browser",
                                                                                         "shared", "localstack")}
    assert listed == {"embedded": [], "browser": [], "shared": inventory.kinds_for(),
                      "localstack": inventory.kinds_for()}
