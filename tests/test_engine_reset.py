"""Each test module starts on an empty embedded engine (tests/_engine_reset.py), so none depends on the order."""
from __future__ import annotations

import json

import labkit
from labkit import hygiene

import _engine_reset


def test_the_reset_fixture_runs_for_every_module(request):
    assert "_fresh_engine_per_module" in request.fixturenames, "add -p _engine_reset to pytest's addopts"


def test_a_reset_empties_moto_and_labkit_state_and_the_engine_keeps_working(engine):
    sqs, lam = labkit.client("sqs"), labkit.client("lambda")
    sqs.create_queue(QueueName=labkit.name("before-reset"))
    labkit.require("sqs")
    assert hygiene._tracked and sqs.list_queues().get("QueueUrls")

    _engine_reset.reset_embedded_engine()

    assert sqs.list_queues().get("QueueUrls", []) == []
    assert hygiene._tracked == set() and hygiene._baseline == {}
    name = labkit.name("after-reset")  # Lambda still runs real code after moto's backends were replaced
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": "def handler(e, c):\n    return e['n'] + 1\n"})})
    assert json.load(lam.invoke(FunctionName=name, Payload=b'{"n": 41}')["Payload"]) == 42
    labkit.cleanup()


def test_only_this_process_embedded_engine_is_reset(monkeypatch):
    from labkit import engines

    class Elsewhere:
        name = "localstack"

    monkeypatch.setattr(engines, "_current", Elsewhere())
    assert _engine_reset.running_embedded_engine() is None
