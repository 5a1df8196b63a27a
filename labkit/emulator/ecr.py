"""Amazon ECR: what labkit adds to or fixes in moto, and where the embedded engine differs from AWS.

- Tag immutability: with ``imageTagMutability=IMMUTABLE``, pushing an image with a tag already in the repository
  fails with ``ImageTagAlreadyExistsException`` ("Preventing image tags from being overwritten in Amazon ECR");
  moto 5.2.5 answers ``ImageAlreadyExistsException``, the error AWS keeps for re-pushing the same image with the
  same tag. labkit raises AWS's error.
- Lifecycle policy preview: ``StartLifecyclePolicyPreview`` / ``GetLifecyclePolicyPreview`` (moto 5.2.5: 500,
  NotImplementedError). labkit evaluates the policy against the repository's images as "Lifecycle policy
  evaluation rules" and "Lifecycle policy properties in Amazon ECR" describe: rules in ``rulePriority`` order
  (lowest first); ``tagStatus`` tagged (with ``tagPrefixList`` or ``tagPatternList``: every prefix or pattern
  matched by one of the image's tags), untagged or any; ``imageCountMoreThan`` keeps the newest ``countNumber``
  images (by push time) and selects the older ones; ``sinceImagePushed`` selects images pushed more than
  ``countNumber`` days ago; an image is expired by at most one rule, and an image that matches the tag selection
  of a higher-priority rule cannot be expired by a lower-priority one (it still counts in that rule's images).
  ``countType`` values for archiving (``sinceImagePulled``, ``sinceImageTransitioned``) are not evaluated.
- Lifecycle policy validation: ``PutLifecyclePolicy`` refuses a policy whose values have the wrong type, and a
  ``sinceImagePushed`` rule without ``countUnit``, with ``InvalidParameterException`` ("Lifecycle policy
  properties in Amazon ECR"); moto 5.2.5 answers the first with HTTP 500 and accepts the second.
"""
from __future__ import annotations

import fnmatch
import json
import time

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

DIFFERENCES = [
    Difference(
        id="ecr-scan-findings-fake",
        service="ECR",
        aws="Basic scanning scans an image's operating system packages against the CVE database (on push when "
            "configured, or with StartImageScan once per 24 hours), and DescribeImageScanFindings lists what it "
            "found; enhanced scanning (Amazon Inspector) also scans programming language packages, continuously.",
        engine="Nothing is scanned: scan on push starts no scan, and after StartImageScan every image has the same "
               "single made-up finding (CVE-9999-9999 in a package named moto_fake).",
        doc="Scan images for software vulnerabilities in Amazon ECR",
        labs=("ecr",),
    ),
    Difference(
        id="ecr-no-registry-endpoint",
        service="ECR",
        aws="GetAuthorizationToken returns a base64 token 'AWS:<password>' valid for 12 hours, which docker login "
            "uses against the registry https://<account>.dkr.ecr.<region>.amazonaws.com to push and pull images.",
        engine="The token's password is a fixed text, its expiresAt is in the past (2015), and no Docker registry "
               "answers at the proxyEndpoint: images are pushed with the API only (layer upload, then PutImage).",
        doc="Private registry authentication in Amazon ECR",
        labs=("ecr",),
    ),
    Difference(
        id="ecr-lifecycle-not-applied",
        service="ECR",
        aws="After a lifecycle policy is set, the images it selects are expired within 24 hours.",
        engine="The policy is stored and its preview is computed (by labkit), but no image is ever expired.",
        doc="Creating a lifecycle policy for a repository in Amazon ECR",
        labs=("ecr",),
    ),
]

TRIGGERS = [
    Trigger("moto.ecr.responses.ECRResponse.describe_image_scan_findings", "ecr-scan-findings-fake"),
    Trigger("moto.ecr.responses.ECRResponse.get_authorization_token", "ecr-no-registry-endpoint"),
    Trigger("moto.ecr.responses.ECRResponse.put_lifecycle_policy", "ecr-lifecycle-not-applied"),
]

