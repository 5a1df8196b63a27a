"""Amazon ECR: tag immutability's error and the lifecycle policy preview, as AWS documents them."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import labkit


def manifest(n: int) -> str:
    """A distinct (made-up) image manifest: Docker image manifest V2 schema 2 with one layer."""
    return json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1000,
                   "digest": f"sha256:{n:064x}"},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 2000,
                    "digest": f"sha256:{n + 10_000:064x}"}]})


@pytest.fixture
def repository(engine):
    ecr = labkit.client("ecr")
    made = []

    def make(**kwargs):
        name = labkit.name("conf-ecr")
        ecr.create_repository(repositoryName=name, **kwargs)
        made.append(name)
        return name

    yield ecr, make
    for name in made:
        ecr.delete_repository(repositoryName=name, force=True)


def test_an_immutable_tag_cannot_be_pushed_again(repository):
    """"Preventing image tags from being overwritten in Amazon ECR": ImageTagAlreadyExistsException."""
    ecr, make = repository
    name = make(imageTagMutability="IMMUTABLE")
    ecr.put_image(repositoryName=name, imageManifest=manifest(1), imageTag="v1")
    with pytest.raises(ClientError) as caught:
        ecr.put_image(repositoryName=name, imageManifest=manifest(2), imageTag="v1")
    assert caught.value.response["Error"]["Code"] == "ImageTagAlreadyExistsException"
    ecr.put_image(repositoryName=name, imageManifest=manifest(2), imageTag="v2")  # a new tag is fine
    assert sorted(t for i in ecr.describe_images(repositoryName=name)["imageDetails"] for t in i["imageTags"]) == \
        ["v1", "v2"]


def test_a_mutable_tag_moves_to_the_new_image(repository):
    ecr, make = repository
    name = make()
    ecr.put_image(repositoryName=name, imageManifest=manifest(1), imageTag="latest")
    pushed = ecr.put_image(repositoryName=name, imageManifest=manifest(2), imageTag="latest")["image"]
    tagged = [i for i in ecr.describe_images(repositoryName=name)["imageDetails"] if i.get("imageTags")]
    assert [i["imageDigest"] for i in tagged] == [pushed["imageId"]["imageDigest"]]


def test_lifecycle_preview_follows_the_evaluation_rules(repository):
    """"Lifecycle policy evaluation rules": rules by priority; imageCountMoreThan keeps the newest images; an
    image matched by a higher-priority rule's tag selection is not expired by a lower one."""
    ecr, make = repository
    name = make()
    for n in range(5):
        ecr.put_image(repositoryName=name, imageManifest=manifest(n), imageTag=f"release-{n}")
    for n in range(5, 8):
        ecr.put_image(repositoryName=name, imageManifest=manifest(n))  # untagged
    ecr.put_image(repositoryName=name, imageManifest=manifest(9), imageTag="dev-9")
    policy = {"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan",
                                          "countNumber": 1}, "action": {"type": "expire"}},
        {"rulePriority": 2, "selection": {"tagStatus": "tagged", "tagPrefixList": ["release-"],
                                          "countType": "imageCountMoreThan", "countNumber": 3},
         "action": {"type": "expire"}},
        {"rulePriority": 3, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2},
         "action": {"type": "expire"}}]}
    ecr.start_lifecycle_policy_preview(repositoryName=name, lifecyclePolicyText=json.dumps(policy))
    answer = ecr.get_lifecycle_policy_preview(repositoryName=name)
    assert answer["status"] == "COMPLETE"
    expired = {(tuple(r.get("imageTags", [])), r["appliedRulePriority"]) for r in answer["previewResults"]}
    # rule 1: 3 untagged, keep the newest → 2 expire; rule 2: 5 releases, keep 3 → release-0, release-1 expire;
    # rule 3 (any, keep 2): every other image was matched by rule 1 or 2, so only dev-9 is left, and it is the
    # newest of all: nothing more expires
    assert expired == {((), 1), (("release-0",), 2), (("release-1",), 2)}
    assert len([r for r in answer["previewResults"] if not r.get("imageTags")]) == 2
    assert answer["summary"]["expiringImageTotalCount"] == 4


def test_preview_uses_the_repository_policy_and_needs_one(repository):
    ecr, make = repository
    name = make()
    with pytest.raises(ClientError) as caught:
        ecr.start_lifecycle_policy_preview(repositoryName=name)
    assert caught.value.response["Error"]["Code"] == "LifecyclePolicyNotFoundException"
    with pytest.raises(ClientError) as caught:
        ecr.get_lifecycle_policy_preview(repositoryName=name)
    assert caught.value.response["Error"]["Code"] == "LifecyclePolicyPreviewNotFoundException"
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps({"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
         "action": {"type": "expire"}}]}))
    for n in range(3):
        ecr.put_image(repositoryName=name, imageManifest=manifest(n), imageTag=f"t{n}")
    assert ecr.start_lifecycle_policy_preview(repositoryName=name)["status"] in ("IN_PROGRESS", "COMPLETE")
    result = ecr.get_lifecycle_policy_preview(repositoryName=name)
    assert sorted(r["imageTags"][0] for r in result["previewResults"]) == ["t0", "t1"]


def test_moto_still_lacks_the_lifecycle_preview(engine):
    """When this fails, moto implements the preview upstream and labkit's can go."""
    from labkit.emulator import ecr as patch

    labkit.client("ecr").describe_repositories()
    assert patch.moto_had_lifecycle_preview is False


@pytest.mark.parametrize("selection, action", [
    ({"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1}, "expire"),
    ({"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": "1"}, {"type": "expire"}),
    ({"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 14}, {"type": "expire"}),
])
def test_a_malformed_lifecycle_policy_is_refused(repository, selection, action):
    """"Lifecycle policy properties in Amazon ECR": action is an object, countNumber an integer, countUnit required
    with sinceImagePushed; AWS refuses such a policy with InvalidParameterException (moto: HTTP 500, or accepted)."""
    ecr, make = repository
    name = make()
    policy = {"rules": [{"rulePriority": 1, "description": "a rule of a learner's policy", "selection": selection,
                         "action": action}]}
    with pytest.raises(ClientError) as caught:
        ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(policy))
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    selection = {**selection, "countNumber": 14, "countUnit": "days"} if selection["countType"] == "sinceImagePushed" \
        else {**selection, "countNumber": 1}
    policy["rules"][0].update(selection=selection, action={"type": "expire"})
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(policy))  # the fixed one is taken
