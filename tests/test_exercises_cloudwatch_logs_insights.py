"""The Logs Insights/EMF lab: labkit's EMF reading follows the specification, and the exercise check passes a
right answer and fails each kind of wrong one with its hint."""
from __future__ import annotations

import json
import time

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import cloudwatch_logs_insights as ex


def document(**changes):
    doc = {"Service": "checkout", "orderId": "o-42", "CheckoutLatency": 250,
           "_aws": {"Timestamp": 1_800_000_000_000, "CloudWatchMetrics": [
               {"Namespace": "DVA/EMF", "Dimensions": [["Service"]],
                "Metrics": [{"Name": "CheckoutLatency", "Unit": "Milliseconds"}]}]}}
    directive = doc["_aws"]["CloudWatchMetrics"][0]
    for key, value in changes.items():
        if key in directive:
            directive[key] = value
        else:
            doc[key] = value
    return json.dumps(doc)


@pytest.fixture
def group(engine):
    logs = labkit.client("logs")
    name = labkit.name("emf-test")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="checkout")

    def send(message):
        logs.put_log_events(logGroupName=name, logStreamName="checkout",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": message}])
        return message
    yield name, send
    logs.delete_log_group(logGroupName=name)


def test_emf_metrics_one_item_per_dimension_set():
    doc = json.loads(document(Dimensions=[["Service"], []]))
    items = ex.emf_metrics(json.dumps(doc))
    assert [i["Dimensions"] for i in items] == [[{"Name": "Service", "Value": "checkout"}], []]
    assert all(i["Value"] == 250 and i["Unit"] == "Milliseconds" for i in items)


def test_emf_metrics_array_values():
    items = ex.emf_metrics(document(CheckoutLatency=[1, 2, 3]))
    assert items[0]["Values"] == [1, 2, 3] and "Value" not in items[0]


@pytest.mark.parametrize("message, why", [
    ("not json", "not JSON"),
    (json.dumps({"CheckoutLatency": 1}), "no _aws"),
    (document(Service=5), "dimension 'Service' has no string value"),
    (document(CheckoutLatency="fast"), "no numeric value"),
    (document(Dimensions=[[["Service"]]]), "not a member name"),
])
def test_emf_metrics_refuses_what_the_specification_refuses(message, why):
    with pytest.raises(ex.EmfError, match=why):
        ex.emf_metrics(message)


def test_right_answer_passes(group):
    name, send = group
    assert ex.checkout_emf(send(document()), name).passed


def test_nothing_fails():
    assert "my_event is still None" in evaluate(ex.checkout_emf, None, "/none").message


def test_plain_json_line_fails(group):
    name, send = group
    verdict = ex.checkout_emf(send(json.dumps({"CheckoutLatency": 250})), name)
    assert not verdict.passed and "no _aws metadata object" in verdict.message


def test_wrong_namespace_fails(group):
    name, send = group
    verdict = ex.checkout_emf(send(document(Namespace="aws-embedded-metrics")), name)
    assert not verdict.passed and "set it to 'DVA/EMF'" in verdict.message


def test_property_instead_of_dimension_fails(group):
    name, send = group
    verdict = ex.checkout_emf(send(document(Dimensions=[])), name)
    assert not verdict.passed and "no dimension Service=checkout" in verdict.message


def test_wrong_unit_fails(group):
    name, send = group
    verdict = ex.checkout_emf(send(document(Metrics=[{"Name": "CheckoutLatency", "Unit": "Seconds"}])), name)
    assert not verdict.passed and "record it in 'Milliseconds'" in verdict.message


def test_line_not_sent_fails(group):
    name, _ = group
    verdict = ex.checkout_emf(document(), name)
    assert not verdict.passed and "has no event with this text" in verdict.message


def test_library_default_dimensions_next_to_service_fail(group):
    """put_dimensions keeps the library's default dimensions: another metric than Service=checkout alone."""
    name, send = group
    doc = json.loads(document(Dimensions=[["LogGroup", "ServiceName", "ServiceType", "Service"]]))
    doc.update({"LogGroup": "Unknown-metrics", "ServiceName": "Unknown", "ServiceType": "Unknown"})
    verdict = ex.checkout_emf(send(json.dumps(doc)), name)
    assert not verdict.passed and "a separate metric" in verdict.message and "set_dimensions" in verdict.message


def test_wrong_value_fails(group):
    name, send = group
    verdict = ex.checkout_emf(send(document(CheckoutLatency=25)), name)
    assert not verdict.passed and "is 25" in verdict.message


def test_missing_order_id_fails(group):
    name, send = group
    doc = json.loads(document())
    del doc["orderId"]
    verdict = ex.checkout_emf(send(json.dumps(doc)), name)
    assert not verdict.passed and "no orderId member" in verdict.message


def test_lost_group_variable_is_a_hint_not_a_broken_check():
    verdict = evaluate(ex.checkout_emf, document(), None)
    assert not verdict.passed and not verdict.broken and "group" in verdict.message