PATCHES = [
    trigger_patch("ecr-notices", TRIGGERS),
    Patch(name="ecr-tag-immutability-error",
          changes="A push of a tag that already exists in an IMMUTABLE repository raises "
                  "ImageTagAlreadyExistsException (moto: ImageAlreadyExistsException)",
          symbols=("moto.ecr.models.ECRBackend.put_image", "moto.ecr.exceptions.ImageAlreadyExistsException",
                   "moto.ecr.exceptions.ServiceException"),
          upstream="moto ecr: raise ImageTagAlreadyExistsException for an immutable tag"),
    Patch(name="ecr-lifecycle-policy-validation",
          changes="A lifecycle policy with a value of the wrong type (an action or selection that is not an object, "
                  "a countNumber that is a string) is refused with InvalidParameterException (moto: HTTP 500), and "
                  "a sinceImagePushed rule needs countUnit (moto accepts it without)",
          symbols=("moto.ecr.policy_validation.EcrLifecyclePolicyValidator.validate",
                   "moto.ecr.exceptions.InvalidParameterException"),
          upstream="moto ecr: EcrLifecyclePolicyValidator raises InvalidParameterException for mistyped values"),
    Patch(name="ecr-lifecycle-policy-preview",
          changes="StartLifecyclePolicyPreview / GetLifecyclePolicyPreview evaluate the policy against the "
                  "repository's images (moto answers 500, NotImplementedError)",
          symbols=("moto.ecr.responses.ECRResponse", "moto.ecr.models.ECRBackend._get_repository",
                   "moto.ecr.exceptions.LifecyclePolicyNotFoundException"),
          upstream="moto ecr: implement start_lifecycle_policy_preview and get_lifecycle_policy_preview"),
]

DAY = 86400
EVALUATED = ("imageCountMoreThan", "sinceImagePushed")
_original_put_image = None
_original_validate = None
moto_had_lifecycle_preview = None  # what moto's ECRResponse defined itself before install()
_previews: dict[tuple[str, str], str] = {}  # (registry id, repository) -> policy text of the last started preview


def _tag_match(rule_selection: dict, tags: list[str]) -> bool:
    status = rule_selection.get("tagStatus")
    if status == "any":
        return True
    if status == "untagged":
        return not tags
    if not tags:
        return False
    prefixes = rule_selection.get("tagPrefixList") or []
    patterns = rule_selection.get("tagPatternList") or []
    return all(any(t.startswith(p) for t in tags) for p in prefixes) and \
        all(any(fnmatch.fnmatchcase(t, p) for t in tags) for p in patterns)


def preview(policy_text: str, images: list[dict], now: float | None = None) -> list[dict]:
    """The images ``policy_text`` would expire, each ``{"imageDigest", "imageTags", "imagePushedAt" (epoch s),
    "appliedRulePriority"}``, oldest first.

    ``images``: ``{"imageDigest": str, "imageTags": [str], "imagePushedAt": epoch seconds}``, in push order. Raises ValueError
    for a policy that is not JSON with a ``rules`` list. Semantics in the module docstring.
    """
    policy = json.loads(policy_text)
    if not isinstance(policy, dict) or not isinstance(policy.get("rules"), list):
        raise ValueError("a lifecycle policy is a JSON object with a 'rules' list")
    now = time.time() if now is None else now
    order = {i["imageDigest"]: n for n, i in enumerate(images)}  # push order breaks ties of the same second
    matched_before: set[str] = set()
    expiring: dict[str, dict] = {}
    for rule in sorted(policy["rules"], key=lambda r: int(r.get("rulePriority", 0))):
        selection = rule.get("selection") or {}
        candidates = [i for i in images if _tag_match(selection, i.get("imageTags") or [])]
        count_type, number = selection.get("countType"), int(selection.get("countNumber", 0))
        if count_type == "imageCountMoreThan":
            newest_first = sorted(candidates, key=lambda i: (i["imagePushedAt"], order[i["imageDigest"]]),
                                  reverse=True)
            chosen = newest_first[number:]
        elif count_type == "sinceImagePushed":
            chosen = [i for i in candidates if now - i["imagePushedAt"] > number * DAY]
        else:
            chosen = []
        for image in chosen:
            digest = image["imageDigest"]
            if digest not in matched_before and digest not in expiring:
                expiring[digest] = {**image, "appliedRulePriority": int(rule["rulePriority"])}
        matched_before.update(i["imageDigest"] for i in candidates)
    return sorted(expiring.values(), key=lambda i: (i["imagePushedAt"], order[i["imageDigest"]]))


def _put_image(self, repository_name, image_manifest, image_tag, *args, **kwargs):
    """moto's ``put_image``; a tag refused by the repository's tag mutability becomes AWS's
    ImageTagAlreadyExistsException (the same image pushed again with the same tag keeps moto's
    ImageAlreadyExistsException, as on AWS)."""
    from moto.ecr.exceptions import ImageAlreadyExistsException

    try:
        return _original_put_image(self, repository_name, image_manifest, image_tag, *args, **kwargs)
    except ImageAlreadyExistsException:
        repository = self.repositories.get(repository_name)
        same = repository is not None and any(i.image_manifest == image_manifest and image_tag in i.image_tags
                                              for i in repository.images)
        if repository is None or same:
            raise
        raise ImageTagAlreadyExistsException(image_tag, repository_name) from None


