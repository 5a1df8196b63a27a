"""The embedded engine's CodeDeploy extension: DeleteApplication and DeleteDeploymentGroup, as on AWS."""
from __future__ import annotations

import labkit
from labkit.emulator import codedeploy


def test_delete_application_removes_it_with_groups_and_deployments(engine):
    assert codedeploy.install()
    cd = labkit.client("codedeploy")
    app = labkit.name("ext-test")
    cd.create_application(applicationName=app, computePlatform="Server")
    cd.create_deployment_group(applicationName=app, deploymentGroupName="g",
                               serviceRoleArn="arn:aws:iam::123456789012:role/x")
    cd.create_deployment(applicationName=app, deploymentGroupName="g",
                         revision={"revisionType": "S3", "s3Location": {"bucket": "b", "key": "k", "bundleType": "zip"}})
    cd.delete_application(applicationName=app)
    assert app not in cd.list_applications()["applications"]
    cd.delete_application(applicationName=app)  # AWS: deleting a missing application is not an error


def test_delete_deployment_group(engine):
    codedeploy.install()
    cd = labkit.client("codedeploy")
    app = labkit.name("ext-test")
    cd.create_application(applicationName=app, computePlatform="Server")
    cd.create_deployment_group(applicationName=app, deploymentGroupName="g",
                               serviceRoleArn="arn:aws:iam::123456789012:role/x")
    assert cd.delete_deployment_group(applicationName=app, deploymentGroupName="g")["hooksNotCleanedUp"] == []
    assert cd.list_deployment_groups(applicationName=app)["deploymentGroups"] == []
    cd.delete_application(applicationName=app)


def test_moto_still_lacks_the_deletes(engine):
    """moto 5.2.5 has no DeleteApplication/DeleteDeploymentGroup; when this fails, keep moto's own and drop ours."""
    assert codedeploy.install()
    assert codedeploy.moto_lacks() == ["delete_application", "delete_deployment_group"]
