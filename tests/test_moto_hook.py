"""labkit's one change to moto fails loudly when a moto upgrade moves what it relies on."""
from __future__ import annotations

from labkit.emulator.lambda_ import invoke_hook as moto_hook
from labkit.emulator.lambda_.invoke_hook import routed_qualifier, split_qualifier


def test_moto_invoke_signatures_are_the_ones_the_hook_replaces():
    assert moto_hook.signatures() == moto_hook.EXPECTED_SIGNATURES, (
        "moto's Lambda invoke methods changed: update labkit/emulator/lambda_/invoke_hook.py for this moto version")


def test_every_moto_caller_still_goes_through_function_invoke():
    """Event source mappings, S3/SNS notifications, Secrets Manager rotation call LambdaFunction.invoke."""
    import inspect

    import moto.awslambda.models as lambda_models
    import moto.s3.notifications as s3_notifications
    import moto.secretsmanager.models as secrets_models

    assert "func.invoke(" in inspect.getsource(lambda_models.LambdaBackend)
    assert "func.invoke(" in inspect.getsource(s3_notifications)
    assert "lambda_backend.invoke(" in inspect.getsource(secrets_models)


def test_the_hook_is_installed_by_the_embedded_engine(engine):
    from moto.awslambda.models import LambdaFunction

    assert LambdaFunction.invoke is moto_hook.function_invoke


def test_qualifiers_are_read_from_names_and_arns():
    assert split_qualifier("fn", None) == ("fn", None)
    assert split_qualifier("fn:live", None) == ("fn", "live")
    assert split_qualifier("arn:aws:lambda:us-east-1:123456789012:function:fn:3", None) == ("fn", "3")
    assert split_qualifier("fn", "2") == ("fn", "2")


def test_versions_are_not_rerouted():
    assert routed_qualifier(None, "fn:7", None) == ("fn", "7")
    assert routed_qualifier(None, "fn", "$LATEST") == ("fn", "$LATEST")
