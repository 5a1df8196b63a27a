"""Checks for labs/ecr."""
from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current

RELEASES_KEPT = 3
"""How many images tagged release-* the exercise's policy keeps."""
UNTAGGED_KEPT = 1
"""How many untagged images it keeps."""
DAY = 86400
# A made-up repository history to judge a policy by what it would do (push times in days before "now"):
# seven releases, four untagged images, two dev images; pushed in this order, oldest first.
SAMPLE = ([(f"release-{n}", 30 - n) for n in range(1, 8)] + [(None, 20 - n) for n in range(4)]
          + [("dev-a", 3), ("dev-b", 2)])


def _sample_images(now: float) -> list[dict]:
    return [{"imageDigest": f"sha256:{n:064x}", "imageTags": [tag] if tag else [],
             "imagePushedAt": now - age * DAY} for n, (tag, age) in enumerate(SAMPLE)]


def _label(image) -> str:
    return image["imageTags"][0] if image["imageTags"] else f"untagged image {image['imageDigest'][-2:]}"


def _rule_problems(policy) -> list[str]:
    """Shape errors AWS refuses a policy for ("Lifecycle policy properties in Amazon ECR")."""
    if not isinstance(policy, dict) or not isinstance(policy.get("rules"), list) or not policy["rules"]:
        return ["the policy must be a JSON object with a non-empty \"rules\" list"]
    problems, priorities = [], []
    for n, rule in enumerate(policy["rules"], 1):
        if not isinstance(rule, dict):
            problems.append(f"rule {n} is not an object")
            continue
        priority = rule.get("rulePriority")
        if not isinstance(priority, int):
            problems.append(f"rule {n} needs an integer rulePriority")
        priorities.append(priority)
        selection = rule.get("selection") or {}
        status = selection.get("tagStatus")
        if status not in ("tagged", "untagged", "any"):
            problems.append(f"rule {n}: selection.tagStatus must be tagged, untagged or any (got {status!r})")
        if status == "tagged" and not (selection.get("tagPrefixList") or selection.get("tagPatternList")):
            problems.append(f"rule {n}: a tagged rule needs tagPrefixList or tagPatternList")
        if selection.get("countType") not in ("imageCountMoreThan", "sinceImagePushed"):
            problems.append(f"rule {n}: countType must be imageCountMoreThan or sinceImagePushed")
        if not isinstance(selection.get("countNumber"), int) or selection.get("countNumber", 0) < 1:
            problems.append(f"rule {n}: countNumber must be a whole number of at least 1")
        if (rule.get("action") or {}).get("type") != "expire":
            problems.append(f"rule {n}: the action is {{\"type\": \"expire\"}}")
    if len(set(priorities)) != len(priorities):
        problems.append("every rule needs its own rulePriority")
    anys = [r.get("rulePriority") for r in policy["rules"] if isinstance(r, dict)
            and (r.get("selection") or {}).get("tagStatus") == "any"]
    if anys and all(isinstance(p, int) for p in priorities) and max(anys) != max(priorities):
        problems.append("a rule with tagStatus any must have the highest rulePriority")
    return problems


def release_repository(repository_name) -> Verdict:
    """The repository ``repository_name`` (str) has immutable tags and a lifecycle policy that keeps the 3 newest
    images tagged ``release-*`` and the newest untagged image, and expires nothing else.

    Judged: DescribeRepositories (``imageTagMutability`` IMMUTABLE, "Preventing image tags from being overwritten in
    Amazon ECR"); GetLifecyclePolicy (rules shaped as "Lifecycle policy properties in Amazon ECR" requires); then
    what the policy would expire in a made-up history of 7 releases, 4 untagged and 2 dev images, evaluated as
    "Lifecycle policy evaluation rules" say (``labkit.emulator.ecr.preview``), now and again a year later (a
    count of images to keep does not depend on their age). A repository or policy that is
    missing is a hint (the engine's ``RepositoryNotFoundException`` / ``LifecyclePolicyNotFoundException``).
    """
    import time

    from ..emulator.ecr import preview

    expect(repository_name, "my_repository", str, "the name of the repository you created")
    ecr = current().client("ecr")
    try:
        repository = ecr.describe_repositories(repositoryNames=[repository_name])["repositories"][0]
    except ClientError as exc:
        if exc.response["Error"].get("Code") != "RepositoryNotFoundException":
            raise
        return failed(f"There is no repository {repository_name!r}: create it with create_repository and put "
                      "its name (not its URI) in my_repository.")
    hints = []
    if repository.get("imageTagMutability") != "IMMUTABLE":
        hints.append(f"imageTagMutability is {repository.get('imageTagMutability')}: make the tags IMMUTABLE so "
                     "that a release tag can never be pushed again")
    try:
        text = ecr.get_lifecycle_policy(repositoryName=repository_name)["lifecyclePolicyText"]
    except ClientError as exc:
        if exc.response["Error"].get("Code") != "LifecyclePolicyNotFoundException":
            raise
        return failed("; ".join(hints + ["The repository has no lifecycle policy: put one with "
                                         "put_lifecycle_policy"]) + ".")
    policy = json.loads(text)
    problems = _rule_problems(policy)
    if problems:
        return failed("; ".join(hints + problems) + ".")
    now = time.time()
    images = _sample_images(now)
    expired = {i["imageDigest"] for i in preview(text, images, now=now)}
    # judged again a year later with no new push: "keep the newest N" expires the same images, while an age rule
    # (sinceImagePushed) that happens to fit the sample's dates now expires the images it should keep
    expired |= {i["imageDigest"] for i in preview(text, images, now=now + 365 * DAY)}
    releases = [i for i in images if i["imageTags"] and i["imageTags"][0].startswith("release-")]
    untagged = [i for i in images if not i["imageTags"]]
    keep = {i["imageDigest"] for i in releases[-RELEASES_KEPT:] + untagged[-UNTAGGED_KEPT:]}
    keep |= {i["imageDigest"] for i in images if i["imageTags"] and i["imageTags"][0].startswith("dev-")}
    should_expire = {i["imageDigest"] for i in images} - keep
    wrongly = [_label(i) for i in images if i["imageDigest"] in expired - should_expire]
    missed = [_label(i) for i in images if i["imageDigest"] in should_expire - expired]
    if wrongly:
        hints.append(f"in a repository holding release-1 … release-7, 4 untagged and 2 dev images, the policy "
                     f"would also expire {', '.join(wrongly)}, which must be kept")
    if missed:
        hints.append(f"in that repository the policy would keep {', '.join(missed)}, which should expire (keep "
                     f"the {RELEASES_KEPT} newest release-* images and the {UNTAGGED_KEPT} newest untagged one)")
    if hints:
        return failed("; ".join(hints) + ".")
    return passed(f"Immutable tags; the policy keeps the {RELEASES_KEPT} newest release images and the newest "
                  "untagged one, and leaves every other image alone.")
