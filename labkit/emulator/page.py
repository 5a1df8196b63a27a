"""The book page "How the emulator differs from AWS", rendered from the registry's differences.

``reference/emulator-differences.md`` holds the marker ``<!-- emulator-differences -->``; the book's
``_ext/emulator_differences_page.py`` replaces it on ``source-read`` with :func:`table_html`, so the page lists
exactly the :class:`~labkit.emulator.registry.Difference` objects the emulator's modules declare at build time.
"""
from __future__ import annotations

import html
import pathlib
import re

from .registry import Difference, differences

MARKER = "<!-- emulator-differences -->"
COUNT_MARKER = "<!-- emulator-differences: count -->"
LABS = pathlib.Path(__file__).resolve().parent.parent.parent / "labs"
SERVICE_NAMES = {"apigateway": "API Gateway", "cloudformation": "CloudFormation", "dynamodb": "DynamoDB",
                 "events": "EventBridge", "kinesis": "Kinesis", "lambda": "Lambda", "s3": "S3", "sns": "SNS",
                 "sqs": "SQS", "stepfunctions": "Step Functions"}
"""Display names for the service slugs some modules use (others already give AWS's name)."""
STYLE = ("<style>.emulator-differences td{vertical-align:top}.emulator-differences td:nth-child(4){font-style:italic}"
         "</style>")


def unknown_labs(found: list[Difference] | None = None, labs: pathlib.Path = LABS) -> list[str]:
    """``"<difference id>: labs/<slug>"`` for each lab a difference names that has no notebook (empty when all do)."""
    return [f"{d.id}: labs/{lab}" for d in (differences() if found is None else found) for lab in d.labs
            if not (labs / f"{lab}.ipynb").exists()]


def service_name(difference: Difference) -> str:
    """The service as the page shows it: AWS's name for a slug such as ``"apigateway"``."""
    return SERVICE_NAMES.get(difference.service.lower(), difference.service)


def _labs_cell(difference: Difference) -> str:
    links = [f'<a href="../labs/{html.escape(lab)}.html">{html.escape(lab)}</a>' for lab in difference.labs]
    return ", ".join(links) or "—"


def table_html(found: list[Difference] | None = None) -> str:
    """One table of every difference, by service then id: service, AWS, engine, AWS page, labs affected."""
    found = sorted(differences() if found is None else found, key=lambda d: (service_name(d).lower(), d.id))
    rows = [f'<tr id="{html.escape(d.id)}"><td>{html.escape(service_name(d))}</td><td>{html.escape(d.aws)}</td>'
            f"<td>{html.escape(d.engine)}</td><td>“{html.escape(d.doc)}”</td><td>{_labs_cell(d)}</td></tr>"
            for d in found]
    return (f'{STYLE}<table class="emulator-differences table"><thead><tr><th>Service</th><th>What AWS does</th>'
            "<th>What the embedded engine does</th><th>AWS documentation page</th><th>Labs affected</th></tr>"
            f'</thead><tbody>{"".join(rows)}</tbody></table>')


def fill(text: str, found: list[Difference] | None = None) -> str:
    """``text`` with the page's markers replaced by the table and by the number of differences."""
    found = differences() if found is None else found
    text = text.replace(COUNT_MARKER, str(len(found)))
    return re.sub(re.escape(MARKER), lambda _: table_html(found), text)
