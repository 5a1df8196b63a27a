"""The exam map (exam/skills.yml): every section and lab step it names exists, and the coverage is computed."""
from __future__ import annotations

import copy
import pathlib
import re

import pytest

from labkit import exam_map

DATA = exam_map.load()
BUILT = exam_map.ROOT / "_build" / "html"


def test_every_reference_names_an_existing_heading():
    assert exam_map.broken_references(DATA) == []


def test_a_wrong_heading_or_page_is_reported():
    data = copy.deepcopy(DATA)
    first = data["domains"][0]["tasks"][0]["skills"]
    first[0]["teach"] = "chapters/s3#No such section"
    first[1]["practice"] = "labs/no-such-lab#Step 1"
    first[2]["teach"] = "labs/s3-basics#Step 1 — a bucket and some objects"  # a lab is not a chapter
    problems = exam_map.broken_references(data)
    assert len(problems) == 3
    assert "has no heading 'No such section'" in problems[0]
    assert "no page labs/no-such-lab" in problems[1]
    assert "must name a page under chapters/" in problems[2]


def test_task_statements_are_the_exam_guides():
    """DVA-C02: four domains weighted 32/26/24/18 with 3, 3, 4 and 3 task statements, each listing skills."""
    assert [(d["number"], d["weight"]) for d in DATA["domains"]] == [(1, 32), (2, 26), (3, 24), (4, 18)]
    tasks = [t["id"] for d in DATA["domains"] for t in d["tasks"]]
    assert tasks == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3"]
    for domain in DATA["domains"]:
        for task in domain["tasks"]:
            assert task["id"].startswith(f"{domain['number']}.") and task["skills"], task["id"]


def test_coverage_is_counted_from_the_map():
    total, taught, practised = exam_map.coverage(DATA)
    every = exam_map.skills(DATA)
    assert total == len(every) > 50
    assert taught == len([s for s in every if s.teach]) and practised == len([s for s in every if s.practice])
    html = exam_map.coverage_html(DATA)
    assert f"{taught} of {total}" in html and f"{practised} of {total}" in html


def test_a_gap_is_shown_as_not_covered():
    data = copy.deepcopy(DATA)
    data["domains"][1]["tasks"][0]["skills"][0]["teach"] = None
    assert "not covered yet" in exam_map.domain_html(data, 2)
    assert exam_map.coverage(data)[1] == exam_map.coverage(DATA)[1] - 1


def test_links_use_sphinx_section_ids():
    assert exam_map.href("labs/s3-basics#Step 1 — a bucket and some objects") == \
        "labs/s3-basics.html#step-1-a-bucket-and-some-objects"
    assert exam_map.href("chapters/cognito#Identity pools (federated identities)") == \
        "chapters/cognito.html#identity-pools-federated-identities"


@pytest.mark.skipif(not (BUILT / "exam-map.html").exists(), reason="the book is not built (jupyter-book build .)")
def test_every_link_of_the_built_page_reaches_its_section():
    page = (BUILT / "exam-map.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="((?:chapters|labs)/[^"#]+\.html)#([^"]+)"', page))
    assert len(links) > 40
    for target, anchor in sorted(links):
        assert f'id="{anchor}"' in (BUILT / target).read_text(encoding="utf-8"), f"{target}#{anchor}"


def test_the_book_extension_fills_every_marker_of_the_page():
    import sys
    sys.path.insert(0, str(exam_map.ROOT / "_ext"))
    try:
        import exam_map_page
    finally:
        sys.path.pop(0)
    source = [(exam_map.ROOT / "exam-map.md").read_text(encoding="utf-8")]
    exam_map_page.fill(None, "exam-map", source)
    assert "<!-- exam-map:" not in source[0]
    assert source[0].count('<table class="exam-map') == 4 and "Coverage, computed from the map" in source[0]
    other = ["<!-- exam-map: coverage -->"]
    exam_map_page.fill(None, "intro", other)
    assert other == ["<!-- exam-map: coverage -->"]
