"""SAM templates deploy as CloudFormation deploys them: the ``AWS::Serverless-2016-10-31`` transform, then an API
Gateway REST API built from the generated OpenAPI/Swagger ``Body``, with its deployment and stage.

What AWS documents ("AWS SAM template anatomy", "AWS::Serverless transform", "AWS::ApiGateway::RestApi",
"AWS::ApiGateway::Stage"): a template whose ``Transform`` names ``AWS::Serverless-2016-10-31`` is expanded by
CloudFormation (the AWS SAM translator) into plain resources before the stack is created or updated — an
``Events: X: Type: Api`` on a function makes an implicit ``ServerlessRestApi`` (``AWS::ApiGateway::RestApi`` whose
``Body`` is a Swagger 2.0 document), a ``ServerlessRestApiDeployment…`` and a ``ServerlessRestApiProdStage`` stage
``Prod``; ``Globals`` apply to every function. The REST API's ``Body`` (OpenAPI 2.0 or 3.0) defines its resources,
methods and integrations; ``Name`` defaults to the document's ``info.title``. ``AWS::ApiGateway::Stage`` creates a
stage for a deployment.

What moto 5.2.5 does instead: it ignores ``Transform`` (every ``AWS::Serverless::*`` resource is skipped with a
log warning and the stack says CREATE_COMPLETE with nothing in it), creates a RestApi without reading ``Body``
(and fails without ``Name``), refuses Swagger 2.0 in ``put_rest_api``, and has no ``AWS::ApiGateway::Stage``.

Here: :func:`expand` runs the AWS SAM translator (the library CloudFormation's transform runs) on the parsed
template of ``Stack`` and ``ChangeSet``; a failure becomes CloudFormation's ``ValidationError``
("Transform AWS::Serverless-2016-10-31 failed with: …"). RestApi ``Body`` is imported (a Swagger 2.0 document
goes through moto's importer, which reads ``paths`` and ``x-amazon-apigateway-integration`` the same way in both
versions); ``AWS::ApiGateway::Stage`` is served by :class:`StageResource` (``Ref`` of a moto ``Deployment`` gives the model,
not its ID: the stage takes the model's ``id``).

Upstream changes (moto): ``cloudformation/models.py`` apply the SAM transform when ``Transform`` names it (moto
already depends on nothing for it: the translator would be an optional extra); ``apigateway/models.py``
``RestAPI.create_from_cloudformation_json`` import ``Body`` and take ``Name`` from ``info.title``;
``put_rest_api`` accept ``swagger: "2.0"``; add a ``Stage`` CloudFormation model.
"""
from __future__ import annotations

import copy
from typing import Any

from .registry import Patch

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

PATCHES = [
    Patch(
        name="cloudformation-sam-transform",
        changes="Templates with Transform AWS::Serverless-2016-10-31 are expanded by the AWS SAM translator before "
                "the stack or change set is created (moto ignores Transform).",
        symbols=("moto.cloudformation.models.Stack._parse_template",
                 "moto.cloudformation.models.ChangeSet._parse_template",
                 "moto.cloudformation.exceptions.ValidationError",
                 "moto.iam.models.iam_backends"),
        upstream="moto cloudformation/models.py: run the SAM translator when Transform names it.",
    ),
    Patch(
        name="apigateway-cfn-body-and-stage",
        changes="AWS::ApiGateway::RestApi imports Body (OpenAPI 3 or Swagger 2.0; Name from info.title) and "
                "AWS::ApiGateway::Stage creates a stage.",
        symbols=("moto.apigateway.models.RestAPI.create_from_cloudformation_json",
                 "moto.apigateway.models.APIGatewayBackend.put_rest_api",
                 "moto.apigateway.models.APIGatewayBackend.create_stage",
                 "moto.apigateway.models.APIGatewayBackend.delete_stage",
                 "moto.cloudformation.parsing.resource_class_from_type"),
        upstream="moto apigateway/models.py: import Body in RestAPI.create_from_cloudformation_json, accept "
                 "Swagger 2.0 in put_rest_api, add a Stage CloudFormation model.",
    ),
]

_originals: dict[str, Any] = {}


def has_sam_transform(template: dict) -> bool:
    """True when the template's ``Transform`` (a name or a list of names) includes the SAM transform."""
    transform = template.get("Transform") if isinstance(template, dict) else None
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in names


def _managed_policies(account_id: str) -> dict[str, str]:
    from moto.iam.models import iam_backends

    backend = iam_backends[account_id]["global"]
    # a policy's name is its ARN's last part (arn:aws:iam::aws:policy<path><name>): read from the keys, so the AWS
    # managed policies are not all built (labkit/emulator/iam_managed_policies.py)
    return {arn.rsplit("/", 1)[-1]: arn for arn in backend.managed_policies}


