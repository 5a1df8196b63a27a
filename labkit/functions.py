"""Small helpers for Lambda labs: deployment packages and an execution role."""
from __future__ import annotations

import io
import json
import textwrap
import zipfile

from .engines import current
from .errors import LabkitError
from .naming import name

LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def zip_code(files: dict[str, str | bytes]) -> bytes:
    """A deployment package from ``{"path/in/zip.py": source}``; sources are dedented.

    Raises LabkitError unless ``files`` is a dict of file names to str/bytes sources.
    """
    example = "zip_code({'handler.py': code})"
    if not isinstance(files, dict):
        raise LabkitError(f"zip_code takes a dict of file name to source, e.g. {example}, not {type(files).__name__}")
    for path, content in files.items():
        if not isinstance(path, str) or not isinstance(content, (str, bytes)):
            raise LabkitError(f"zip_code takes file names (str) to sources (str or bytes), e.g. {example}; "
                              f"got {path!r}: {type(content).__name__}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, textwrap.dedent(content) if isinstance(content, str) else content)
    return buffer.getvalue()


def lambda_role(base: str = "lambda-exec", policies: tuple[str, ...] = ()) -> str:
    """Create a role Lambda may assume (with the basic logging policy plus ``policies``); return its ARN.

    ``policies`` is a tuple or list of managed-policy ARNs; a single ARN string is taken as one policy.
    Raises LabkitError for anything else.
    """
    if isinstance(policies, str):
        policies = (policies,)
    if not isinstance(policies, (tuple, list)) or not all(isinstance(p, str) and p.startswith("arn:")
                                                          for p in policies):
        raise LabkitError("lambda_role takes policies as managed-policy ARNs, e.g. "
                          "policies=('arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',); "
                          f"got {policies!r}")
    iam = current().client("iam")
    role = iam.create_role(RoleName=name(base), AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]
    for policy in (BASIC_EXECUTION, *policies):
        iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=policy)
    return role["Arn"]
