"""Every change labkit makes to a third-party library (moto, botocore, boto3, …) has a guard.

The source of labkit/ and _ext/ is read (not imported): any assignment to an attribute of something imported from a
third-party package (``moto.sqs.models.SQSBackend.receive_message = …``, ``setattr(module, "x", …)``, an
``append``/``update``/``setdefault`` into one of its containers, an item assignment) is a patch. Each must be
named in a ``Patch`` of labkit/emulator's registry (tests/test_emulator_registry.py then checks the symbol still
exists in the installed release), or — when labkit adds what the library lacks, or patches outside
labkit/emulator — be listed in ``GUARDED`` below with the test that fails when the library changes under it.
"""
from __future__ import annotations

import ast
import pathlib
import sys

import pytest

from labkit.emulator import registry

ROOT = pathlib.Path(__file__).resolve().parent.parent
MUTATORS = ("append", "insert", "extend", "update", "setdefault", "register")

# symbol → the test that fails when the library moves under the patch ("path::function")
GUARDED = {
    # moto's AWS managed-policy data string out of memory (labkit/emulator/iam_managed_policies.py release_data)
    "moto.iam.models.__dict__":
        "tests/test_emulator_iam_managed_policies.py::test_moto_iam_reads_its_data_string_only_in_init_aws_policies",
    "moto.iam.aws_managed_policies.__getattr__":
        "tests/test_emulator_iam_managed_policies.py::test_the_data_string_leaves_memory_and_reads_back_the_same",
    # operations moto 5.2.5 lacks; each guard asserts moto still lacks them (then labkit's own is needed)
    "moto.codedeploy.models.CodeDeployBackend.delete_application":
        "tests/test_emulator_codedeploy.py::test_moto_still_lacks_the_deletes",
    "moto.codedeploy.models.CodeDeployBackend.delete_deployment_group":
        "tests/test_emulator_codedeploy.py::test_moto_still_lacks_the_deletes",
    "moto.codedeploy.responses.CodeDeployResponse.delete_application":
        "tests/test_emulator_codedeploy.py::test_moto_still_lacks_the_deletes",
    "moto.codedeploy.responses.CodeDeployResponse.delete_deployment_group":
        "tests/test_emulator_codedeploy.py::test_moto_still_lacks_the_deletes",
    "moto.awslambda.responses.LambdaResponse.get_account_settings":
        "tests/test_emulator_lambda_async.py::test_moto_still_has_no_get_account_settings",
    "moto.sqs.responses.SQSResponse.start_message_move_task":
        "tests/conformance/test_sqs_message_move.py::test_moto_still_lacks_message_move_tasks",
    "moto.sqs.responses.SQSResponse.list_message_move_tasks":
        "tests/conformance/test_sqs_message_move.py::test_moto_still_lacks_message_move_tasks",
    "moto.sqs.responses.SQSResponse.cancel_message_move_task":
        "tests/conformance/test_sqs_message_move.py::test_moto_still_lacks_message_move_tasks",
    "moto.ecr.responses.ECRResponse.start_lifecycle_policy_preview":
        "tests/conformance/test_ecr.py::test_moto_still_lacks_the_lifecycle_preview",
    "moto.ecr.responses.ECRResponse.get_lifecycle_policy_preview":
        "tests/conformance/test_ecr.py::test_moto_still_lacks_the_lifecycle_preview",
    "moto.appconfig.responses.AppConfigResponse.list_applications":
        "tests/conformance/test_appconfig_lists.py::test_moto_still_lacks_the_list_operations",
    "moto.appconfig.responses.AppConfigResponse.list_hosted_configuration_versions":
        "tests/conformance/test_appconfig_lists.py::test_moto_still_lacks_the_list_operations",
    "moto.xray.responses.XRayResponse.create_sampling_rule":
        "tests/conformance/test_xray_sampling_rules.py::test_moto_still_lacks_sampling_rules",
    "moto.xray.responses.XRayResponse.get_sampling_rules":
        "tests/conformance/test_xray_sampling_rules.py::test_moto_still_lacks_sampling_rules",
    "moto.xray.responses.XRayResponse.delete_sampling_rule":
        "tests/conformance/test_xray_sampling_rules.py::test_moto_still_lacks_sampling_rules",
    "moto.s3.models.FakeDeleteMarker.dispose":
        "tests/test_patch_guards.py::test_moto_delete_markers_still_have_no_dispose",
    # the embedded engine's in-process dispatch (labkit/engines/inprocess.py) hooks botocore's handler list and
    # boto3's default session; these tests fail when a botocore/boto3 release stops consulting them
    "botocore.handlers.BUILTIN_HANDLERS":
        "tests/test_inprocess.py::test_plain_boto3_in_the_kernel_lands_on_the_engine",
    "boto3.DEFAULT_SESSION": "tests/test_inprocess.py::test_stopping_the_last_engine_restores_the_environment",
    # the browser engine answers the notebook's requests calls to its address (labkit/engines/browser_http.py);
    # the scenario's presigned GET through requests fails when requests stops sending through HTTPAdapter.send
    "requests.adapters.HTTPAdapter.send":
        "tests/test_browser_engine.py::test_the_notebook_fetches_the_engine_s_urls_in_process",
    # an instance attribute in moto (set in IAMBackend.__init__), a property once labkit builds policies on demand
    "moto.iam.models.IAMBackend.aws_managed_policies":
        "tests/test_emulator_iam_managed_policies.py::test_moto_still_builds_every_policy_eagerly",
}


