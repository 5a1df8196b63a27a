"""Checks for labs/cloudwatch."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def error_alarm(alarm_name: str, topic_arn: str, namespace: str = "DVA/Lab", metric: str = "Errors") -> Verdict:
    """An alarm on ``namespace``/``metric``: Sum over 60 s, >= 5, 2 datapoints out of 3, missing data not
    breaching, notifying ``topic_arn`` when it goes to ALARM."""
    expect(alarm_name, "my_alarm", str, "the name of the alarm you created with put_metric_alarm")
    alarms = current().client("cloudwatch").describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    if not alarms:
        return failed(f"There is no metric alarm named {alarm_name}: create it with put_metric_alarm.")
    a = alarms[0]
    if (a.get("Namespace"), a.get("MetricName")) != (namespace, metric):
        return failed(f"The alarm watches {a.get('Namespace')}/{a.get('MetricName')}; it should watch "
                      f"{namespace}/{metric}, the metric the log filter feeds.")
    if a.get("Statistic") != "Sum" or a.get("Period") != 60:
        return failed(f"It uses {a.get('Statistic')} over {a.get('Period')} s. Count errors per minute: "
                      "Statistic='Sum', Period=60 (an Average of 1s is always 1).")
    if a.get("ComparisonOperator") != "GreaterThanOrEqualToThreshold" or a.get("Threshold") != 5:
        return failed(f"The condition is {a.get('ComparisonOperator')} {a.get('Threshold')}; '5 or more' is "
                      "ComparisonOperator='GreaterThanOrEqualToThreshold' with Threshold=5.")
    if a.get("EvaluationPeriods") != 3 or a.get("DatapointsToAlarm") != 2:
        return failed(f"It alarms on {a.get('DatapointsToAlarm', a.get('EvaluationPeriods'))} of "
                      f"{a.get('EvaluationPeriods')} datapoints; '2 out of 3 minutes' is EvaluationPeriods=3 and "
                      "DatapointsToAlarm=2.")
    if a.get("TreatMissingData") != "notBreaching":
        return failed(f"TreatMissingData is {a.get('TreatMissingData', 'missing (the default)')}: a minute with "
                      "no errors sends no datapoint, so treat missing data as notBreaching.")
    if topic_arn not in a.get("AlarmActions", []):
        return failed("The alarm has no AlarmActions with the SNS topic: nobody would be told.")
    return passed("2 minutes out of 3 with 5+ errors will page the topic; quiet minutes count as good.")