def expand(template: dict, account_id: str, region: str, parameters: dict | None = None) -> dict:
    """The plain CloudFormation template the SAM transform makes of ``template`` (unchanged without it).

    Raises moto's CloudFormation ``ValidationError`` with CloudFormation's wording when the translator rejects it.
    """
    if not has_sam_transform(template):
        return template
    import boto3
    from moto.cloudformation.exceptions import ValidationError

    try:
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.translator import Translator
    except ImportError:
        raise ValidationError(message="Transform AWS::Serverless-2016-10-31 failed: the embedded engine needs the "
                                      "aws-sam-translator package (pip install aws-sam-translator).") from None
    import logging

    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    session = boto3.Session(region_name=region, aws_access_key_id="labkit", aws_secret_access_key="labkit")
    translator = Translator(None, Parser(), boto_session=session)
    try:
        return translator.translate(copy.deepcopy(template), parameter_values=dict(parameters or {}),
                                    get_managed_policy_map=lambda: _managed_policies(account_id))
    except Exception as exc:  # noqa: BLE001 - the translator's errors are the template's
        message = getattr(exc, "message", None) or str(exc)
        raise ValidationError(message=f"Transform {SAM_TRANSFORM} failed with: {message}") from None


def _where(model) -> tuple[str, str]:
    """(account, region) of a Stack or ChangeSet, also while its __init__ runs (moto parses the template first)."""
    parts = (getattr(model, "stack_id", "") or "").split(":")
    region = getattr(model, "region_name", None) or (parts[3] if len(parts) > 4 else "us-east-1")
    account = getattr(model, "account_id", None) or (parts[4] if len(parts) > 4 else "123456789012")
    return account, region


def _stack_parse_template(self) -> None:
    _originals["Stack._parse_template"](self)
    self.template_dict = expand(self.template_dict, *_where(self), getattr(self, "parameters", None) or {})


def _change_set_parse_template(self) -> None:
    _originals["ChangeSet._parse_template"](self)
    self.template_dict = expand(self.template_dict, *_where(self), getattr(self, "parameters", None) or {})


def _rest_api_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """RestApi with ``Body``: created with ``Name`` (or the document's ``info.title``), then the Body imported."""
    from moto.apigateway.models import apigateway_backends

    properties = cloudformation_json.get("Properties") or {}
    body = properties.get("Body")
    if not body:
        return _originals["RestAPI.create"].__func__(cls, resource_name, cloudformation_json, account_id,
                                                     region_name, **kwargs)
    backend = apigateway_backends[account_id][region_name]
    info = body.get("info") or {}
    api = backend.create_rest_api(name=properties.get("Name") or info.get("title") or resource_name,
                                  description=properties.get("Description", info.get("description", "")),
                                  endpoint_configuration=properties.get("EndpointConfiguration"))
    document = copy.deepcopy(body)
    if document.pop("swagger", None) is not None:  # Swagger 2.0: moto reads paths the same way as OpenAPI 3
        document["openapi"] = "3.0.1"
    backend.put_rest_api(api.id, document, fail_on_warnings=False, mode="overwrite")
    return api


class StageResource:
    """``AWS::ApiGateway::Stage``: a stage of a REST API pointing at a deployment (moto has no model for it)."""

    def __init__(self, account_id: str, region: str, rest_api_id: str, stage_name: str):
        self.account_id, self.region, self.rest_api_id, self.stage_name = account_id, region, rest_api_id, stage_name

    @property
    def physical_resource_id(self) -> str:
        return self.stage_name

    def is_created(self) -> bool:
        return True

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Stage"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        from moto.apigateway.models import apigateway_backends

        properties = cloudformation_json.get("Properties") or {}
        backend = apigateway_backends[account_id][region_name]
        stage_name = properties.get("StageName") or resource_name
        deployment = properties["DeploymentId"]
        deployment = deployment if isinstance(deployment, str) else deployment.id  # Ref of a Deployment model
        backend.create_stage(properties["RestApiId"], stage_name, deployment,
                             variables=properties.get("Variables") or {},
                             description=properties.get("Description", ""),
                             tracing_enabled=properties.get("TracingEnabled"))
        return cls(account_id, region_name, properties["RestApiId"], stage_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id=None, region_name=None) -> None:
        from moto.apigateway.models import apigateway_backends

        try:
            apigateway_backends[self.account_id][self.region].delete_stage(self.rest_api_id, self.stage_name)
        except Exception:  # noqa: BLE001 - the API (and its stages) may be gone already
            pass


def _resource_class_from_type(resource_type: str):
    if resource_type == "AWS::ApiGateway::Stage":
        return StageResource
    return _originals["resource_class_from_type"](resource_type)


def install() -> None:
    """Apply the SAM transform and the API Gateway resource fixes (once per process)."""
    if _originals:
        return
    from moto.apigateway.models import RestAPI
    from moto.cloudformation import models, parsing

    _originals.update({
        "Stack._parse_template": models.Stack._parse_template,
        "ChangeSet._parse_template": models.ChangeSet._parse_template,
        "RestAPI.create": RestAPI.__dict__["create_from_cloudformation_json"],
        "resource_class_from_type": parsing.resource_class_from_type,
    })
    models.Stack._parse_template = _stack_parse_template
    models.ChangeSet._parse_template = _change_set_parse_template
    RestAPI.create_from_cloudformation_json = classmethod(_rest_api_from_cloudformation)
    parsing.resource_class_from_type = _resource_class_from_type
