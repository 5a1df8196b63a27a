"""Deleting a stack deletes its REST APIs: ``AWS::ApiGateway::RestApi`` gets the delete moto lacks.

What AWS documents ("Deleting a stack", AWS CloudFormation User Guide): deleting a stack deletes the stack and all
its resources (except those whose DeletionPolicy is ``Retain``).

moto 5.2.5 deletes a stack's resources through each resource class's ``delete`` or
``delete_from_cloudformation_json``; ``RestAPI`` has neither, so a REST API made by a stack (a SAM
``AWS::Serverless::Api``, a CDK ``LambdaRestApi``) outlived its stack. Here its ``delete_from_cloudformation_json``
calls DeleteRestApi, which takes the API's resources, methods, deployments and stages with it (they live inside
the REST API in moto, as in API Gateway). A REST API already deleted by hand counts as deleted. Upstream change:
``RestAPI.delete_from_cloudformation_json`` in ``moto/apigateway/models.py``.
"""
from __future__ import annotations

from .registry import Patch

PATCHES = [
    Patch(
        name="cloudformation-delete-rest-api",
        changes="Deleting a stack deletes its AWS::ApiGateway::RestApi resources (moto's RestAPI has no "
                "delete_from_cloudformation_json, so they outlived the stack).",
        symbols=("moto.apigateway.models.RestAPI.delete_from_cloudformation_json",
                 "moto.apigateway.models.APIGatewayBackend.delete_rest_api",
                 "moto.apigateway.models.apigateway_backends"),
        upstream="moto apigateway: RestAPI.delete_from_cloudformation_json calling delete_rest_api.",
    ),
]

MOTO_DELETE = None  # moto's own RestAPI.delete_from_cloudformation_json, kept for the guard test


def delete_rest_api_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name):
    """``RestAPI.delete_from_cloudformation_json``: DeleteRestApi on the stack's API (``resource_name`` is its
    physical ID, the REST API ID); an API that is already gone is success, as it is for CloudFormation."""
    from moto.apigateway.models import apigateway_backends

    try:
        apigateway_backends[account_id][region_name].delete_rest_api(resource_name)
    except KeyError:  # moto's delete_rest_api pops the ID from its dict of APIs
        pass


def install() -> None:
    """Give moto's RestAPI the CloudFormation delete (idempotent)."""
    global MOTO_DELETE
    from moto.apigateway.models import RestAPI

    current = RestAPI.__dict__.get("delete_from_cloudformation_json")
    if getattr(current, "__func__", None) is delete_rest_api_from_cloudformation:
        return
    MOTO_DELETE = RestAPI.delete_from_cloudformation_json
    RestAPI.delete_from_cloudformation_json = classmethod(delete_rest_api_from_cloudformation)
