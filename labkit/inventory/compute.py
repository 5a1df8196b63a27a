"""Kinds of the serverless and compute labs: Step Functions, API Gateway, ECS, Batch, Elastic Beanstalk."""
from __future__ import annotations

from botocore.exceptions import ClientError

from . import kind, pages


# --- Step Functions -------------------------------------------------------------------------------------------
@kind("stepfunctions.state-machine", "stepfunctions", 15,
      lambda sfn, arn: sfn.delete_state_machine(stateMachineArn=arn))
def list_state_machines(sfn):
    return [m["stateMachineArn"] for m in pages(sfn, "list_state_machines", "stateMachines")]


# --- API Gateway ----------------------------------------------------------------------------------------------
@kind("apigateway.usage-plan", "apigateway", 10, lambda apigw, pid: delete_usage_plan(apigw, pid))
def list_usage_plans(apigw):
    return [p["id"] for p in pages(apigw, "get_usage_plans", "items")]


def delete_usage_plan(apigw, plan_id: str) -> None:
    """Detach its keys and stages first: AWS refuses to delete a plan still associated with a stage."""
    for key in pages(apigw, "get_usage_plan_keys", "items", usagePlanId=plan_id):
        apigw.delete_usage_plan_key(usagePlanId=plan_id, keyId=key["id"])
    stages = apigw.get_usage_plan(usagePlanId=plan_id).get("apiStages", [])
    if stages:
        try:
            apigw.update_usage_plan(usagePlanId=plan_id, patchOperations=[
                {"op": "remove", "path": "/apiStages", "value": f"{s['apiId']}:{s['stage']}"} for s in stages])
        except ClientError:  # engines that do not model the association delete the plan anyway
            pass
    apigw.delete_usage_plan(usagePlanId=plan_id)


@kind("apigateway.api-key", "apigateway", 11, lambda apigw, kid: apigw.delete_api_key(apiKey=kid))
def list_api_keys(apigw):
    return [k["id"] for k in pages(apigw, "get_api_keys", "items")]


@kind("apigateway.rest-api", "apigateway", 12, lambda apigw, aid: apigw.delete_rest_api(restApiId=aid))
def list_rest_apis(apigw):
    return [a["id"] for a in pages(apigw, "get_rest_apis", "items")]


# --- ECS --------------------------------------------------------------------------------------------------------
def _clusters(ecs):
    return list(pages(ecs, "list_clusters", "clusterArns"))


def delete_service(ecs, arn: str) -> None:
    cluster = arn.split("/")[-2] if arn.count("/") >= 2 else "default"
    ecs.update_service(cluster=cluster, service=arn, desiredCount=0)
    ecs.delete_service(cluster=cluster, service=arn, force=True)


@kind("ecs.service", "ecs", 2, delete_service)
def list_services(ecs):
    return [s for c in _clusters(ecs) for s in pages(ecs, "list_services", "serviceArns", cluster=c)
            if ecs.describe_services(cluster=c, services=[s])["services"][0].get("status") != "INACTIVE"]


@kind("ecs.task", "ecs", 3, lambda ecs, arn: ecs.stop_task(cluster=arn.split("/")[-2], task=arn, reason="cleanup"))
def list_tasks(ecs):
    return [t for c in _clusters(ecs) for t in pages(ecs, "list_tasks", "taskArns", cluster=c, desiredStatus="RUNNING")]


@kind("ecs.container-instance", "ecs", 4,
      lambda ecs, arn: ecs.deregister_container_instance(cluster=arn.split("/")[-2], containerInstance=arn, force=True))
def list_container_instances(ecs):
    return [i for c in _clusters(ecs) for i in pages(ecs, "list_container_instances", "containerInstanceArns",
                                                      cluster=c)]


@kind("ecs.cluster", "ecs", 5, lambda ecs, arn: ecs.delete_cluster(cluster=arn))
def list_clusters(ecs):
    return [c for c in _clusters(ecs)
            if ecs.describe_clusters(clusters=[c])["clusters"][0].get("status") == "ACTIVE"]


@kind("ecs.task-definition", "ecs", 6, lambda ecs, arn: ecs.deregister_task_definition(taskDefinition=arn))
def list_task_definitions(ecs):
    return list(pages(ecs, "list_task_definitions", "taskDefinitionArns", status="ACTIVE"))


# --- Batch ------------------------------------------------------------------------------------------------------
def delete_job_queue(batch, arn: str) -> None:
    batch.update_job_queue(jobQueue=arn, state="DISABLED")
    batch.delete_job_queue(jobQueue=arn)


def delete_compute_environment(batch, arn: str) -> None:
    batch.update_compute_environment(computeEnvironment=arn, state="DISABLED")
    batch.delete_compute_environment(computeEnvironment=arn)


@kind("batch.job-queue", "batch", 8, delete_job_queue)
def list_job_queues(batch):
    return [q["jobQueueArn"] for q in pages(batch, "describe_job_queues", "jobQueues")]


@kind("batch.compute-environment", "batch", 9, delete_compute_environment)
def list_compute_environments(batch):
    return [c["computeEnvironmentArn"] for c in pages(batch, "describe_compute_environments", "computeEnvironments")]


@kind("batch.job-definition", "batch", 9, lambda batch, arn: batch.deregister_job_definition(jobDefinition=arn))
def list_job_definitions(batch):
    return [d["jobDefinitionArn"] for d in pages(batch, "describe_job_definitions", "jobDefinitions", status="ACTIVE")]


# --- Elastic Beanstalk --------------------------------------------------------------------------------------------
@kind("elasticbeanstalk.application", "elasticbeanstalk", 20,
      lambda eb, name: eb.delete_application(ApplicationName=name, TerminateEnvByForce=True))
def list_applications(eb):
    return [a["ApplicationName"] for a in eb.describe_applications().get("Applications", [])]


# --- ECR --------------------------------------------------------------------------------------------------------
@kind("ecr.repository", "ecr", 6, lambda ecr, name: ecr.delete_repository(repositoryName=name, force=True))
def list_repositories(ecr):
    return [r["repositoryName"] for r in pages(ecr, "describe_repositories", "repositories")]
