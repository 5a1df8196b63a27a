"""The Route 53 lab's exercise check: a right answer passes, wrong answers fail with the right hint."""
from __future__ import annotations

import uuid

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import route53 as ex
from labkit.inventory import network

GREEN, BLUE = "192.0.2.77", "192.0.2.66"


@pytest.fixture
def zone(engine):
    route53 = labkit.client("route53")
    zone_id = route53.create_hosted_zone(Name="exercise-test.example.com",
                                         CallerReference=str(uuid.uuid4()))["HostedZone"]["Id"].split("/")[-1]
    yield route53, zone_id
    network.delete_hosted_zone(route53, zone_id)


def weighted(route53, zone_id, weights):
    changes = [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "checkout.exercise-test.example.com", "Type": "A", "TTL": 60, "SetIdentifier": f"set-{i}",
        **({"Weight": w} if w is not None else {}), "ResourceRecords": [{"Value": ip}]}}
        for i, (ip, w) in enumerate(weights)]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


def test_right_answer_passes(zone):
    weighted(*zone, [(BLUE, 3), (GREEN, 1)])
    assert ex.weighted_split(zone[1], "checkout.exercise-test.example.com", GREEN).passed


def test_wrong_share_fails(zone):
    weighted(*zone, [(BLUE, 75), (GREEN, 20)])
    verdict = ex.weighted_split(zone[1], "checkout.exercise-test.example.com", GREEN)
    assert not verdict.passed and "gets 20/95" in verdict.message


def test_single_record_fails(zone):
    weighted(*zone, [(GREEN, 25)])
    verdict = ex.weighted_split(zone[1], "checkout.exercise-test.example.com", GREEN)
    assert not verdict.passed and "only one weighted record" in verdict.message


def test_missing_record_fails(zone):
    verdict = ex.weighted_split(zone[1], "checkout.exercise-test.example.com", GREEN)
    assert not verdict.passed and "no A record named" in verdict.message


def test_no_zone_fails():
    assert "my_zone is still None" in evaluate(ex.weighted_split, None, "x.example.com", GREEN).message
