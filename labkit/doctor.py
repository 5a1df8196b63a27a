"""``python -m labkit doctor``: which engine, where, which versions, which services answer."""
from __future__ import annotations

import importlib.metadata
import time
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from .engines import current
from .errors import LabkitError

# One cheap read-only call per service the course uses.
PROBES = {
    "s3": ("list_buckets", {}), "dynamodb": ("list_tables", {}), "lambda": ("list_functions", {}),
    "sqs": ("list_queues", {}), "sns": ("list_topics", {}), "kinesis": ("list_streams", {}),
    "firehose": ("list_delivery_streams", {}), "iam": ("list_users", {}), "sts": ("get_caller_identity", {}),
    "kms": ("list_keys", {}), "ssm": ("describe_parameters", {}), "secretsmanager": ("list_secrets", {}),
    "cognito-idp": ("list_user_pools", {"MaxResults": 1}),
    "cognito-identity": ("list_identity_pools", {"MaxResults": 1}),
    "stepfunctions": ("list_state_machines", {}), "apigateway": ("get_rest_apis", {}),
    "cloudformation": ("list_stacks", {}), "ec2": ("describe_vpcs", {}), "route53": ("list_hosted_zones", {}),
    "rds": ("describe_db_instances", {}), "efs": ("describe_file_systems", {}), "ecs": ("list_clusters", {}),
    "batch": ("describe_job_queues", {}), "elasticbeanstalk": ("describe_applications", {}),
    "codedeploy": ("list_applications", {}), "codepipeline": ("list_pipelines", {}),
    "logs": ("describe_log_groups", {}), "cloudwatch": ("describe_alarms", {}), "events": ("list_rules", {}),
    "xray": ("get_trace_summaries", {"StartTime": datetime(2026, 1, 1), "EndTime": datetime(2026, 1, 2)}), "datapipeline": ("list_pipelines", {}),
    "quicksight": ("list_users", {"AwsAccountId": "123456789012", "Namespace": "default"}),
}
PACKAGES = ("labkit", "boto3", "moto", "localstack-client", "ipywidgets")


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def probe(engine, service: str) -> str:
    operation, kwargs = PROBES[service]
    began = time.perf_counter()
    try:
        getattr(engine.client(service), operation)(**kwargs)
    except ClientError as exc:
        return f"answers with an error: {exc.response['Error'].get('Code')}"
    except BotoCoreError as exc:
        return f"no answer: {exc}"
    return f"ok ({(time.perf_counter() - began) * 1000:.0f} ms)"


def report() -> list[str]:
    """The doctor's findings as lines of text (raises LabkitError when no engine is usable)."""
    engine = current()
    lines = [f"{key}: {value}" for key, value in engine.describe().items()]
    lines += [f"{package}: {version(package)}" for package in PACKAGES]
    missing = engine.unavailable(list(PROBES))
    for service in PROBES:
        lines.append(f"  {service:17} {missing.get(service) or probe(engine, service)}")
    return lines


def main() -> int:
    try:
        print("\n".join(report()))
    except LabkitError as exc:
        print(f"labkit: {exc}")
        return 1
    return 0
