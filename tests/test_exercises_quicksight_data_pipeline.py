"""The QuickSight / Data Pipeline lab's exercise check: a right answer passes, wrong answers fail with hints."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import quicksight_data_pipeline as ex


def obj(oid, **fields):
    return {"id": oid, "name": oid, "fields": [
        {"key": k, "refValue": v[1:]} if isinstance(v, str) and v.startswith("&") else {"key": k, "stringValue": v}
        for k, v in fields.items()]}


def definition(period="1 day", output_path="s3://out/#{format(@scheduledStartTime,'YYYY-MM-dd')}/",
               output_ref="&Out"):
    return [obj("Default", scheduleType="cron", schedule="&Daily"),
            obj("Daily", type="Schedule", period=period, startDateTime="2026-01-01T00:00:00"),
            obj("In", type="S3DataNode", directoryPath="s3://in/"),
            obj("Out", type="S3DataNode", directoryPath=output_path),
            obj("Copy", type="CopyActivity", input="&In", output=output_ref, runsOn="&Ec2")]


@pytest.fixture
def pipeline(engine):
    dp = labkit.client("datapipeline")
    made = []

    def make(objects):
        pid = dp.create_pipeline(name=labkit.name("dp-test"), uniqueId=labkit.name("u"))["pipelineId"]
        made.append(pid)
        dp.put_pipeline_definition(pipelineId=pid, pipelineObjects=objects)
        return pid
    yield make
    for pid in made:
        dp.delete_pipeline(pipelineId=pid)


def test_right_answer_passes(pipeline):
    assert ex.daily_copy(pipeline(definition())).passed


def test_fixed_output_path_fails(pipeline):
    verdict = ex.daily_copy(pipeline(definition(output_path="s3://out/latest/")))
    assert not verdict.passed and "overwrite the same place" in verdict.message


def test_hourly_fails(pipeline):
    verdict = ex.daily_copy(pipeline(definition(period="1 hour")))
    assert not verdict.passed and "needs period '1 day'" in verdict.message


def test_same_node_fails(pipeline):
    verdict = ex.daily_copy(pipeline(definition(output_ref="&In")))
    assert not verdict.passed and "the same data node" in verdict.message


def test_no_activity_fails(pipeline):
    verdict = ex.daily_copy(pipeline(definition()[:4]))
    assert not verdict.passed and "no object of type CopyActivity" in verdict.message


def test_nothing_fails():
    assert "my_pipeline_id is still None" in evaluate(ex.daily_copy, None).message


def test_a_name_instead_of_the_id_is_a_hint():
    verdict = evaluate(ex.daily_copy, "exports")
    assert verdict.kind == "failed" and "not a pipeline ID" in verdict.message
