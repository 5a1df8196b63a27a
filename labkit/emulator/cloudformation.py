"""CloudFormation custom resources backed by Lambda, as AWS documents them.

What AWS documents ("Custom resources", "Custom resource request objects", "Custom resource response objects",
"cfn-response module", "AWS::CloudFormation::CustomResource"):

- a ``Custom::Name`` or ``AWS::CloudFormation::CustomResource`` resource whose ``ServiceToken`` is a Lambda function
  ARN makes CloudFormation invoke that function (asynchronously) with a request object: ``RequestType``
  (``Create``, ``Update``, ``Delete``), ``ResponseURL``, ``StackId``, ``RequestId``, ``ResourceType``,
  ``LogicalResourceId``, ``ResourceProperties`` (with ``ServiceToken``), and ``PhysicalResourceId`` on Update and
  Delete, ``OldResourceProperties`` on Update;
- the function answers by a PUT of a response object (``Status`` SUCCESS or FAILED, ``Reason``,
  ``PhysicalResourceId``, ``StackId``, ``RequestId``, ``LogicalResourceId``, ``NoEcho``, ``Data``) to the
  ``ResponseURL`` — on AWS a presigned S3 URL; inline ``ZipFile`` code does it with the ``cfnresponse`` module;
- SUCCESS: the resource is created, ``Ref`` gives its ``PhysicalResourceId`` and ``Fn::GetAtt`` the keys of
  ``Data``; FAILED: the resource is ``CREATE_FAILED`` with the function's ``Reason`` and the stack rolls back
  (``ROLLBACK_COMPLETE``); no response within ``ServiceTimeout`` (1–3600 s, default 3600) fails the resource too;
- an Update whose response carries a new ``PhysicalResourceId`` replaces the resource: CloudFormation then sends a
  Delete for the old physical ID; deleting the stack sends a Delete.

What moto 5.2.5 does instead (``moto/cloudformation/custom_model.py``): it sends Create only, from a thread, with a
``ResponseURL`` built from ``moto_server_host()`` that has no scheme-safe stack id; it waits for nothing, so
resources that use ``Fn::GetAtt`` on the custom resource get ``None``; it ignores FAILED responses (the stack stays
``CREATE_IN_PROGRESS`` forever), never sends Update or Delete, and skips ``AWS::CloudFormation::CustomResource``.

Here: the ``ResponseURL`` is the engine's own endpoint (moto's ``/cloudformation_<region>/cfnresponse`` route, which
labkit's :func:`process_cfn_response` answers and records); Create, Update and Delete requests go through Lambda's
asynchronous invocation (``labkit.emulator.lambda_.async_invoke`` when present, so retries happen as on AWS) and
the stack operation waits for the response. The ``cfnresponse`` module is
``labkit/lambda_runtime/runtime_modules/cfnresponse.py``.

**Time is scaled.** :data:`TIME_SCALE` multiplies ``ServiceTimeout``: AWS waits up to 3600 s for a response by
default; the engine waits 1/600 of that (6 s), and never less than the function's own timeout plus
:data:`MIN_EXTRA_WAIT` seconds, so a cold start always has time to answer.

Upstream change (moto ``cloudformation/custom_model.py`` and ``parsing.py``): build the ResponseURL from the
request's host with the stack id URL-encoded; handle FAILED in ``process_cfn_response`` by failing the resource and
rolling the stack back; implement ``update_from_cloudformation_json`` and ``delete`` on ``CustomModel`` (Update with
``OldResourceProperties``, Delete with ``PhysicalResourceId``); map ``AWS::CloudFormation::CustomResource`` to
``CustomModel`` in ``resource_class_from_type``.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import quote

from .registry import Difference, Patch

TIME_SCALE = 1 / 600
"""AWS waits up to ServiceTimeout (default 3600 s) for a custom resource's response; the engine waits 1/600."""
MIN_EXTRA_WAIT = 2.0
"""Seconds added to the function's own timeout for the shortest wait (a cold start must fit)."""
DEFAULT_SERVICE_TIMEOUT = 3600

