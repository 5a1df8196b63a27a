"""Kinds of the services most labs touch: S3, Lambda, CloudWatch Logs, IAM, SQS, SNS, DynamoDB."""
from __future__ import annotations

from . import kind, pages


def delete_bucket(s3, bucket: str) -> None:
    """Empty the bucket (every version and delete marker), then delete it."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                  for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if doomed:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)


@kind("s3.bucket", "s3", 60, delete_bucket)
def list_buckets(s3):
    return [b["Name"] for b in s3.list_buckets().get("Buckets", [])]


@kind("lambda.event-source-mapping", "lambda", 20,
      lambda client, uuid: client.delete_event_source_mapping(UUID=uuid))
def list_mappings(client):
    return [m["UUID"] for m in pages(client, "list_event_source_mappings", "EventSourceMappings")]


@kind("lambda.function", "lambda", 30, lambda client, name: client.delete_function(FunctionName=name))
def list_functions(client):
    return [f["FunctionName"] for f in pages(client, "list_functions", "Functions")]


def delete_layer(client, arn: str) -> None:
    name, version = arn.split(":")[-2:]
    client.delete_layer_version(LayerName=name, VersionNumber=int(version))


@kind("lambda.layer-version", "lambda", 31, delete_layer)
def list_layer_versions(client):
    return [v["LayerVersionArn"] for layer in pages(client, "list_layers", "Layers")
            for v in pages(client, "list_layer_versions", "LayerVersions", LayerName=layer["LayerName"])]


@kind("logs.log-group", "logs", 90, lambda client, name: client.delete_log_group(logGroupName=name))
def list_log_groups(client):
    return [g["logGroupName"] for g in pages(client, "describe_log_groups", "logGroups")]


@kind("sqs.queue", "sqs", 50, lambda client, url: client.delete_queue(QueueUrl=url))
def list_queues(client):
    return client.list_queues().get("QueueUrls", [])


@kind("sns.topic", "sns", 40, lambda client, arn: client.delete_topic(TopicArn=arn))
def list_topics(client):
    return [t["TopicArn"] for t in pages(client, "list_topics", "Topics")]


@kind("dynamodb.table", "dynamodb", 60, lambda client, name: client.delete_table(TableName=name))
def list_tables(client):
    return list(pages(client, "list_tables", "TableNames"))
