"""Sphinx extension of the book: fills the exam map page's tables from ``exam/skills.yml`` when the book is built.

``exam-map.md`` holds markers (``<!-- exam-map: coverage -->``, ``<!-- exam-map: domain N -->``); on
``source-read`` each is replaced by the HTML that ``labkit.exam_map`` renders, so the coverage figures are computed
from the map at every build, never typed, and the page stays plain Markdown (no kernel, no launch buttons).
Listed under ``sphinx: local_extensions`` in ``_config.yml``.
"""
from __future__ import annotations

import re

from labkit import exam_map

MARKER = re.compile(r"<!-- exam-map: (coverage|domain [1-4]) -->")


def fill(app, docname: str, source: list[str]) -> None:
    """Replace the exam map page's markers with the rendered coverage paragraph and domain tables."""
    if docname != "exam-map":
        return
    data = exam_map.load()

    def render(match: re.Match) -> str:
        what = match.group(1)
        return exam_map.coverage_html(data) if what == "coverage" else exam_map.domain_html(data, int(what[-1]))

    source[0] = MARKER.sub(render, source[0])


def setup(app):
    app.connect("source-read", fill)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