PATCHES = [
    Patch(
        name="cloudformation-custom-resources",
        changes="Custom resources backed by Lambda: Create/Update/Delete requests with AWS's request object, a "
                "ResponseURL on the engine, the stack waits for the response (Data for Fn::GetAtt, FAILED → "
                "CREATE_FAILED and rollback with the function's Reason); AWS::CloudFormation::CustomResource too.",
        symbols=(
            "moto.cloudformation.custom_model.CustomModel.create_from_cloudformation_json",
            "moto.cloudformation.custom_model.CustomModel.get_cfn_attribute",
            "moto.cloudformation.parsing.resource_class_from_type",
            "moto.cloudformation.parsing.ResourceMap.delete",
            "moto.cloudformation.models.Stack.create_resources",
            "moto.cloudformation.models.Stack.update",
            "moto.cloudformation.models.Stack._add_stack_event",
            "moto.cloudformation.models.Event",
            "moto.cloudformation.responses.CloudFormationResponse.process_cfn_response",
            "moto.cloudformation.responses.CloudFormationResponse.cfnresponse",
            "moto.awslambda.utils.get_backend",
        ),
        upstream="moto cloudformation/custom_model.py: wait for the response, handle FAILED, send Update and "
                 "Delete, map AWS::CloudFormation::CustomResource (see labkit/emulator/cloudformation.py).",
    ),
]

DIFFERENCES = [
    Difference(
        id="cfn-custom-resource-sns",
        service="cloudformation",
        aws="A custom resource's ServiceToken may be an Amazon SNS topic ARN; CloudFormation publishes the request "
            "to the topic.",
        engine="Only Lambda function ARNs are served; an SNS ServiceToken fails the resource with a reason saying so.",
        doc="Custom resources",
    ),
    Difference(
        id="cfn-custom-resource-rollback",
        service="cloudformation",
        aws="When a custom resource fails, CloudFormation rolls back every resource of the operation: after a failed "
            "Create it deletes what it created (ROLLBACK_COMPLETE); after a failed Update it returns every resource "
            "to its previous state (UPDATE_ROLLBACK_COMPLETE); a failed Delete leaves the stack DELETE_FAILED.",
        engine="A failed Create deletes the resources already created and ends ROLLBACK_COMPLETE; a failed Update "
               "ends UPDATE_ROLLBACK_COMPLETE without undoing the other resources' changes; a failed Delete is "
               "recorded as a DELETE_FAILED event and the stack is deleted anyway.",
        doc="Custom resources",
    ),
]


class CustomResourceFailed(Exception):
    """A custom resource's provider answered FAILED, or did not answer in time."""

    def __init__(self, logical_id: str, resource_type: str, reason: str, physical_id: str = ""):
        super().__init__(reason)
        self.logical_id, self.resource_type, self.reason, self.physical_id = (
            logical_id, resource_type, reason, physical_id)


_waiting: dict[str, dict] = {}  # RequestId → {"event": threading.Event, "response": dict | None}
_lock = threading.Lock()
_originals: dict[str, Any] = {}


def endpoint_url() -> str:
    """The engine's endpoint that Lambda functions of this process reach (where ResponseURLs point)."""
    from .lambda_ import invoke_hook as moto_hook

    if getattr(moto_hook, "_pool", None) is not None:
        return moto_hook._pool.endpoint_url
    from moto import settings

    return f"{settings.moto_server_host()}:{settings.moto_server_port()}"


def response_url(region: str, stack_id: str, request_id: str) -> str:
    """The ResponseURL of one request: the engine's cfnresponse route, the stack id and request id encoded."""
    return (f"{endpoint_url()}/cloudformation_{region}/cfnresponse"
            f"?stack={quote(stack_id, safe='')}&request={quote(request_id, safe='')}")


def process_cfn_response(self):
    """Replacement for moto's ``process_cfn_response``: record the PUT response object for the waiting request."""
    try:
        body = json.loads(self.body or "{}")
    except (TypeError, ValueError):
        return 400, {}, "The response body is not JSON."
    if not isinstance(body, dict):
        return 400, {}, "The response body is not a JSON object."
    request_id = (self.querystring.get("request") or [body.get("RequestId", "")])[0]
    with _lock:
        waiting = _waiting.get(request_id)
    if waiting is None:
        return 404, {}, "No custom resource request is waiting for this response."
    waiting["response"] = body
    waiting["event"].set()
    return 200, {}, ""


def _invoke_async(function, body: str) -> None:
    """Invoke ``function`` as CloudFormation does: asynchronously (Lambda's event queue, with its retries)."""
    from .lambda_ import async_invoke

    async_invoke.submit(function, body)


