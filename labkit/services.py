"""``require``: a lab states the services it needs; labkit stops early and kindly when one is missing."""
from __future__ import annotations

import html

from . import hygiene
from .engines import current
from .errors import ServiceUnavailable


class EngineBanner:
    """What the lab runs against, shown under the Setup cell."""

    def __init__(self, info: dict, services: tuple[str, ...]):
        self.info, self.services = info, services

    def _repr_html_(self) -> str:
        where = html.escape(self.info["engine"])
        return (f"<p>🧪 Engine <strong>{where}</strong>, region <code>{html.escape(self.info['region'])}</code>; "
                f"services ready: {', '.join(f'<code>{s}</code>' for s in self.services)}.</p>")

    def __repr__(self) -> str:
        return f"engine {self.info['engine']}, region {self.info['region']}; services ready: {', '.join(self.services)}"


def require(*services: str) -> EngineBanner:
    """Check that the engine offers every service, then remember what exists so cleanup() can undo the lab."""
    engine = current()
    missing = engine.unavailable(list(services))
    if missing:
        reasons = "; ".join(f"{service}: {why}" for service, why in missing.items())
        raise ServiceUnavailable(
            f"This lab needs services the {engine.name} engine does not offer ({reasons}). Run it on the "
            "embedded engine (unset LABKIT_ENGINE and AWS_ENDPOINT_URL), which offers them all.")
    hygiene.track(services)
    return EngineBanner({"engine": engine.name, "region": engine.region}, services)
