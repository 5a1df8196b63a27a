"""labkit.exercises.ecr: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import json

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import ecr as exercise


def rule(priority, status, count, **extra):
    return {"rulePriority": priority, "selection": {"tagStatus": status, "countType": "imageCountMoreThan",
                                                    "countNumber": count, **extra}, "action": {"type": "expire"}}


RIGHT = {"rules": [rule(1, "untagged", 1), rule(2, "tagged", 3, tagPatternList=["release-*"])]}


@pytest.fixture
def make_repository(engine):
    ecr = labkit.client("ecr")
    made = []

    def make(mutability="IMMUTABLE", policy=RIGHT):
        name = labkit.name("ex-releases")
        ecr.create_repository(repositoryName=name, imageTagMutability=mutability)
        if policy is not None:
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(policy))
        made.append(name)
        return name

    yield make
    for name in made:
        ecr.delete_repository(repositoryName=name, force=True)


def check(name):
    return evaluate(exercise.release_repository, name)


def test_right_answer_passes(make_repository):
    verdict = check(make_repository())
    assert verdict.passed, verdict.message


def test_prefix_list_passes_too(make_repository):
    policy = {"rules": [rule(1, "tagged", 3, tagPrefixList=["release-"]), rule(5, "untagged", 1)]}
    assert check(make_repository(policy=policy)).passed


def test_placeholder_and_missing_repository(make_repository):
    assert "my_repository" in check(None).message
    verdict = check("no-such-repository")
    assert verdict.kind == "failed" and "no repository 'no-such-repository'" in verdict.message


def test_mutable_tags_fail(make_repository):
    verdict = check(make_repository(mutability="MUTABLE"))
    assert verdict.kind == "failed" and "imageTagMutability is MUTABLE" in verdict.message


def test_no_policy_fails(make_repository):
    verdict = check(make_repository(policy=None))
    assert verdict.kind == "failed" and "no lifecycle policy" in verdict.message


def test_keeping_too_many_releases_fails(make_repository):
    policy = {"rules": [rule(1, "untagged", 1), rule(2, "tagged", 5, tagPatternList=["release-*"])]}
    verdict = check(make_repository(policy=policy))
    assert verdict.kind == "failed" and "would keep release-3, release-4" in verdict.message


def test_an_any_rule_that_expires_dev_images_fails(make_repository):
    policy = {"rules": [rule(1, "any", 4)]}
    verdict = check(make_repository(policy=policy))
    assert verdict.kind == "failed" and "would also expire release-5, release-6, release-7" in verdict.message


def test_any_rule_not_last_is_a_shape_error(make_repository):
    policy = {"rules": [rule(1, "any", 4), rule(2, "untagged", 1)]}
    verdict = check(make_repository(policy=policy))
    assert verdict.kind == "failed" and "tagStatus any must have the highest rulePriority" in verdict.message


def test_age_rule_that_fits_the_sample_fails(make_repository):
    """sinceImagePushed 25 days expires exactly release-1..4 of the sample today, but is not "keep the 3 newest"."""
    releases = rule(2, "tagged", 25, tagPatternList=["release-*"])
    releases["selection"].update(countType="sinceImagePushed", countUnit="days")
    verdict = check(make_repository(policy={"rules": [rule(1, "untagged", 1), releases]}))
    assert verdict.kind == "failed" and "release-5" in verdict.message
