"""The browser engine's behaviour, exercised on CPython in a process of its own (tests/test_browser_engine.py).

Its patches (in-process Lambda pool, synchronous Step Functions, cooperative pollers) are process-wide, so they
never run inside a pytest worker that other modules share. Prints one JSON document of observations.
"""
import json
import os
import threading
import time
import urllib.error
import urllib.request

import requests

os.environ["LABKIT_ENGINE"] = "browser"
import warnings  # noqa: E402

warnings.simplefilter("ignore")
import labkit  # noqa: E402

seen = {}
os.environ["MOTO_PORT"] = "5999"  # set before the engine starts: stop() gives it back
engine = labkit.engine()
seen["engine"] = engine.name
seen["moto_port"] = [os.environ.get("MOTO_PORT")]
seen["unavailable"] = engine.unavailable(["s3", "lambda"])
import labkit.engines.browser as browser  # noqa: E402

browser.has_cryptography, has = (lambda: False), browser.has_cryptography
seen["unavailable_without_cryptography"] = sorted(engine.unavailable(["s3", "lambda"]))
browser.has_cryptography = has
lam, s3, sfn, sqs = (labkit.client(n) for n in ("lambda", "s3", "stepfunctions", "sqs"))
role = labkit.lambda_role()
bucket = labkit.name("b")
s3.create_bucket(Bucket=bucket)


def function(files, timeout=3, publish=False):
    name = labkit.name("f")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Timeout=timeout,
                        Code={"ZipFile": labkit.zip_code(files)}, Publish=publish)
    return name


def invoke(name, payload=None, **kwargs):
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    return answer.get("FunctionError"), answer["Payload"].read().decode()


one = function({"app.py": "import helper\ndef handler(e, c):\n    return helper.WHO\n", "helper.py": "WHO = 'one'\n"})
two = function({"app.py": "import helper\ndef handler(e, c):\n    return helper.WHO\n", "helper.py": "WHO = 'two'\n"})
seen["namespaces"] = [invoke(one)[1], invoke(two)[1], invoke(one)[1]]
seen["import_notebook_package"] = invoke(function({"app.py": "import moto\ndef handler(e, c):\n    return 1\n"}))
seen["import_sdk"] = invoke(function({"app.py": "import boto3, json\ndef handler(e, c):\n    return 'ok'\n"}))
seen["timeout"] = invoke(function({"app.py": "import time\ndef handler(e, c):\n    time.sleep(1.3)\n"}, timeout=1))
writer = function({"app.py": "import boto3, json\ndef handler(e, c):\n"
                             "    boto3.client('s3').put_object(Bucket=e['bucket'], Key=e['key'], Body=b'x')\n"
                             "    return e['key']\n"})
lam.invoke(FunctionName=writer, InvocationType="Event", Payload=json.dumps({"bucket": bucket, "key": "async"}))
seen["async_done_when_invoke_returns"] = s3.list_objects_v2(Bucket=bucket, Prefix="async")["KeyCount"]

arn = lam.get_function(FunctionName=writer)["Configuration"]["FunctionArn"]
definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": arn, "End": True}}},
    {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": 2, "End": True}}}]}}}
machine = sfn.create_state_machine(name=labkit.name("m"), roleArn=role, definition=json.dumps(definition))
execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"],
                                input=json.dumps({"bucket": bucket, "key": "sfn"}))["executionArn"]
described = sfn.describe_execution(executionArn=execution)
seen["execution"] = [described["status"], described.get("output")]

queue = sqs.create_queue(QueueName=labkit.name("q"))["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
consumer = function({"app.py": "import boto3, json\ndef handler(e, c):\n    for r in e['Records']:\n"
                               "        b = json.loads(r['body'])\n"
                               "        boto3.client('s3').put_object(Bucket=b['bucket'], Key=b['key'], Body=b'x')\n"})
lam.create_event_source_mapping(FunctionName=consumer, EventSourceArn=queue_arn, BatchSize=1)
sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"bucket": bucket, "key": "esm"}))
seen["esm_done_after_next_call"] = s3.list_objects_v2(Bucket=bucket, Prefix="esm")["KeyCount"]
s3.put_object(Bucket=bucket, Key="page.txt", Body=b"fetched in-process")
present, missing = (s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
                    for key in ("page.txt", "missing.txt"))
seen["presigned_requests"] = [requests.get(present, timeout=5).text, requests.get(missing, timeout=5).status_code]
try:
    urllib.request.urlopen(missing, timeout=5)
except urllib.error.HTTPError as error:
    missing_code = error.code
seen["presigned_urllib"] = [urllib.request.urlopen(present, timeout=5).read().decode(), missing_code]
time.sleep(0.1)
seen["threads"] = threading.active_count()
labkit.cleanup()
engine.stop()
seen["moto_port"].append(os.environ.get("MOTO_PORT"))
print("SCENARIOS " + json.dumps(seen))
