"""``require``: a lab states the services it needs; labkit stops early and kindly when one is missing."""
from __future__ import annotations

import difflib
import functools
import html
import re

from . import hygiene
from .engines import current
from .errors import LabkitError, ServiceUnavailable


class UnknownService(LabkitError):
    """A service name boto3 does not know (usually a typo); the message suggests the close names."""


@functools.lru_cache(maxsize=2)
def _known(kind: str) -> tuple[str, ...]:
    import boto3

    session = boto3.session.Session()
    return tuple(session.get_available_resources() if kind == "resource" else session.get_available_services())


def known_service(service, kind: str = "client") -> str:
    """Return ``service`` if boto3 knows it (``kind`` "client" or "resource"), else raise UnknownService.

    The names are boto3's own (``boto3.session.Session().get_available_services()``, or
    ``get_available_resources()`` for a resource); the message suggests the closest ones.
    """
    if not isinstance(service, str):
        raise UnknownService(f"a service is named by a string such as 's3' or 'dynamodb', not {service!r}")
    names = _known(kind)
    if service in names:
        return service
    if kind == "resource" and service in _known("client"):
        raise UnknownService(f"boto3 has no resource for {service}; use labkit.client({service!r}) instead")
    close = difflib.get_close_matches(service.lower().strip(), names, n=3)
    hint = f" — did you mean {' or '.join(close)}?" if close else \
        " — check the spelling; names are boto3's, such as s3, dynamodb, lambda, sqs"
    what = "boto3 offers as a resource" if kind == "resource" else "boto3 knows"
    raise UnknownService(f"{service} is not an AWS service name {what}{hint}")


class EngineBanner:
    """What the lab runs against, shown under the Setup cell."""

    def __init__(self, info: dict, services: tuple[str, ...]):
        self.info, self.services = info, services
        self._shown = False

    def _ipython_display_(self) -> None:
        """Shown once: ``require`` displays it itself, so a Setup cell ending with another line shows it too."""
        if self._shown:
            return
        self._shown = True
        from IPython.display import display

        display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)

    def _repr_html_(self) -> str:
        where = html.escape(self.info["engine"])
        shown = (f"<p>🧪 Engine <strong>{where}</strong> at <code>{html.escape(self.info['endpoint'])}</code>, "
                 f"region <code>{html.escape(self.info['region'])}</code>; "
                 f"services ready: {', '.join(f'<code>{s}</code>' for s in self.services)}.</p>")
        if self.info["engine"] == "aws":
            from . import costs, tagging

            shown += costs.html_text(self.services)
            shown += (f"<p>🏷 What this lab creates is tagged <code>{tagging.TAG_KEY}={html.escape(tagging.run_id())}"
                      "</code>; Cleanup deletes it all (another kernel: set LABKIT_RUN_ID to this id).</p>")
        return shown

    def __repr__(self) -> str:
        shown = (f"engine {self.info['engine']} at {self.info['endpoint']}, region {self.info['region']}; "
                 f"services ready: {', '.join(self.services)}")
        if self.info["engine"] == "aws":
            from . import costs

            from . import tagging

            shown += "\n" + costs.text(self.services) + f"\nrun tag: {tagging.TAG_KEY}={tagging.run_id()}"
        return shown


CAPABILITY = re.compile(r"([a-z0-9-]+):([^:;]+)")


def require(*services: str, needs=()) -> EngineBanner:
    """Check that the engine offers every service, then remember what exists so cleanup() can undo the lab.

    ``require("s3", "sqs")`` (a single list or tuple is accepted too). Names are boto3's service names; an
    unknown one raises UnknownService suggesting the close names, a service the engine lacks raises
    ServiceUnavailable. ``"cdk"`` is not a service but the AWS CDK for Python and the Node.js it runs on
    (:func:`labkit.cdk.ready`): ServiceUnavailable saying what to install when they are missing.

    ``needs`` names the behaviours (capabilities) the lab relies on beyond a service answering, each
    ``"service:what"`` — a boto3 service name, a colon, a short name without ``:`` or ``;``, such as
    ``"ec2:default network ACL association"`` or ``"lambda:OnSuccess destination"``. An engine module lists what
    it lacks (``LACKS`` in ``labkit/engines/ministack.py`` and ``localstack.py``, each with a one-sentence reason
    from a probe of a named version); ``require`` raises ServiceUnavailable naming each lacking capability and its
    reason, so the lab stops in Setup rather than part-way. A capability no engine lacks is simply met. A malformed one raises
    UnknownService.
    """
    if len(services) == 1 and isinstance(services[0], (list, tuple)):
        services = tuple(services[0])
    if not services:
        raise UnknownService("name the services this lab needs, e.g. require('s3', 'lambda')")
    if "cdk" in services:  # not a service: the AWS CDK for Python and its Node.js (labkit/cdk.py)
        from . import cdk

        cdk.ready()
        services = tuple(service for service in services if service != "cdk")
        if not services:
            raise UnknownService("name the services the CDK app deploys too, e.g. require('cdk', 'cloudformation')")
    services = tuple(known_service(service) for service in services)
    needs = (needs,) if isinstance(needs, str) else tuple(needs)
    for capability in needs:
        found = CAPABILITY.fullmatch(capability) if isinstance(capability, str) else None
        if found is None:
            raise UnknownService(f"a capability is written 'service:what', e.g. 'lambda:OnSuccess destination', "
                                 f"not {capability!r}")
        known_service(found.group(1))
    engine = current()
    missing = engine.unavailable(list(services))
    if missing:
        reasons = "; ".join(f"{service}: {why}" for service, why in missing.items())
        raise ServiceUnavailable(
            f"This lab needs services the {engine.name} engine does not offer ({reasons}). Run it on the "
            "embedded engine (unset LABKIT_ENGINE and AWS_ENDPOINT_URL), which offers them all.")
    lacking = getattr(engine, "lacks", lambda needs: {})(list(needs)) if needs else {}
    if lacking:
        reasons = "; ".join(f"{capability}: {why}" for capability, why in lacking.items())
        raise ServiceUnavailable(
            f"This lab needs behaviour the {engine.name} engine does not offer ({reasons}). Run it on the "
            "embedded engine (unset LABKIT_ENGINE and AWS_ENDPOINT_URL).")
    hygiene.track(services)
    endpoint = getattr(engine, "endpoint_url", None) or f"AWS's own endpoints ({engine.region})"  # a terminal: python -m labkit env
    banner = EngineBanner({"engine": engine.name, "region": engine.region, "endpoint": endpoint}, services)
    _show_in_notebook(banner)
    return banner


def _show_in_notebook(banner: EngineBanner) -> None:
    """Display the banner now when a Jupyter kernel runs us (elsewhere the returned object is enough)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        banner._ipython_display_()