def send_request(account_id: str, region: str, request: dict) -> dict:
    """Send one custom resource request to its Lambda ServiceToken and wait for the response object.

    ``request`` holds the request object's fields except ``ResponseURL`` and ``RequestId``, which are added here.
    Returns the response object (a dict). Raises :class:`CustomResourceFailed` when the response is FAILED or
    malformed, when none arrives in the (scaled) ServiceTimeout, or when the ServiceToken is not a Lambda function.
    """
    from moto.awslambda.utils import get_backend

    logical_id, resource_type = request["LogicalResourceId"], request["ResourceType"]
    properties = request.get("ResourceProperties") or {}
    token = str(request.get("ServiceToken") or properties.get("ServiceToken") or "")
    if ":sns:" in token:
        raise CustomResourceFailed(logical_id, resource_type,
                                   "The embedded engine serves custom resources backed by Lambda only; this "
                                   "ServiceToken is an SNS topic (run this on LocalStack or AWS).")
    try:
        function = get_backend(account_id, region).get_function(token)
    except Exception:  # noqa: BLE001 - moto raises its own not-found errors
        raise CustomResourceFailed(logical_id, resource_type,
                                   f"Invalid service token: no Lambda function {token!r} in {region}.") from None
    service_timeout = properties.get("ServiceTimeout", DEFAULT_SERVICE_TIMEOUT)
    try:
        service_timeout = float(service_timeout)
    except (TypeError, ValueError):
        service_timeout = DEFAULT_SERVICE_TIMEOUT
    wait = max(service_timeout * TIME_SCALE, float(function.timeout or 3) + MIN_EXTRA_WAIT)

    request_id = str(uuid.uuid4())
    event = {"RequestType": request["RequestType"], "ServiceToken": token,
             "ResponseURL": response_url(region, request["StackId"], request_id),
             "StackId": request["StackId"], "RequestId": request_id, "ResourceType": resource_type,
             "LogicalResourceId": logical_id}
    for key in ("PhysicalResourceId", "ResourceProperties", "OldResourceProperties"):
        if key in request:
            event[key] = request[key]
    waiting = {"event": threading.Event(), "response": None}
    with _lock:
        _waiting[request_id] = waiting
    try:
        _invoke_async(function, json.dumps(event))
        answered = waiting["event"].wait(wait)
    finally:
        with _lock:
            _waiting.pop(request_id, None)
    if not answered:
        raise CustomResourceFailed(
            logical_id, resource_type,
            f"CloudFormation did not receive a response from your Custom Resource within its ServiceTimeout "
            f"({service_timeout:g} s; the engine waited {wait:g} s). Please check your custom resource in order to "
            "ensure it sends a response.")
    response = waiting["response"]
    status = response.get("Status")
    physical_id = response.get("PhysicalResourceId") or ""
    if status == "FAILED":
        raise CustomResourceFailed(
            logical_id, resource_type,
            f"Received response status [FAILED] from custom resource. Message returned: "
            f"{response.get('Reason', '')} (RequestId: {request_id})", physical_id)
    if status != "SUCCESS":
        raise CustomResourceFailed(logical_id, resource_type,
                                   f"Invalid response status {status!r}: expected SUCCESS or FAILED.")
    if not physical_id:
        raise CustomResourceFailed(logical_id, resource_type, "Invalid PhysicalResourceId")
    for key in ("StackId", "RequestId", "LogicalResourceId"):
        if response.get(key) != event[key]:
            raise CustomResourceFailed(logical_id, resource_type,
                                       f"Invalid response: {key} does not match the request's.")
    return response


def _model_class():
    from moto.cloudformation.custom_model import CustomModel

    return CustomModel


def _resource(account_id, region, logical_id, stack_id, resource_type, properties, response):
    model = _model_class()(region, response["RequestId"], logical_id, response["PhysicalResourceId"])
    model.data = dict(response.get("Data") or {})
    model.no_echo = bool(response.get("NoEcho"))
    model._finished = True
    model.account_id, model.stack_id, model.resource_type = account_id, stack_id, resource_type
    model.properties = properties
    return model


