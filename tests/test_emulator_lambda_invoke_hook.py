"""labkit.emulator.lambda_.invoke_hook: the moto methods the Lambda runtime hook replaces, and why."""
from __future__ import annotations

import labkit
from labkit.emulator.lambda_ import invoke_hook
from labkit.emulator.lambda_ import invoke_hook as moto_hook


def test_the_hook_names_the_methods_it_replaces(engine):
    named = {s for p in invoke_hook.PATCHES for s in p.symbols}
    assert {f"moto.awslambda.models.{m}" for m in moto_hook.EXPECTED_SIGNATURES} <= named


def test_moto_still_ignores_alias_weights(engine, monkeypatch):
    """moto's own LambdaBackend.invoke always runs an alias's main version; when this fails, moto routes by
    AdditionalVersionWeights itself: drop moto_hook's routed_qualifier."""
    from moto.awslambda.models import LambdaFunction, lambda_backends

    lam = labkit.client("lambda")
    name = labkit.name("weights-upstream")
    code = "def handler(event, context):\n    return 1\n"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": code})})
    try:
        v1 = lam.publish_version(FunctionName=name)["Version"]
        lam.update_function_code(FunctionName=name, ZipFile=labkit.zip_code({"app.py": code + "# v2\n"}))
        v2 = lam.publish_version(FunctionName=name)["Version"]
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion=v1,
                         RoutingConfig={"AdditionalVersionWeights": {v2: 0.5}})
        ran = []
        monkeypatch.setattr(LambdaFunction, "invoke", lambda self, body, req, resp: ran.append(str(self.version)) or b"1")
        backend = lambda_backends[engine.account_id][engine.region]
        moto_invoke = moto_hook._originals["LambdaBackend.invoke"]
        for _ in range(40):
            moto_invoke(backend, name, "live", b"{}", {}, {})
        assert set(ran) == {v1}
        ran.clear()
        for _ in range(40):
            backend.invoke(name, "live", b"{}", {}, {})  # with labkit's hook: both versions run
        assert set(ran) == {v1, v2}
    finally:
        lam.delete_function(FunctionName=name)