def third_party(module: str) -> bool:
    top = module.split(".")[0]
    return top not in sys.stdlib_module_names and top not in ("labkit", "__future__")


def patches_in(path: pathlib.Path) -> list[tuple[str, int]]:
    """(dotted symbol, line) of every change this file makes to something a third-party import names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if third_party(alias.name):
                    names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                        alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and third_party(node.module):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def dotted(expression) -> str | None:
        parts = []
        while isinstance(expression, ast.Attribute):
            parts.append(expression.attr)
            expression = expression.value
        if isinstance(expression, ast.Name) and expression.id in names:
            return ".".join([names[expression.id], *reversed(parts)])
        return None

    found = []
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            for one in (target.elts if isinstance(target, ast.Tuple) else [target]):
                symbol = (dotted(one) if isinstance(one, ast.Attribute)
                          else dotted(one.value) if isinstance(one, ast.Subscript) else None)
                if symbol:
                    found.append((symbol, node.lineno))
        if isinstance(node, ast.Call):
            if (isinstance(node.func, ast.Name) and node.func.id == "setattr" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant) and dotted(node.args[0])):
                found.append((f"{dotted(node.args[0])}.{node.args[1].value}", node.lineno))
            if isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS and dotted(node.func.value):
                found.append((dotted(node.func.value), node.lineno))
    return found


def all_patches() -> list[tuple[str, str]]:
    files = [p for p in sorted((ROOT / "labkit").rglob("*.py")) if "runtime_modules" not in p.parts]
    files += sorted((ROOT / "_ext").glob("*.py"))
    return [(symbol, f"{path.relative_to(ROOT)}:{line}") for path in files for symbol, line in patches_in(path)]


def test_the_scan_finds_a_patch(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from moto.sqs import models\nimport botocore.handlers as h\n"
                      "def install():\n    models.SQSBackend.receive_message = None\n"
                      "    setattr(models.Queue, 'x', 1)\n    h.BUILTIN_HANDLERS.append(1)\n    local = 1\n")
    assert [s for s, _ in patches_in(sample)] == ["moto.sqs.models.SQSBackend.receive_message",
                                                  "moto.sqs.models.Queue.x", "botocore.handlers.BUILTIN_HANDLERS"]


def test_every_patch_of_a_third_party_library_has_a_guard():
    registered = {symbol for patch in registry.patches() for symbol in patch.symbols}
    unguarded = sorted({f"{symbol} ({where})" for symbol, where in all_patches()
                        if symbol not in registered and symbol not in GUARDED})
    assert not unguarded, ("labkit changes these without a guard: name each in a Patch of its labkit/emulator "
                           "module's PATCHES, or list it in GUARDED with the test that fails when the library "
                           f"changes: {unguarded}")


@pytest.mark.parametrize("symbol", sorted(GUARDED))
def test_each_listed_guard_exists(symbol):
    path, function = GUARDED[symbol].split("::")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    assert function in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}, GUARDED[symbol]
    assert symbol in {s for s, _ in all_patches()}, f"{symbol} is no longer patched: drop it from GUARDED"


def test_moto_delete_markers_still_have_no_dispose(engine):
    """labkit gives moto's FakeDeleteMarker the ``dispose`` moto's S3 calls on every key (labkit/emulator/s3.py);
    when moto defines its own, labkit's is not installed and this fails: drop labkit's."""
    from moto.s3.models import FakeDeleteMarker

    own = FakeDeleteMarker.__dict__.get("dispose")
    assert own is not None and own.__module__ == "labkit.emulator.s3"