def create_custom_resource(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """Replacement for ``CustomModel.create_from_cloudformation_json``: send Create, wait, keep Data."""
    properties = dict(cloudformation_json.get("Properties") or {})
    logical_id, stack_id, resource_type = kwargs["LogicalId"], kwargs["StackId"], kwargs["ResourceType"]
    response = send_request(account_id, region_name, {
        "RequestType": "Create", "StackId": stack_id, "ResourceType": resource_type,
        "LogicalResourceId": logical_id, "ResourceProperties": properties})
    return _resource(account_id, region_name, logical_id, stack_id, resource_type, properties, response)


def update_custom_resource(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                           region_name):
    """``CustomModel.update_from_cloudformation_json``: send Update with OldResourceProperties; a new
    PhysicalResourceId means replacement, so the old one gets a Delete."""
    properties = dict(cloudformation_json.get("Properties") or {})
    old = original_resource
    response = send_request(account_id, region_name, {
        "RequestType": "Update", "StackId": old.stack_id, "ResourceType": old.resource_type,
        "LogicalResourceId": old.logical_id, "PhysicalResourceId": old.physical_resource_id,
        "ResourceProperties": properties, "OldResourceProperties": old.properties})
    new = _resource(account_id, region_name, old.logical_id, old.stack_id, old.resource_type, properties, response)
    if new.physical_resource_id != old.physical_resource_id:
        delete_custom_resource(old, account_id, region_name)
    return new


def delete_custom_resource(self, account_id=None, region_name=None) -> None:
    """``CustomModel.delete``: send Delete with the PhysicalResourceId and the last ResourceProperties."""
    account_id = account_id or self.account_id
    region_name = region_name or self.region_name
    try:
        send_request(account_id, region_name, {
            "RequestType": "Delete", "StackId": self.stack_id, "ResourceType": self.resource_type,
            "LogicalResourceId": self.logical_id, "PhysicalResourceId": self.physical_resource_id,
            "ResourceProperties": self.properties})
    except CustomResourceFailed as failed:
        _resource_event(account_id, region_name, self.stack_id, self.logical_id, self.physical_resource_id,
                        self.resource_type, "DELETE_FAILED", failed.reason)


def get_cfn_attribute(self, attribute_name: str):
    """``Fn::GetAtt`` on a custom resource: a key of the response's ``Data``."""
    return (getattr(self, "data", None) or {}).get(attribute_name)


def _resource_event(account_id, region, stack_id, logical_id, physical_id, resource_type, status, reason):
    from moto.cloudformation import cloudformation_backends
    from moto.cloudformation.models import Event

    backend = cloudformation_backends[account_id][region]
    stack = backend.stacks.get(stack_id) or backend.deleted_stacks.get(stack_id)
    if stack is None:
        return
    stack.events.append(Event(stack_id=stack_id, stack_name=stack.name, logical_resource_id=logical_id,
                              physical_resource_id=physical_id, resource_type=resource_type,
                              resource_status=status, resource_status_reason=reason, resource_properties=None))


def create_resources(self) -> None:
    """``Stack.create_resources``, with a failed custom resource failing the stack and rolling it back."""
    try:
        _originals["create_resources"](self)
    except CustomResourceFailed as failed:
        _resource_event(self.account_id, self.region_name, self.stack_id, failed.logical_id, failed.physical_id,
                        failed.resource_type, "CREATE_FAILED", failed.reason)
        self.status = "ROLLBACK_IN_PROGRESS"
        self._add_stack_event("ROLLBACK_IN_PROGRESS",
                              resource_status_reason=f"The following resource(s) failed to create: "
                                                     f"[{failed.logical_id}]. Rollback requested by user.")
        try:
            self.resource_map.delete()
        except Exception:  # noqa: BLE001 - what could not be deleted stays; the stack still ends rolled back
            pass
        from moto.cloudformation.parsing import OutputMap

        self.output_map = OutputMap(self.resource_map, {}, self.stack_id)  # a rolled-back stack has no outputs
        self.status = "ROLLBACK_COMPLETE"
        self._add_stack_event("ROLLBACK_COMPLETE")


def update(self, *args, **kwargs) -> None:
    """``Stack.update``, with a failed custom resource ending the update in UPDATE_ROLLBACK_COMPLETE."""
    try:
        _originals["update"](self, *args, **kwargs)
    except CustomResourceFailed as failed:
        _resource_event(self.account_id, self.region_name, self.stack_id, failed.logical_id, failed.physical_id,
                        failed.resource_type, "UPDATE_FAILED", failed.reason)
        self._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS",
                              resource_status_reason=f"The following resource(s) failed to update: "
                                                     f"[{failed.logical_id}].")
        self.status = "UPDATE_ROLLBACK_COMPLETE"
        self._add_stack_event("UPDATE_ROLLBACK_COMPLETE")


def resource_class_from_type(resource_type: str):
    """moto's type lookup, plus ``AWS::CloudFormation::CustomResource`` (the documented generic type)."""
    if resource_type == "AWS::CloudFormation::CustomResource":
        return _model_class()
    return _originals["resource_class_from_type"](resource_type)


def install() -> None:
    """Replace moto's custom resource handling (once per process)."""
    if _originals:
        return
    from moto.cloudformation import models, parsing, responses

    custom_model = _model_class()
    _originals.update(create_resources=models.Stack.create_resources, update=models.Stack.update,
                      resource_class_from_type=parsing.resource_class_from_type)
    custom_model.create_from_cloudformation_json = classmethod(create_custom_resource)
    custom_model.update_from_cloudformation_json = classmethod(update_custom_resource)
    custom_model.delete = delete_custom_resource
    custom_model.get_cfn_attribute = get_cfn_attribute
    models.Stack.create_resources = create_resources
    models.Stack.update = update
    parsing.resource_class_from_type = resource_class_from_type
    responses.CloudFormationResponse.process_cfn_response = process_cfn_response
