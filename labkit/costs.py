"""The cost banner a lab shows under its Setup cell when it runs on real AWS (data: ``labkit/costs.yml``)."""
from __future__ import annotations

import functools
import html
import os
import pathlib

import yaml

COSTS_FILE = pathlib.Path(__file__).with_name("costs.yml")
TIERS = {
    "free": "free: nothing it creates is billed by itself",
    "cents": "cents: billed per request, GB or second, so a run followed by Cleanup costs cents at most",
    "care": "needs care: billed by the hour or month while it exists, so run Cleanup the same day and check that "
            "it reports nothing left",
}
ORDER = ("free", "cents", "care")


@functools.lru_cache(maxsize=1)
def table() -> dict[str, dict]:
    """Every lab's entry: ``{slug: {"services": [...], "tier": "free|cents|care", "billed": "...", "source": [...]}}``."""
    return yaml.safe_load(COSTS_FILE.read_text())


def notebook_slug() -> str | None:
    """The running notebook's name without .ipynb, when Jupyter tells the kernel (JPY_SESSION_NAME, ``__session__``)."""
    path = os.environ.get("JPY_SESSION_NAME")
    if not path:
        try:
            from IPython import get_ipython

            shell = get_ipython()
            path = shell.user_ns.get("__session__") if shell is not None else None
        except ImportError:
            path = None
    return pathlib.Path(path).stem if path and str(path).endswith(".ipynb") else None


def labs_for(services) -> list[str]:
    """The labs these ``require`` services belong to: the running notebook if known, else those requiring exactly them."""
    slug = notebook_slug()
    if slug in table():
        return [slug]
    wanted = set(services)
    return sorted(lab for lab, entry in table().items() if set(entry["services"]) == wanted)


def banner(services) -> dict:
    """``{"labs", "tier", "billed", "source"}`` for a lab on AWS; several matching labs give the costliest tier and
    all their billed items; an unknown lab is ``care`` (nothing known, so the cautious answer)."""
    labs = labs_for(services)
    if not labs:
        return {"labs": [], "tier": "care", "billed": [f"whatever this lab creates with {', '.join(services)}"],
                "source": []}
    entries = [table()[lab] for lab in labs]
    tier = max((e["tier"] for e in entries), key=ORDER.index)
    billed = list(dict.fromkeys(e["billed"] for e in entries))
    source = list(dict.fromkeys(page for e in entries for page in e["source"]))
    return {"labs": labs, "tier": tier, "billed": billed, "source": source}


def text(services) -> str:
    info = banner(services)
    return (f"Cost on AWS — {TIERS[info['tier']]}. Billed: {'; '.join(info['billed'])}."
            + (f" (AWS pages: {', '.join(info['source'])}.)" if info["source"] else ""))


def html_text(services) -> str:
    info = banner(services)
    icon = {"free": "🟢", "cents": "🟡", "care": "🔴"}[info["tier"]]
    return (f"<p>{icon} <strong>Cost on AWS</strong> — {html.escape(TIERS[info['tier']])}. Billed: "
            f"{html.escape('; '.join(info['billed']))}."
            + (f" <small>(AWS pages: {html.escape(', '.join(info['source']))}.)</small>" if info["source"] else "")
            + "</p>")
