"""The book page "How the emulator differs from AWS" is generated from labkit.emulator's registry."""
from __future__ import annotations

import html
import pathlib
import re
import sys

from labkit.emulator import page, registry

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "reference" / "emulator-differences.md"


def extension():
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import emulator_differences_page
    finally:
        sys.path.pop(0)
    return emulator_differences_page


def test_the_book_extension_fills_the_page_with_every_registered_difference():
    source = [PAGE.read_text(encoding="utf-8")]
    extension().fill(None, "reference/emulator-differences", source)
    text = source[0]
    assert "<!-- emulator-differences" not in text
    found = registry.differences()
    assert len(found) > 40
    rows = re.findall(r'<tr id="([^"]+)">', text)
    assert sorted(rows) == sorted(d.id for d in found)
    for difference in found:
        row = text.split(f'<tr id="{difference.id}">', 1)[1].split("</tr>", 1)[0]
        for field in (difference.aws, difference.engine, difference.doc):
            assert html.escape(field) in row, (difference.id, field)
        for lab in difference.labs:
            assert f'href="../labs/{lab}.html"' in row
    assert f"({len(found)} today)" in text


def test_other_pages_are_left_alone():
    other = ["<!-- emulator-differences -->"]
    extension().fill(None, "exam-map", other)
    assert other == ["<!-- emulator-differences -->"]


def test_every_lab_a_difference_names_exists():
    assert page.unknown_labs() == []
    odd = registry.Difference("x", "S3", "a", "b", "c", labs=("no-such-lab",))
    assert page.unknown_labs([odd]) == ["x: labs/no-such-lab"]


def test_the_page_is_in_the_book_and_its_extension_is_loaded():
    assert "file: reference/emulator-differences" in (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "emulator_differences_page: _ext" in (ROOT / "_config.yml").read_text(encoding="utf-8")


def test_services_are_shown_by_their_aws_names_in_order():
    slug = registry.Difference("b", "apigateway", "a", "e", "d")
    named = registry.Difference("a", "CloudWatch", "a", "e", "d")
    table = page.table_html([named, slug])
    assert table.index("<td>API Gateway</td>") < table.index("<td>CloudWatch</td>")
