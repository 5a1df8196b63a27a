"""Cleanup never reads "could not list" as "nothing left": a kind whose list call is refused is named in the report.

A kind that listed at ``require`` and is refused at cleanup (an AWS account's policy, an engine answering one call
and not another) is reported with the engine's error code; ``leftovers()`` raises rather than answer ``{}`` for it.
A kind already refused at ``require`` is reported where a refusal is no engine gap (labkit's own emulator, real
AWS), not on LocalStack or MiniStack (labkit.hygiene.track says why).
"""
from __future__ import annotations

import dataclasses

import pytest
from botocore.exceptions import ClientError

import labkit
from labkit import hygiene, inventory, tagging

NOTHING_LEFT = "left nothing behind"


@pytest.fixture(autouse=True)
def fresh_tracking(monkeypatch):
    """Each test tracks from its own ``require`` (the engine is reset per module, tracking once per process)."""
    monkeypatch.setattr(hygiene, "_baseline", {})
    monkeypatch.setattr(hygiene, "_tracked", set())


def refuse_listing(monkeypatch, name: str = "sqs.queue") -> None:
    """From now on the engine refuses the list call of the real kind ``name`` (AccessDeniedException)."""
    def refuse(client):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not today"}}, "ListQueues")

    inventory.load_all()
    monkeypatch.setitem(inventory.KINDS, name, dataclasses.replace(inventory.KINDS[name], list=refuse))


def test_a_kind_refused_after_require_is_named_and_nothing_left_is_not_claimed(engine, monkeypatch):
    sqs = labkit.client("sqs")
    labkit.require("sqs")
    queue = sqs.create_queue(QueueName=labkit.name("unlisted"))["QueueUrl"]
    try:
        refuse_listing(monkeypatch)
        report = labkit.cleanup()
        assert report.unlisted == [("sqs.queue", "AccessDeniedException")]
        assert report.deleted == [] and report.failed == []
        shown = report._repr_html_()
        assert NOTHING_LEFT not in shown
        assert "could not list sqs.queue (AccessDeniedException)" in shown
        assert "⚠ could not list sqs.queue (AccessDeniedException)" in repr(report)
        with pytest.raises(inventory.ListingFailed, match=r"could not list sqs\.queue \(AccessDeniedException\)"):
            labkit.leftovers()
    finally:
        sqs.delete_queue(QueueUrl=queue)


def test_the_refused_kind_is_named_beside_what_was_deleted(engine, monkeypatch):
    labkit.require("sqs", "sns")
    topic = labkit.client("sns").create_topic(Name=labkit.name("unlisted"))["TopicArn"]
    refuse_listing(monkeypatch)
    report = labkit.cleanup()
    assert ("sns.topic", topic) in report.deleted
    assert report.unlisted == [("sqs.queue", "AccessDeniedException")]
    assert "could not list sqs.queue" in report._repr_html_()


def test_a_cleanup_that_could_list_everything_says_nothing_was_left(engine):
    labkit.require("sqs")
    report = labkit.cleanup()
    assert report.unlisted == []
    assert NOTHING_LEFT in report._repr_html_() and repr(report) == "nothing to clean up"
    assert labkit.leftovers() == {}


@pytest.mark.parametrize("name", ["embedded", "shared", "browser"])
def test_a_kind_refused_at_require_is_reported_on_labkits_own_emulator(engine, monkeypatch, name):
    """There every kind lists (tests/test_hygiene.py): a refusal is labkit's defect."""
    monkeypatch.setattr(engine, "name", name)
    refuse_listing(monkeypatch)
    hygiene.track(["sqs"])
    report = labkit.cleanup()
    assert report.unlisted == [("sqs.queue", "AccessDeniedException")]
    assert NOTHING_LEFT not in report._repr_html_()


@pytest.mark.parametrize("name", ["localstack", "ministack"])
def test_a_kind_refused_at_require_is_not_reported_on_an_engine_that_lacks_it(engine, monkeypatch, name):
    """LocalStack or MiniStack without that list operation: the same refusal at every call, not the lab's."""
    monkeypatch.setattr(engine, "name", name)
    refuse_listing(monkeypatch)
    hygiene.track(["sqs"])
    report = labkit.cleanup()
    assert report.unlisted == []
    assert NOTHING_LEFT in report._repr_html_()


def test_the_real_aws_path_records_a_kind_the_account_refuses_to_list(engine, monkeypatch):
    """labkit.tagging.run_resources, which cleanup uses on real AWS, asked here of the embedded engine."""
    refuse_listing(monkeypatch)
    refused = {}
    found = tagging.run_resources(engine, inventory.kinds_for(["sqs"]), lambda k: [], refused=refused)
    assert refused == {"sqs.queue": "AccessDeniedException"}
    assert "sqs.queue" not in found


def test_on_real_aws_an_untagged_kind_refused_at_require_is_reported(engine, monkeypatch):
    """Kinds that carry no tag labkit reads count only when new since ``require``: without that record, say so
    (an account's policy may deny listing a kind and allow creating it), even when it lists at cleanup. Engine
    name set to "aws" on the embedded engine, as tests/test_hygiene.py does for "browser"."""
    real = inventory.KINDS["ecr.repository"]
    refuse_listing(monkeypatch, "ecr.repository")
    monkeypatch.setattr(engine, "name", "aws")
    hygiene.track(["ecr"])
    monkeypatch.setitem(inventory.KINDS, "ecr.repository", real)  # lists again
    report = hygiene.cleanup()
    assert ("ecr.repository", hygiene.REFUSED_AT_REQUIRE) in report.unlisted
    assert NOTHING_LEFT not in report._repr_html_()


def test_the_leftover_check_of_a_lab_run_names_a_kind_that_listed_before_and_not_after(engine, monkeypatch):
    """tests/labnb.py: snapshot_all before the lab, added_since after it. On LocalStack or MiniStack (not strict: a
    service the engine lacks is left out) a kind that listed before and is refused after is not "nothing added"."""
    monkeypatch.setattr(engine, "name", "localstack")
    monkeypatch.setattr(inventory, "kinds_in_use", lambda engine: inventory.kinds_for(["sqs"]))
    before = hygiene.snapshot_all()
    assert "sqs.queue" in before
    assert hygiene.added_since(before) == {}
    refuse_listing(monkeypatch)
    with pytest.raises(inventory.ListingFailed, match=r"could not list sqs\.queue \(AccessDeniedException\)"):
        hygiene.added_since(before)
    del before["sqs.queue"]  # refused before the lab too: a service the engine lacks, left out as before
    assert hygiene.added_since(before) == {}
