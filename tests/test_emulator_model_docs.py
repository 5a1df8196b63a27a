"""Service models are held without AWS's documentation text; docstrings still read exactly as botocore's own."""
from __future__ import annotations

import json

import boto3
import botocore.session
from botocore.loaders import create_loader

from labkit.emulator import model_docs, speedups


def undocumented(value):
    """``value`` (decoded JSON) without any string ``documentation`` member, walked independently of model_docs;
    a service model's clientContextParams stay as they are (botocore reads their documentation)."""
    if isinstance(value, dict):
        return {k: v if k == "clientContextParams" else undocumented(v) for k, v in value.items()
                if not (k == "documentation" and isinstance(v, str))}
    if isinstance(value, list):
        return [undocumented(v) for v in value]
    return value


def own_loader_session() -> botocore.session.Session:
    """A botocore session reading through a loader of botocore's own (documentation kept, not the shared one)."""
    session = botocore.session.Session()
    session.register_component("data_loader", create_loader())
    return session


KEYS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def test_the_shared_loader_holds_service_models_without_documentation(engine):
    from botocore.loaders import Loader

    for service, operation in (("lambda", "Invoke"), ("s3", "PutObject")):
        # a fresh loader of the same kind: the shared one's models are changed in place by botocore and moto later
        held = Loader(file_loader=speedups.plain_json_file_loader()).load_service_model(service, "service-2")
        full = create_loader().load_service_model(service, "service-2")
        assert "documentation" in full["operations"][operation]  # botocore's file has it
        assert held == undocumented(full)  # everything else is botocore's model, as decoded before
        shared = speedups.shared_loader().load_service_model(service, "service-2")
        assert "documentation" not in shared["operations"][operation] and "documentation" not in shared
    s3 = botocore.session.get_session().get_service_model("s3")  # reads each client context parameter's text
    assert s3.client_context_parameters and all(p.documentation for p in s3.client_context_parameters)


def test_only_a_documentation_string_is_left_out():
    assert model_docs.decode('{"shape": "S", "documentation": "<p>text</p>"}') == {"shape": "S"}
    kept = '{"members": {"documentation": {"shape": "DocumentationText"}}}'  # a member named documentation
    assert model_docs.decode(kept) == {"members": {"documentation": {"shape": "DocumentationText"}}}
    context = '{"clientContextParams": {"Accelerate": {"documentation": "Enables it.", "type": "boolean"}}}'
    assert model_docs.decode(context) == json.loads(context)
    assert model_docs.is_service_model("/x/lambda/2015-03-31/service-2.json.gz")
    assert not model_docs.is_service_model("/x/lambda/2015-03-31/paginators-1.json")


def test_docstrings_read_as_with_botocore_s_own_loader(engine):
    """help(client.invoke), a paginator's and a waiter's help, and boto3 resource actions: the same text as a
    client whose model kept its documentation."""
    import labkit

    theirs = own_loader_session().create_client("lambda", **KEYS)
    mine = labkit.client("lambda")
    assert mine.meta.service_model.operation_model("Invoke").documentation == ""  # made without the text
    assert str(mine.invoke.__doc__) == str(theirs.invoke.__doc__)
    assert "synchronously" in str(mine.invoke.__doc__)
    assert str(mine.get_paginator("list_functions").paginate.__doc__) == str(
        theirs.get_paginator("list_functions").paginate.__doc__)
    assert str(mine.get_waiter("function_active_v2").wait.__doc__) == str(
        theirs.get_waiter("function_active_v2").wait.__doc__)
    table_theirs = boto3.Session(botocore_session=own_loader_session()).resource("dynamodb", **KEYS).Table("t")
    table_mine = labkit.resource("dynamodb").Table("t")
    assert str(type(table_mine).put_item.__doc__) == str(type(table_theirs).put_item.__doc__)
    assert "replaces an old item" in str(type(table_mine).put_item.__doc__)