def _validate(self) -> None:
    """moto's lifecycle policy validation; a mistyped value that moto's validator trips over (AttributeError,
    TypeError) and a ``sinceImagePushed`` rule without ``countUnit`` are refused with InvalidParameterException,
    as AWS refuses a policy that breaks "Lifecycle policy properties in Amazon ECR" (countUnit: required when
    countType is sinceImagePushed)."""
    from moto.ecr.exceptions import InvalidParameterException

    prefix = self.INVALID_PARAMETER_ERROR_MESSAGE
    try:
        _original_validate(self)
    except InvalidParameterException:
        raise
    except (AttributeError, TypeError, KeyError, ValueError):
        raise InvalidParameterException(prefix + "a value in the policy has the wrong type (selection and action "
                                        "are objects, rulePriority and countNumber integers)'") from None
    for rule in self._rules:
        selection = rule.get("selection") if isinstance(rule, dict) else None
        if isinstance(selection, dict) and selection.get("countType") == "sinceImagePushed" \
                and not selection.get("countUnit"):
            raise InvalidParameterException(prefix + "countUnit is required when countType is sinceImagePushed "
                                            "(\"countUnit\": \"days\")'")


def _exception_class():
    from moto.ecr.exceptions import ServiceException

    class _ImageTagAlreadyExists(ServiceException):
        code = "ImageTagAlreadyExistsException"

        def __init__(self, tag: str, repository_name: str):
            super().__init__(f"The image tag '{tag}' already exists in the '{repository_name}' repository and "
                             "cannot be overwritten because the repository is immutable.")

    return _ImageTagAlreadyExists


ImageTagAlreadyExistsException = None  # made at install (it subclasses moto's ServiceException)


def _images_of(repository) -> list[dict]:
    return [{"imageDigest": i.get_image_digest(), "imageTags": list(i.image_tags),
             "imagePushedAt": float(i.image_pushed_at)} for i in repository.images]


def start_lifecycle_policy_preview(self):
    """``StartLifecyclePolicyPreview``: the given policy text, or the repository's own policy."""
    from moto.core.responses import ActionResult
    from moto.ecr.exceptions import InvalidParameterException, LifecyclePolicyNotFoundException

    name, registry_id = self._get_param("repositoryName"), self._get_param("registryId")
    repository = self.ecr_backend._get_repository(name, registry_id)
    text = self._get_param("lifecyclePolicyText") or repository.lifecycle_policy
    if not text:
        raise LifecyclePolicyNotFoundException(name, repository.registry_id)
    try:
        preview(text, [])
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidParameterException(f"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
                                        f"'{exc}'") from None
    _previews[(repository.registry_id, name)] = text
    return ActionResult({"registryId": repository.registry_id, "repositoryName": name,
                         "lifecyclePolicyText": text, "status": "IN_PROGRESS"})


def get_lifecycle_policy_preview(self):
    """``GetLifecyclePolicyPreview``: the result of the last started preview (COMPLETE at once)."""
    from moto.core.responses import ActionResult
    from moto.ecr.exceptions import ServiceException

    name, registry_id = self._get_param("repositoryName"), self._get_param("registryId")
    repository = self.ecr_backend._get_repository(name, registry_id)
    text = _previews.get((repository.registry_id, name))
    if text is None:
        class _NotFound(ServiceException):
            code = "LifecyclePolicyPreviewNotFoundException"

        raise _NotFound(f"There is no dry run for the repository '{name}' in the registry "
                        f"'{repository.registry_id}'; start one with StartLifecyclePolicyPreview.")
    results = preview(text, _images_of(repository))
    return ActionResult({
        "registryId": repository.registry_id, "repositoryName": name, "lifecyclePolicyText": text,
        "status": "COMPLETE",
        "previewResults": [{"imageTags": r["imageTags"], "imageDigest": r["imageDigest"],
                            "imagePushedAt": r["imagePushedAt"], "action": {"type": "EXPIRE"},
                            "appliedRulePriority": r["appliedRulePriority"]} for r in results],
        "summary": {"expiringImageTotalCount": len(results)},
    })


def install() -> None:
    """Fix the immutable-tag error, add the lifecycle preview actions, show the notices (idempotent)."""
    global _original_put_image, _original_validate, moto_had_lifecycle_preview, ImageTagAlreadyExistsException
    from moto.ecr.models import ECRBackend
    from moto.ecr.policy_validation import EcrLifecyclePolicyValidator
    from moto.ecr.responses import ECRResponse

    install_triggers(TRIGGERS)
    if _original_put_image is None:
        ImageTagAlreadyExistsException = _exception_class()
        moto_had_lifecycle_preview = "start_lifecycle_policy_preview" in vars(ECRResponse)
        _original_put_image = ECRBackend.put_image
        ECRBackend.put_image = _put_image
        ECRResponse.start_lifecycle_policy_preview = start_lifecycle_policy_preview
        ECRResponse.get_lifecycle_policy_preview = get_lifecycle_policy_preview
        _original_validate = EcrLifecyclePolicyValidator.validate
        EcrLifecyclePolicyValidator.validate = _validate
