"""Emulator modules install when moto loads what they patch (labkit/emulator/lazy.py), so a lab that uses S3 alone
never loads Batch or EC2, and a lab that uses a service still gets every patch for it."""
from __future__ import annotations

import json
import subprocess
import sys

from werkzeug.test import EnvironBuilder

from labkit.emulator import lazy

PROBE = r'''
import json, sys
import labkit
labkit.client("s3").list_buckets()
after_s3 = sorted(m for m in ("moto.batch", "moto.ec2", "moto.cloudformation", "moto.stepfunctions") if m in sys.modules)
emulator_after_s3 = sorted(m for m in sys.modules if m.startswith("labkit.emulator."))
from moto.batch.responses import BatchResponse
labkit.client("batch").describe_job_queues()
wrapped = getattr(BatchResponse.submitjob, "labkit_triggers", ())
from moto.s3.responses import S3Response
print(json.dumps({"after_s3": after_s3, "emulator_after_s3": emulator_after_s3, "batch_notice": len(wrapped),
                  "s3_patched": getattr(S3Response._key_response, "labkit_conditions", False) is not False}))
'''


def test_symbols_name_their_moto_module():
    assert lazy.symbol_module("moto.events.responses.EventsHandler.put_rule") == "moto.events.responses"
    assert lazy.symbol_module("moto.dynamodb.models.table.Table.put_item") == "moto.dynamodb.models.table"
    assert lazy.symbol_module("moto.core.utils.camelcase_to_underscores") is None  # loaded before any engine
    assert not lazy.replaced("moto.iam.models.iam_backends") and not lazy.replaced(
        "moto.cloudformation.exceptions.ValidationError")


def test_an_s3_lab_loads_no_other_service_and_a_batch_call_gets_its_patches():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "LABKIT_ENGINE": "embedded"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["after_s3"] == []
    # emulator modules are imported when their services load: none of SQS's, Step Functions', Lambda's yet
    assert "labkit.emulator.s3" in result["emulator_after_s3"]
    for name in ("labkit.emulator.sqs", "labkit.emulator.stepfunctions", "labkit.emulator.lambda_.qualifier",
                 "labkit.emulator.cloudformation", "labkit.emulator.apigateway"):
        assert name not in result["emulator_after_s3"]
    assert result["batch_notice"] == 1  # batch's "jobs are not run" notice wraps SubmitJob before it is used
    assert result["s3_patched"]


def test_nothing_waits_once_every_service_is_loaded(engine):
    from labkit.emulator import registry

    for module in registry.modules():  # imports every moto module the registry names
        for patch in getattr(module, "PATCHES", []):
            for symbol in patch.symbols:
                registry.resolve(symbol)
    waiting = {package: names for package, names in lazy.pending().items() if names}
    assert waiting == {}


INVOKE_CHAIN = r'''
import json
import labkit
labkit.client("lambda").list_functions()
from moto.awslambda.responses import LambdaResponse
chain, method = [], LambdaResponse.invoke
while method is not None:
    chain.append(method.__code__.co_filename)  # functools.wraps copies moto's __module__ onto each wrapper
    method = getattr(method, "__wrapped__", None)
print(json.dumps(chain))
'''


def test_an_install_due_during_another_install_waits_for_it():
    """Three modules wrap LambdaResponse.invoke (Qualifier, concurrency, async payload limits). An install made due
    while another install() runs must wait until that one has replaced the method: run nested, its wrapper was
    overwritten by the outer module's (which had read the method before) and Invoke ignored Qualifier."""
    done = subprocess.run([sys.executable, "-c", INVOKE_CHAIN], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    chain = json.loads(done.stdout.strip().splitlines()[-1])
    for module in ("qualifier.py", "concurrency.py", "async_invoke.py"):
        assert any(path.endswith(f"labkit/emulator/lambda_/{module}") for path in chain), chain


def test_the_manifest_is_current():
    """lazy_manifest.py names, for every emulator module, the moto modules that import it: regenerate it with
    ``python -m labkit.emulator.lazy`` after changing a module's PATCHES, TRIGGERS or INSTALL_WHEN."""
    from labkit.emulator import lazy_manifest

    assert lazy_manifest.IMPORT_WHEN == lazy.manifest(), "run: python -m labkit.emulator.lazy"
    assert set(lazy_manifest.IMPORT_WHEN) == set(lazy.module_names()) - {"labkit.emulator.lazy"}


def test_a_module_missing_from_the_manifest_is_imported_at_once(monkeypatch):
    """A module added since the manifest was generated installs as before (imported at engine start)."""
    from labkit.emulator import lazy_manifest

    imported = []
    monkeypatch.setattr(lazy_manifest, "IMPORT_WHEN", {})
    monkeypatch.setattr(lazy, "_arrange", lambda module: imported.append(module.__name__))
    monkeypatch.setattr(lazy, "_installed", set())  # as in a fresh process
    monkeypatch.setattr(lazy, "_deferred", set())
    lazy.install_lazily()
    assert {"labkit.emulator.stepfunctions", "labkit.emulator.sqs", "labkit.emulator.apigateway"} <= set(imported)


def test_the_api_gateway_invoker_is_made_on_the_first_invoke_url():
    """labkit/engines/embedded.py: moto answers everything until an invoke URL; then labkit's invoker is in front."""
    from labkit.engines.embedded import ApiGatewayOnDemand

    seen = []

    def moto_app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"moto"]

    app = ApiGatewayOnDemand(moto_app, "123456789012")
    assert app(EnvironBuilder(path="/2015-03-31/functions").get_environ(), lambda *a: None) == [b"moto"]
    assert app._invoker is None
    answer = app(EnvironBuilder(path="/restapis/nosuchapi/prod/_user_request_/pets").get_environ(),
                 lambda status, headers: seen.append(status))
    assert app._invoker is not None and seen[-1].startswith("404")  # labkit's invoker answered: no such API
    assert b"moto" not in b"".join(answer)
    app(EnvironBuilder(path="/restapis").get_environ(), lambda *a: None)
    assert seen[-1] == "/restapis"  # still moto's, through the invoker


DIRECT_INSTALL = r'''
import json, sys
import labkit
labkit.engine()
from labkit.emulator import codedeploy  # imported while its import still waits for moto's CodeDeploy
loaded_before = "moto.codedeploy.responses" in sys.modules
codedeploy.install()  # loads moto's CodeDeploy, which must not run the deferred install inside this one
print(json.dumps({"loaded_before": loaded_before, "lacks": codedeploy.moto_lacks()}))
'''


def test_a_waiting_module_imported_and_installed_directly_installs_once():
    done = subprocess.run([sys.executable, "-c", DIRECT_INSTALL], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "LABKIT_ENGINE": "embedded"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"loaded_before": False, "lacks": ["delete_application", "delete_deployment_group"]}
