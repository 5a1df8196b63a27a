"""Checks for labs/xray-sampling, and the simulated clock the lab drives the SDK's local sampler with."""
from __future__ import annotations

import contextlib
import copy
from unittest import mock

from ..checks import Verdict, expect, failed, passed


class SimulatedClock:
    """A clock for the X-Ray SDK's reservoir: ``time()`` returns ``now``, which the caller moves forward.

    The SDK's local reservoir counts the requests it sampled in the current whole second of ``time.time()``; a
    simulated clock makes a timeline of many seconds run in milliseconds and come out the same on every machine.
    """

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = float(start)

    def time(self) -> float:
        return self.now


@contextlib.contextmanager
def simulated_clock(start: float = 1_800_000_000.0):
    """Within the block, the SDK's local-sampler reservoirs read the returned :class:`SimulatedClock`.

    Make the ``LocalSampler`` inside the block (its reservoirs read the clock when they are created).
    """
    from aws_xray_sdk.core.sampling.local import reservoir

    clock = SimulatedClock(start)
    with mock.patch.object(reservoir, "time", clock):
        yield clock


class _FixedRandom:
    """Stands in for the sampler's random generator: every draw returns ``value``."""

    def __init__(self, value: float):
        self.value = value

    def random(self) -> float:
        return self.value


def _sampled(rules: dict, request: dict, count: int, draw: float) -> int:
    """How many of ``count`` requests in one second the SDK's LocalSampler samples when every random draw is
    ``draw`` (1.0: only the reservoir samples; a draw just under the rate: every request is sampled)."""
    from aws_xray_sdk.core.sampling.local.sampler import LocalSampler

    with simulated_clock():
        sampler = LocalSampler(copy.deepcopy(rules))
        sampler._random = _FixedRandom(draw)
        return sum(sampler.should_trace(dict(request)) for _ in range(count))


def _message(error: Exception) -> str:
    """The SDK's error text (it passes a %-format and its values as separate arguments)."""
    try:
        return str(error.args[0] % error.args[1:]) if len(error.args) > 1 else str(error)
    except (TypeError, ValueError):
        return str(error.args[0])


def checkout_rules(rules, host: str = "shop.example.com", path: str = "/checkout", reservoir: int = 3,
                   rate: float = 0.2) -> Verdict:
    """``rules`` is a local sampling rules document (version 2) for the X-Ray SDK in which ``POST`` requests to
    ``path`` on any host are sampled ``reservoir`` per second, then ``rate`` of the rest, and every other request
    by the default rule (1 per second, then 5 %).

    Judged by behaviour: the SDK's own ``LocalSampler`` loads the document and decides for simulated requests
    (one simulated second each, random draws fixed), as described on the AWS page "Configuring sampling rules"
    and in the SDK's local sampling rules format.
    """
    expect(rules, "my_rules", dict, "a sampling rules document: {'version': 2, 'rules': [...], 'default': {...}}")
    from aws_xray_sdk.core.exceptions.exceptions import InvalidSamplingManifestError

    try:
        checkout = {"host": host, "method": "POST", "path": path}
        reservoir_only = _sampled(rules, checkout, 20, 1.0)
    except InvalidSamplingManifestError as error:
        return failed(f"The SDK refuses the document: {_message(error).rstrip('.')}."
                      " A custom rule needs host, http_method, url_path, fixed_target and rate; the default rule "
                      "only fixed_target and rate; and 'version': 2.")
    except (TypeError, AttributeError, KeyError, ValueError) as error:
        return failed(f"The SDK cannot read the document ({type(error).__name__}: {error}). Each rule is a dict "
                      "with numbers for fixed_target and rate, and strings for host, http_method and url_path.")
    if reservoir_only == 20:
        return failed(f"Every one of 20 POST {path} requests in one second was sampled: the rate is a fraction "
                      f"between 0 and 1 ({rate} for {rate:.0%}), not a percentage, and fixed_target counts requests "
                      "per second.")
    if reservoir_only != reservoir:
        return failed(f"Of 20 POST {path} requests in one second, {reservoir_only} were sampled by the reservoir; "
                      f"the rule should guarantee {reservoir} a second (fixed_target), and match POST {path} on "
                      "any host (host '*').")
    other_host = "api.example.org"
    on_other_host = _sampled(rules, {"host": other_host, "method": "POST", "path": path}, 20, 1.0)
    if on_other_host != reservoir:
        return failed(f"POST {path} on another host ({other_host}) got {on_other_host} a second from the reservoir, "
                      f"not {reservoir}: the rule should match any host (host '*'), not only {host}.")
    below, above = _sampled(rules, checkout, 20, rate - 0.001), _sampled(rules, checkout, 20, rate + 0.001)
    if below != 20 or above != reservoir:
        return failed(f"Beyond the reservoir, POST {path} should be sampled at rate {rate} ({rate:.0%}); your rule's "
                      "rate is different (rate is a fraction between 0 and 1, not a percentage).")
    for other in ({"host": host, "method": "GET", "path": path}, {"host": host, "method": "POST", "path": "/orders"}):
        if _sampled(rules, other, 20, 1.0) != 1 or _sampled(rules, other, 20, 0.049) != 20 \
                or _sampled(rules, other, 20, 0.051) != 1:
            return failed(f"A {other['method']} {other['path']} request should fall to the default rule (1 a second, "
                          "then 5 %), but it does not: make the custom rule match only http_method 'POST' and "
                          f"url_path {path!r}, and keep the default rule at fixed_target 1, rate 0.05.")
    return passed(f"POST {path}: {reservoir} a second guaranteed, then {rate:.0%}; everything else: the default "
                  "1 a second, then 5 %.")
