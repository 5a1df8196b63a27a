"""The cached moto helpers answer exactly as moto's own, and reach the modules that call them."""
from __future__ import annotations

import moto.core.responses as responses
import moto.core.utils as utils

from labkit.emulator import speedups

NAMES = ["theNewAttribute", "MaxNumberOfMessages", "VisibilityTimeout", "", "DBInstanceIdentifier", "SSEKMSKeyId",
         "ReceiveMessageWaitTimeSeconds", "x", "ABC", "listObjectsV2"]


def test_installed_where_moto_calls_them(engine):
    speedups.install()  # a second install changes nothing
    assert utils.camelcase_to_underscores.uncached.__name__ == "camelcase_to_underscores"
    assert not hasattr(utils.camelcase_to_underscores.uncached, "uncached")
    assert responses.method_names_from_class is utils.method_names_from_class
    assert hasattr(responses.method_names_from_class, "uncached")


def test_cached_answers_are_moto_answers(engine):
    convert = utils.camelcase_to_underscores
    for name in NAMES * 2:  # the second pass is answered from the cache
        assert convert(name) == convert.uncached(name)
    assert convert("MaxNumberOfMessages") == "max_number_of_messages"
    assert convert(None) is None


def test_each_caller_gets_its_own_list(engine):
    methods = utils.method_names_from_class(responses.BaseResponse)
    assert methods == utils.method_names_from_class.uncached(responses.BaseResponse)
    methods.clear()
    assert "_dispatch" in utils.method_names_from_class(responses.BaseResponse)


def test_moto_still_recomputes(engine):
    """moto's own helpers and host lookup are uncached; when this fails, moto caches them: drop labkit's cache."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    for name in speedups.NAMES:
        assert not hasattr(getattr(utils, name).uncached, "cache_info"), name
    assert not hasattr(DomainDispatcherApplication.get_backend_for_host, "cache_info")


def test_moto_and_the_engine_share_loaded_service_models(engine):
    speedups.install()
    loader = engine.session()._session.get_component("data_loader")
    assert loader is speedups.shared_loader()
    assert utils.get_service_model("sqs").operation_names  # answered as moto's own
    client_model = engine.client("sqs").meta.service_model._service_description
    assert speedups.load_service_model("sqs", "service-2") is client_model  # one parse, shared


def test_moto_still_makes_a_loader_per_model(engine, monkeypatch):
    """moto's own _load_service_model builds a new loader for each call; when this fails, moto keeps one: drop
    labkit's shared loader."""
    made = []
    original = utils.create_loader
    monkeypatch.setattr(utils, "create_loader", lambda *a, **k: made.append(1) or original(*a, **k))
    speedups.moto_load_service_model("sqs", "service-2")
    speedups.moto_load_service_model("sqs", "service-2")
    assert len(made) == 2
