"""labkit.emulator.notices: one 'Differs from AWS' line per kernel per difference, at the moment a lab meets it."""
from __future__ import annotations

import json
import pathlib
import re
import warnings

import pytest

import labkit
from labkit.emulator import notices, registry

ROOT = pathlib.Path(__file__).resolve().parent.parent
KNOWN = {d.id for d in registry.differences()}


@pytest.fixture()
def shown(monkeypatch):
    """The difference ids the engine's triggers ask to show during the test (nothing is displayed)."""
    seen = []
    monkeypatch.setattr(notices, "notice", seen.append)
    return seen


def test_a_notice_is_shown_once_per_process_as_a_warning_outside_ipython():
    notices.reset()
    difference = notices.lookup("codedeploy-deployments-not-run")
    with pytest.warns(notices.AwsDifferenceWarning) as caught:
        assert notices.notice(difference.id) is True
    (warning,) = caught
    assert str(warning.message) == notices.text(difference)
    assert difference.aws in str(warning.message) and f"“{difference.doc}”" in str(warning.message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert notices.notice(difference.id) is False  # no second warning
    notices.reset()


def test_an_unknown_difference_is_a_clear_error():
    with pytest.raises(KeyError, match="no Difference with id 'no-such-difference'"):
        notices.notice("no-such-difference")


LOOKUP_PROBE = """
import json, sys
import labkit
labkit.engine()
import labkit.emulator.dynamodb
from labkit.emulator import notices
emulator = lambda: {m for m in sys.modules if m.startswith("labkit.emulator.")}
before = emulator()
found = notices.lookup("dynamodb-global-table-no-replica")
loaded = sorted(emulator() - before)
try:
    notices.lookup("no-such-difference")
except KeyError as error:
    unknown = str(error)
print(json.dumps({"id": found.id, "loaded": loaded, "unknown": unknown}))
"""


def test_a_notice_loads_no_other_emulator_module():
    """A difference declared in a module already imported is found there: a lab's notice does not import the
    emulator's other modules (the dynamodb lab's kernel imported 60-odd of them for its replica notice)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LOOKUP_PROBE], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["id"] == "dynamodb-global-table-no-replica" and result["loaded"] == []
    assert "no Difference with id 'no-such-difference'" in result["unknown"]  # after looking in every module


def test_every_notice_labkit_can_show_is_a_registered_difference():
    triggers = [t for module in registry.modules() for t in getattr(module, "TRIGGERS", [])]
    assert len(triggers) > 20
    assert {t.difference for t in triggers} <= KNOWN
    calls = {m for path in (ROOT / "labkit").rglob("*.py")
             for m in re.findall(r"""\bnotice\(\s*["']([^"']+)["']""", path.read_text(encoding="utf-8"))}
    assert calls and calls <= KNOWN, calls - KNOWN


def test_in_a_notebook_the_notice_is_a_note_in_the_cell_output():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import threading\nfrom labkit.emulator.notices import notice\n"
        "t = threading.Thread(target=notice, args=('kms-key-state-not-enforced',)); t.start(); t.join()"),
        nbformat.v4.new_code_cell("notice('kms-key-state-not-enforced')")]
    NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    first, second = nb.cells
    (output,) = first.outputs  # shown from another thread (the engine's), it still lands in the running cell
    assert output.output_type == "display_data"
    assert 'class="labkit-notice" data-difference="kms-key-state-not-enforced"' in output.data["text/html"]
    assert output.data["text/plain"].startswith("Differs from AWS — on AWS: ")
    assert [o.get("data", {}).get("text/plain") for o in second.outputs] == ["False"]  # once per kernel


def test_a_lab_call_shows_its_notice_when_it_meets_the_difference(engine, shown):
    cw = labkit.client("cloudwatch")
    alarm = labkit.name("notice-alarm")
    cw.put_metric_alarm(AlarmName=alarm, MetricName="Errors", Namespace="DVA/Test", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    cw.delete_alarms(AlarmNames=[alarm])
    assert shown == ["cloudwatch-alarms-not-evaluated"]


def test_a_condition_decides_whether_the_notice_is_due(engine, shown):
    s3 = labkit.client("s3")
    bucket = labkit.name("notice-bucket")
    s3.create_bucket(Bucket=bucket)
    try:
        rule = {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "logs/"}}
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {**rule, "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}]})
        assert shown == ["s3-lifecycle-not-applied"]
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {**rule, "Transitions": [{"Days": 7, "StorageClass": "ONEZONE_IA"}]}]})
        assert sorted(shown[1:]) == ["s3-lifecycle-minimum-days-not-checked", "s3-lifecycle-not-applied"]
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/x"}]}))
        assert len(shown) == 3  # no Condition in the policy: nothing to say
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
        s3.delete_bucket_lifecycle(Bucket=bucket)
        s3.delete_bucket(Bucket=bucket)


def test_a_failing_condition_never_breaks_the_request(engine, shown, monkeypatch):
    from moto.kms.responses import KmsResponse

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a notice's condition")

    monkeypatch.setattr(KmsResponse, "list_keys", KmsResponse.list_keys)  # undone after the test
    notices.install_triggers([notices.Trigger("moto.kms.responses.KmsResponse.list_keys",
                                              "kms-key-state-not-enforced", when=broken)])
    assert "Keys" in labkit.client("kms").list_keys()
    assert shown == []


def test_a_cname_at_the_zone_apex_shows_its_notice(engine, shown):
    r53 = labkit.client("route53")
    domain = f"{labkit.name('apex')}.example.com"
    zone = r53.create_hosted_zone(Name=domain, CallerReference=labkit.name("ref"))["HostedZone"]["Id"]

    def change(action, name, kind="CNAME"):
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": action,
            "ResourceRecordSet": {"Name": name, "Type": kind, "TTL": 60,
                                  "ResourceRecords": [{"Value": "target.example.net"}]}}]})

    try:
        change("CREATE", f"www.{domain}")
        assert shown == []  # a CNAME below the apex is fine on AWS too
        change("CREATE", domain)
        assert shown == ["route53-cname-at-apex-accepted"]
    finally:
        for name in (f"www.{domain}", domain):
            try:
                change("DELETE", name)
            except Exception:  # noqa: BLE001 - the engine may have refused one of them
                pass
        r53.delete_hosted_zone(Id=zone)


def test_peering_overlapping_vpcs_shows_its_notice(engine, shown):
    ec2 = labkit.client("ec2")
    a, b, c = (ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"] for cidr in ("10.61.0.0/16", "10.62.0.0/16",
                                                                         "10.61.128.0/20"))
    peerings = []
    try:
        peerings.append(ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"])
        assert shown == []
        peerings.append(ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=c)["VpcPeeringConnection"])
        assert shown == ["vpc-peering-overlap-accepted"]
    finally:
        for peering in peerings:
            ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=peering["VpcPeeringConnectionId"])
        for vpc in (a, b, c):
            ec2.delete_vpc(VpcId=vpc)


def test_a_notice_about_an_answer_waits_for_the_answer(engine, shown):
    import time
    import uuid
    from datetime import datetime

    xray = labkit.client("xray")
    xray.get_trace_summaries(StartTime=datetime(2020, 1, 1), EndTime=datetime(2020, 1, 2))  # no summary in it
    assert "xray-trace-summaries-partial" not in shown
    now = time.time()
    trace = f"1-{int(now):08x}-{uuid.uuid4().hex[:24]}"
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps({
        "name": "orders", "id": uuid.uuid4().hex[:16], "trace_id": trace, "start_time": now - 1, "end_time": now})])
    xray.get_trace_summaries(StartTime=now - 60, EndTime=now + 60)
    assert shown == ["xray-trace-summaries-partial"]


def test_a_request_collects_its_notices_but_not_those_of_threads_it_starts():
    import threading

    notices.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", notices.AwsDifferenceWarning)
        with notices.collected() as ids:
            notices.notice("kms-key-state-not-enforced")
            notices.notice("kms-key-state-not-enforced")  # shown already in this process: still this request's
            poller = threading.Thread(target=notices.notice, args=("codedeploy-deployments-not-run",))
            poller.start()
            poller.join()
        notices.notice("cloudwatch-alarms-not-evaluated")  # outside any request
    assert ids == ["kms-key-state-not-enforced"]
    notices.reset()


def test_a_difference_named_by_a_newer_server_is_one_plain_line():
    notices.reset()
    assert notices.ids_in_header(" kms-key-state-not-enforced,from-a-newer-server,<b>x</b>,") == [
        "kms-key-state-not-enforced", "from-a-newer-server"]
    with pytest.warns(notices.AwsDifferenceWarning) as caught:
        assert notices.notice_from_server("from-a-newer-server") is True
    (warning,) = caught
    assert "“from-a-newer-server”" in str(warning.message) and "\n" not in str(warning.message)
    assert notices.notice_from_server("from-a-newer-server") is False  # once per kernel, like any notice
    notices.reset()
