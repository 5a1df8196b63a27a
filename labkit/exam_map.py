"""The exam map: DVA-C02's skills, the chapter section that teaches each and the lab step that practises it.

The map lives in ``exam/skills.yml`` (task statements and skills from the AWS Certification "AWS Certified Developer -
Associate (DVA-C02) exam guide", in our own words). Each skill names a heading of a chapter (``teach``) and of a lab
(``practice``) by its exact text, or ``null`` where the course does not cover it yet. This module checks those
references against the book's sources, computes the coverage and renders the exam map page's tables (the book's
``_ext/exam_map_page.py`` puts them into ``exam-map.md`` at build time).
"""
from __future__ import annotations

import html
import json
import pathlib
import re
from dataclasses import dataclass

import yaml
from docutils.nodes import make_id

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKILLS = ROOT / "exam" / "skills.yml"
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
FENCE = re.compile(r"^(```|~~~)")
STYLE = "<style>.exam-map-gap{color:#b42318;font-style:italic}.exam-map td{vertical-align:top}</style>"


@dataclass(frozen=True)
class Skill:
    """One skill of a task statement, with where the course teaches and practises it (``page#heading`` or None)."""
    task: str
    text: str
    teach: str | None
    practice: str | None


def load(path: pathlib.Path = SKILLS) -> dict:
    """The exam map as parsed YAML: ``{"domains": [{"number", "title", "weight", "tasks": [...]}]}``."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def skills(data: dict) -> list[Skill]:
    """Every skill of every task statement, in the exam guide's order."""
    return [Skill(task["id"], s["skill"], s.get("teach"), s.get("practice"))
            for domain in data["domains"] for task in domain["tasks"] for s in task["skills"]]


def headings(page: str, root: pathlib.Path = ROOT) -> list[str]:
    """The heading texts of a book page (``chapters/<slug>`` or ``labs/<slug>``), outside code blocks.

    Raises FileNotFoundError when the page does not exist.
    """
    if page.startswith("labs/"):
        notebook = json.loads((root / f"{page}.ipynb").read_text(encoding="utf-8"))
        lines = [line for cell in notebook["cells"] if cell["cell_type"] == "markdown"
                 for line in "".join(cell["source"]).splitlines()]
    else:
        lines = (root / f"{page}.md").read_text(encoding="utf-8").splitlines()
    found, fenced = [], False
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            found.append(match.group(2))
    return found


def broken_references(data: dict, root: pathlib.Path = ROOT) -> list[str]:
    """One line per ``teach``/``practice`` reference whose page or heading does not exist (empty when all resolve)."""
    problems, cache = [], {}
    for skill in skills(data):
        for field, ref in (("teach", skill.teach), ("practice", skill.practice)):
            if ref is None:
                continue
            page, _, heading = ref.partition("#")
            expected = "chapters/" if field == "teach" else "labs/"
            if not page.startswith(expected):
                problems.append(f"{skill.task} {skill.text!r}: {field} must name a page under {expected}, not {page}")
                continue
            if page not in cache:
                try:
                    cache[page] = headings(page, root)
                except FileNotFoundError:
                    cache[page] = None
            if cache[page] is None:
                problems.append(f"{skill.task} {skill.text!r}: no page {page}")
            elif heading not in cache[page]:
                problems.append(f"{skill.task} {skill.text!r}: {page} has no heading {heading!r}")
    return problems


def coverage(data: dict) -> tuple[int, int, int]:
    """``(skills, taught, practised)``: how many skills there are, how many a chapter teaches, a lab practises."""
    every = skills(data)
    return len(every), sum(s.teach is not None for s in every), sum(s.practice is not None for s in every)


def href(ref: str) -> str:
    """The built book's address of ``page#heading``, relative to the site's root (Sphinx's section id)."""
    page, _, heading = ref.partition("#")
    return f"{page}.html#{make_id(heading)}"


def _cell(ref: str | None) -> str:
    if ref is None:
        return '<span class="exam-map-gap">not covered yet</span>'
    page, _, heading = ref.partition("#")
    return f'<a href="{html.escape(href(ref))}">{html.escape(page.split("/")[1])}: {html.escape(heading)}</a>'


def coverage_html(data: dict) -> str:
    """One paragraph with the computed coverage figures (and the tables' style)."""
    total, taught, practised = coverage(data)
    return (f"{STYLE}<p><strong>Coverage, computed from the map below:</strong> a chapter section teaches "
            f"<strong>{taught} of {total}</strong> skills ({taught / total:.0%}); a lab step practises "
            f"<strong>{practised} of {total}</strong> ({practised / total:.0%}).</p>")


def domain_html(data: dict, number: int) -> str:
    """The table of one domain: task statement, skill, where it is taught, where it is practised."""
    domain = next(d for d in data["domains"] if d["number"] == number)
    rows = []
    for task in domain["tasks"]:
        for i, s in enumerate(task["skills"]):
            head = (f'<td rowspan="{len(task["skills"])}"><strong>{task["id"]}</strong> '
                    f'{html.escape(task["title"])}</td>') if i == 0 else ""
            rows.append(f"<tr>{head}<td>{html.escape(s['skill'])}</td><td>{_cell(s.get('teach'))}</td>"
                        f"<td>{_cell(s.get('practice'))}</td></tr>")
    return ('<table class="exam-map table"><thead><tr><th>Task statement</th><th>Skill</th><th>Taught in</th>'
            f'<th>Practised in</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
