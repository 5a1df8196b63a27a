"""Deployment and observability kinds: CloudFormation stacks and StackSets, CodeDeploy, CodePipeline,
CloudWatch alarms and dashboards, EventBridge rules, QuickSight, Data Pipeline.

X-Ray groups and sampling rules are not listed: moto 5.2.5 has no X-Ray group or sampling-rule operations.
QuickSight datasets and dashboards are not listed: moto can create them but has no list or delete for them.
"""
from __future__ import annotations

from ..engines import current
from . import kind, pages
from .network import unused_on_embedded


# --- CloudFormation: stack sets (their instances first), then stacks ---------------------------------

def delete_stack_set(cfn, name: str) -> None:
    instances = list(pages(cfn, "list_stack_instances", "Summaries", StackSetName=name))
    if instances:
        cfn.delete_stack_instances(StackSetName=name, Accounts=sorted({i["Account"] for i in instances}),
                                   Regions=sorted({i["Region"] for i in instances}), RetainStacks=False)
    cfn.delete_stack_set(StackSetName=name)


@kind("cloudformation.stack-set", "cloudformation", 0, delete_stack_set)
@unused_on_embedded("moto.cloudformation.models", "cloudformation_backends")
def list_stack_sets(cfn):
    return [s["StackSetName"] for s in pages(cfn, "list_stack_sets", "Summaries", Status="ACTIVE")
            if s.get("Status") != "DELETED"]  # moto ignores the Status filter


@kind("cloudformation.stack", "cloudformation", 1, lambda cfn, name: cfn.delete_stack(StackName=name))
@unused_on_embedded("moto.cloudformation.models", "cloudformation_backends")
def list_stacks(cfn):
    return [s["StackName"] for s in pages(cfn, "list_stacks", "StackSummaries")
            if s["StackStatus"] != "DELETE_COMPLETE"]


# --- CodeDeploy and CodePipeline ---------------------------------------------------------------------

@kind("codedeploy.application", "codedeploy", 25,
      lambda cd, name: cd.delete_application(applicationName=name))
@unused_on_embedded("moto.codedeploy.models", "codedeploy_backends")
def list_codedeploy_applications(cd):
    return list(pages(cd, "list_applications", "applications"))


@kind("codepipeline.pipeline", "codepipeline", 24, lambda cp, name: cp.delete_pipeline(name=name))
@unused_on_embedded("moto.codepipeline.models", "codepipeline_backends")
def list_pipelines(cp):
    return [p["name"] for p in cp.list_pipelines().get("pipelines", [])]


@kind("codebuild.project", "codebuild", 24, lambda cb, name: cb.delete_project(name=name))
@unused_on_embedded("moto.codebuild.models", "codebuild_backends")
def list_codebuild_projects(cb):
    return list(pages(cb, "list_projects", "projects"))


# --- CloudWatch and EventBridge ----------------------------------------------------------------------

@kind("cloudwatch.alarm", "cloudwatch", 8, lambda cw, name: cw.delete_alarms(AlarmNames=[name]))
@unused_on_embedded("moto.cloudwatch.models", "cloudwatch_backends")
def list_alarms(cw):
    answer = cw.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    return [a["AlarmName"] for a in answer.get("MetricAlarms", []) + answer.get("CompositeAlarms", [])]


@kind("cloudwatch.dashboard", "cloudwatch", 8, lambda cw, name: cw.delete_dashboards(DashboardNames=[name]))
@unused_on_embedded("moto.cloudwatch.models", "cloudwatch_backends")
def list_dashboards(cw):
    return [d["DashboardName"] for d in cw.list_dashboards().get("DashboardEntries", [])]


@kind("xray.sampling-rule", "xray", 8, lambda xray, name: xray.delete_sampling_rule(RuleName=name))
@unused_on_embedded("moto.xray.models", "xray_backends")
def list_sampling_rules(xray):
    """The account's X-Ray sampling rules but Default, which every account has ("GetSamplingRules")."""
    return [r["SamplingRule"]["RuleName"] for r in pages(xray, "get_sampling_rules", "SamplingRuleRecords")
            if r["SamplingRule"]["RuleName"] != "Default"]


def delete_rule(events, name: str) -> None:
    targets = [t["Id"] for t in events.list_targets_by_rule(Rule=name).get("Targets", [])]
    if targets:
        events.remove_targets(Rule=name, Ids=targets)
    events.delete_rule(Name=name)


@kind("events.rule", "events", 7, delete_rule)
@unused_on_embedded("moto.events.models", "events_backends")
def list_rules(events):
    return [r["Name"] for r in events.list_rules().get("Rules", [])]


def delete_event_bus(events, name: str) -> None:
    """A custom event bus, after its rules (and their targets): "DeleteEventBus" wants the rules deleted first."""
    for rule in events.list_rules(EventBusName=name).get("Rules", []):
        targets = [t["Id"] for t in events.list_targets_by_rule(Rule=rule["Name"], EventBusName=name).get("Targets", [])]
        if targets:
            events.remove_targets(Rule=rule["Name"], EventBusName=name, Ids=targets)
        events.delete_rule(Name=rule["Name"], EventBusName=name)
    events.delete_event_bus(Name=name)


@kind("events.event-bus", "events", 6, delete_event_bus)
@unused_on_embedded("moto.events.models", "events_backends")
def list_event_buses(events):
    return [b["Name"] for b in events.list_event_buses().get("EventBuses", []) if b["Name"] != "default"]


@kind("events.archive", "events", 5, lambda events, name: events.delete_archive(ArchiveName=name))
@unused_on_embedded("moto.events.models", "events_backends")
def list_archives(events):
    return [a["ArchiveName"] for a in events.list_archives().get("Archives", [])]


# --- QuickSight and Data Pipeline --------------------------------------------------------------------

def account() -> str:
    return current().account_id or "123456789012"


@kind("quicksight.user", "quicksight", 40,
      lambda qs, name: qs.delete_user(AwsAccountId=account(), Namespace="default", UserName=name))
@unused_on_embedded("moto.quicksight.models", "quicksight_backends")
def list_quicksight_users(qs):
    return [u["UserName"] for u in qs.list_users(AwsAccountId=account(), Namespace="default").get("UserList", [])]


@kind("quicksight.group", "quicksight", 41,
      lambda qs, name: qs.delete_group(AwsAccountId=account(), Namespace="default", GroupName=name))
@unused_on_embedded("moto.quicksight.models", "quicksight_backends")
def list_quicksight_groups(qs):
    return [g["GroupName"] for g in qs.list_groups(AwsAccountId=account(), Namespace="default").get("GroupList", [])]


@kind("quicksight.data-source", "quicksight", 42,
      lambda qs, sid: qs.delete_data_source(AwsAccountId=account(), DataSourceId=sid))
@unused_on_embedded("moto.quicksight.models", "quicksight_backends")
def list_quicksight_data_sources(qs):
    return [d["DataSourceId"] for d in qs.list_data_sources(AwsAccountId=account()).get("DataSources", [])]


@kind("datapipeline.pipeline", "datapipeline", 45, lambda dp, pid: dp.delete_pipeline(pipelineId=pid))
@unused_on_embedded("moto.datapipeline.models", "datapipeline_backends")
def list_data_pipelines(dp):
    return [p["id"] for p in pages(dp, "list_pipelines", "pipelineIdList")]
