"""Small helpers for Lambda labs: deployment packages and an execution role."""
from __future__ import annotations

import io
import json
import textwrap
import zipfile

from .engines import current
from .naming import name

LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def zip_code(files: dict[str, str | bytes]) -> bytes:
    """A deployment package from ``{"path/in/zip.py": source}``; sources are dedented."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, textwrap.dedent(content) if isinstance(content, str) else content)
    return buffer.getvalue()


def lambda_role(base: str = "lambda-exec", policies: tuple[str, ...] = ()) -> str:
    """Create a role Lambda may assume (with the basic logging policy plus ``policies``); return its ARN."""
    iam = current().client("iam")
    role = iam.create_role(RoleName=name(base), AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]
    for policy in (BASIC_EXECUTION, *policies):
        iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=policy)
    return role["Arn"]
