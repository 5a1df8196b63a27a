"""One cheap read-only call per service: does the engine really answer for it?"""
from __future__ import annotations

from datetime import datetime

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

PROBE_CONFIG = Config(retries={"max_attempts": 1}, connect_timeout=3, read_timeout=20)

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
    "codebuild": ("list_projects", {}), "ecr": ("describe_repositories", {}),
    "logs": ("describe_log_groups", {}), "cloudwatch": ("describe_alarms", {}), "events": ("list_rules", {}),
    "xray": ("get_trace_summaries", {"StartTime": datetime(2026, 1, 1), "EndTime": datetime(2026, 1, 2)}), "datapipeline": ("list_pipelines", {}),
    "quicksight": ("list_users", {"AwsAccountId": "123456789012", "Namespace": "default"}),
    "appsync": ("list_graphql_apis", {}), "appconfig": ("list_applications", {}),
}


def probe(engine, service: str) -> str | None:
    """None when the service answers its probe call; otherwise what went wrong, in a few words."""
    operation, kwargs = PROBES.get(service, (None, None))
    if operation is None:
        return None
    try:
        getattr(engine.client(service, config=PROBE_CONFIG), operation)(**kwargs)
    except ClientError as exc:
        error = exc.response["Error"]
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400) >= 500:
            return f"answers with an error: {error.get('Code')}"
        return None  # a 4xx answer still proves the service is there
    except BotoCoreError as exc:
        return f"no answer: {exc}"
    return None
