"""Checks for labs/secrets-manager."""
from __future__ import annotations

import json

from ..checks import Verdict, failed, passed
from ..engines import current


def rolled_back(secret_id: str, original_version: str, users_table: str) -> Verdict:
    """AWSCURRENT is back on ``original_version`` (not a copy), AWSPREVIOUS on another version, and the
    database's password (the ``users_table`` item of the secret's user) matches the current secret again."""
    sm = current().client("secretsmanager")
    stages = sm.describe_secret(SecretId=secret_id)["VersionIdsToStages"]
    holders = [v for v, labels in stages.items() if "AWSCURRENT" in labels]
    if len(holders) != 1:
        return failed(f"{len(holders)} versions carry AWSCURRENT; exactly one must.")
    now = holders[0]
    if now != original_version:
        original = sm.get_secret_value(SecretId=secret_id, VersionId=original_version)["SecretString"]
        copy = sm.get_secret_value(SecretId=secret_id, VersionId=now)["SecretString"]
        if copy == original:
            return failed("You wrote the old value again as a new version. A rollback moves the AWSCURRENT label "
                          "back to the original version: update_secret_version_stage(VersionStage='AWSCURRENT', "
                          "MoveToVersionId=<the previous version>, RemoveFromVersionId=<the current one>).")
        return failed(f"AWSCURRENT is on version {now[:8]}…, not on the original {original_version[:8]}…. Move it "
                      "with update_secret_version_stage.")
    previous = [v for v, labels in stages.items() if "AWSPREVIOUS" in labels]
    if not previous or previous == [now]:
        return failed("No other version carries AWSPREVIOUS: move the label with RemoveFromVersionId=<the version "
                      "that was current>, so that Secrets Manager keeps it as AWSPREVIOUS.")
    # the stage is named explicitly: after a label move, moto's default read still returns the old version
    secret = json.loads(sm.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")["SecretString"])
    item = current().client("dynamodb").get_item(TableName=users_table,
                                                  Key={"username": {"S": secret["username"]}}).get("Item")
    if item is None or item["password"]["S"] != secret["password"]:
        return failed("The secret is rolled back, but the database still has the rotated password: applications "
                      "reading the secret can no longer log in. Set the user's password in the users table back "
                      "to the secret's password (what a setSecret step would do).")
    return passed("AWSCURRENT is back on the original version, the rotated one is AWSPREVIOUS, and the database "
                  "accepts the current password again.")
