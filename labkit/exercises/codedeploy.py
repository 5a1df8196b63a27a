"""Checks for labs/codedeploy: lifecycle event order, as in the AWS CodeDeploy User Guide ("AppSpec 'hooks'
section", run order of hooks)."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed

# Every lifecycle event in run order; the ones CodeDeploy reserves (no script can run there) are in RESERVED.
ORDERS = {
    "lambda": ["Start", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic", "End"],
    "ec2-in-place": ["Start", "BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic", "ApplicationStop",
                     "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart",
                     "ValidateService", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic", "End"],
    # replacement (green) instances first, then the original (blue) ones
    "ec2-blue-green": ["Start", "ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall",
                       "ApplicationStart", "ValidateService", "BeforeAllowTraffic", "AllowTraffic",
                       "AfterAllowTraffic", "BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic", "End"],
}
RESERVED = {"Start", "DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", "End"}


def scriptable(platform: str) -> list[str]:
    """The hooks an AppSpec file can name for ``platform``, in run order."""
    return [event for event in ORDERS[platform] if event not in RESERVED]


def hook_order(order, platform: str = "ec2-in-place") -> Verdict:
    """``order`` lists the scriptable hooks of ``platform`` (behind a load balancer) in the order they run."""
    expect(order, "my_order", (list, tuple), "a list of hook names in run order, e.g. ['BeforeBlockTraffic', ...]")
    order = [str(hook).strip() for hook in order]
    expected = scriptable(platform)
    reserved = [hook for hook in order if hook in RESERVED]
    if reserved:
        return failed(f"{', '.join(reserved)} cannot run scripts: CodeDeploy reserves them. List only the hooks "
                      "an AppSpec file can name.")
    unknown = [hook for hook in order if hook not in expected]
    if unknown:
        return failed(f"{', '.join(unknown)} is not a hook of this deployment type (check the spelling).")
    missing = [hook for hook in expected if hook not in order]
    if missing:
        return failed(f"Missing: {', '.join(missing)}. There are {len(expected)} scriptable hooks with a load "
                      "balancer.")
    for position, (given, right) in enumerate(zip(order, expected), start=1):
        if given != right:
            return failed(f"Position {position} should be {right}, not {given}. Think of what has to be true "
                          "first: traffic off, old app stopped, files in place, app started, checked, traffic on.")
    return passed(f"Right: {' → '.join(expected)}.")
