"""``cfnresponse``: the module AWS's Python Lambda runtime gives inline (``ZipFile``) CloudFormation code.

Written for labkit from AWS's documented interface ("cfn-response module", AWS CloudFormation User Guide):
``send(event, context, responseStatus, responseData, physicalResourceId=None, noEcho=False, reason=None)`` sends a
custom resource response object ("Custom resource response objects") to ``event["ResponseURL"]`` with an HTTP PUT,
and ``SUCCESS`` / ``FAILED`` are the two statuses. As documented: the physical ID defaults to the function's log
stream name, a response without a reason says where to look (the log stream), ``noEcho`` masks ``Data`` in
``Fn::GetAtt`` output, and ``send`` is the last thing a handler should call (the function may stop right after).

On the embedded engine the ResponseURL is the engine's own endpoint (the part of CloudFormation that waits for the
response); on AWS it is a presigned Amazon S3 URL. Only the standard library is used, as in the runtime.
"""
import json
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"


def send(event, context, responseStatus, responseData, physicalResourceId=None, noEcho=False, reason=None):
    """PUT the response for ``event`` (a custom resource request) to its ResponseURL; prints the body and status."""
    response_url = event["ResponseURL"]
    print(response_url)
    response_body = {
        "Status": responseStatus,
        "Reason": reason or "See the details in CloudWatch Log Stream: {}".format(context.log_stream_name),
        "PhysicalResourceId": physicalResourceId or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": noEcho,
        "Data": responseData,
    }
    json_response_body = json.dumps(response_body)
    print("Response body:")
    print(json_response_body)
    request = urllib.request.Request(
        response_url, data=json_response_body.encode("utf-8"), method="PUT",
        headers={"content-type": "", "content-length": str(len(json_response_body))})
    try:
        with urllib.request.urlopen(request) as response:
            print("Status code: {}".format(response.status))
    except Exception as e:  # noqa: BLE001 - as AWS's module: report, never raise into the handler
        print("send(..) failed executing urllib.request.urlopen(..): {}".format(e))
