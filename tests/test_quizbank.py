"""Question banks: malformed items are refused with a one-line message; the chapter quizzes and the practice-exam
bank meet the course's numbers (CONTRIBUTING.md, "Quizzes and the practice exam"); quiz and exam show what the
bank holds, with nothing fetched from outside the page."""
from __future__ import annotations

import copy
import json
import pathlib
import re

import pytest
import yaml

from labkit import quizbank
from labkit.quiz import exam_data, exam_outputs, jupyterquiz_questions, quiz_outputs, text_html
from labkit.quizbank import BankError, load_bank, load_course, statistics

ROOT = pathlib.Path(__file__).resolve().parent.parent

SINGLE = {
    "id": "s3-prefix-1", "type": "single", "q": "Which spreads the request rate?",
    "options": [{"text": text, "correct": n == 2, "why": f"Because {n}."} for n, text in enumerate([
        "Ask AWS Support to raise the limit", "Use more prefixes", "Turn on S3 Versioning", "Move to Standard-IA"], 1)],
    "source": "Best practices design patterns: optimizing Amazon S3 performance",
}
MULTIPLE = {
    "id": "s3-multi-1", "type": "multiple", "q": "Which two protect objects? Choose TWO.",
    "options": [{"text": f"Choice {n}" + ("" if n in (1, 4) else " (a longer distractor)"), "correct": n in (1, 4),
                 "why": f"Since {n}."} for n in range(1, 6)],
    "source": "Security best practices for Amazon S3",
}
EXAM = {**copy.deepcopy(SINGLE), "id": "d1-s3-prefix-1", "domain": 1, "task": "1.3", "chapter": "s3"}


@pytest.fixture
def course(tmp_path):
    """A course folder with one chapter (s3) and a writer of bank files."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "s3.md").write_text("# Amazon S3\n")

    def write(relative: str, items) -> pathlib.Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(items, sort_keys=False))
        return path

    return tmp_path, write


def changed(item: dict, **fields) -> dict:
    item = copy.deepcopy(item)
    for key, value in fields.items():
        if value is None:
            item.pop(key)
        else:
            item[key] = value
    return item


def two_correct(item):
    """One more correct option than the item says (option C: wrong in both SINGLE and MULTIPLE)."""
    item = copy.deepcopy(item)
    item["options"][2]["correct"] = True
    return item


def test_well_formed_banks_load(course):
    root, write = course
    assert load_bank(write("quizzes/s3.yml", [SINGLE, MULTIPLE]), root).items[1]["id"] == "s3-multi-1"
    bank = load_bank(write("exam/bank/domain-1.yml", [EXAM]), root)
    assert bank.kind == "exam" and bank.items[0]["chapter"] == "s3"


@pytest.mark.parametrize("items, message", [
    ([changed(SINGLE, source=None)], "item s3-prefix-1: missing field source"),
    ([changed(SINGLE, answer=1)], "item s3-prefix-1: unknown field answer"),
    ([two_correct(SINGLE)], "item s3-prefix-1: a single item has exactly one correct option (found 2)"),
    ([changed(SINGLE, options=SINGLE["options"][:3])], "item s3-prefix-1: a single item has exactly 4 options"),
    ([changed(SINGLE, q="Which? Choose TWO.")], "item s3-prefix-1: a single item's stem must not end with"),
    ([two_correct(MULTIPLE)], "item s3-multi-1: the stem says 'Choose TWO.' but 3 options are correct"),
    ([changed(MULTIPLE, q="Which two protect objects?")], "item s3-multi-1: a multiple item's stem ends with"),
    ([changed(MULTIPLE, type="several")], "item s3-multi-1: type must be single or multiple"),
    ([SINGLE, changed(MULTIPLE, id="s3-prefix-1")], "item s3-prefix-1: duplicate id"),
    ([changed(SINGLE, id="S3 Prefix")], "item S3 Prefix: id must be lowercase words joined by hyphens"),
    ([{k: v for k, v in SINGLE.items() if k != "id"}], "item #1: missing field id"),
    ([changed(SINGLE, options=[{"text": "a", "correct": True}] * 4)], "item s3-prefix-1: option A is missing why"),
])
def test_a_malformed_quiz_item_is_refused_with_its_file_and_id(course, items, message):
    root, write = course
    with pytest.raises(BankError) as refused:
        load_bank(write("quizzes/s3.yml", items), root)
    assert str(refused.value).startswith("quizzes/s3.yml: ")
    assert message in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize("item, message", [
    (changed(EXAM, chapter="s4"), "item d1-s3-prefix-1: chapter 's4' has no chapters/s4.md"),
    (changed(EXAM, task="2.1"), "item d1-s3-prefix-1: task '2.1' is not a task statement of domain 1"),
    (changed(EXAM, task=1.3), "item d1-s3-prefix-1: task must be quoted text"),
    (changed(EXAM, domain=5), "item d1-s3-prefix-1: domain must be 1, 2, 3 or 4"),
    (changed(EXAM, domain=2, task="2.1"), "item d1-s3-prefix-1: domain 2 in domain-1.yml"),
    (changed(EXAM, chapter=None, task=None), "item d1-s3-prefix-1: missing field chapter, task"),
])
def test_a_malformed_exam_item_is_refused_with_its_file_and_id(course, item, message):
    root, write = course
    with pytest.raises(BankError, match=re.escape(f"exam/bank/domain-1.yml: {message}")):
        load_bank(write("exam/bank/domain-1.yml", [item]), root)


def test_ids_are_unique_across_the_whole_course(course):
    root, write = course
    write("quizzes/s3.yml", [SINGLE])
    write("exam/bank/domain-1.yml", [changed(EXAM, id="s3-prefix-1")])
    with pytest.raises(BankError, match="exam/bank/domain-1.yml: item s3-prefix-1: duplicate id "
                                        r"\(also in quizzes/s3.yml\)"):
        load_course(root)


def test_unreadable_files_are_refused_in_one_line(course):
    root, write = course
    (root / "quizzes").mkdir()
    (root / "quizzes" / "bad.yml").write_text("- id: [unclosed\n")
    with pytest.raises(BankError, match=r"quizzes/bad.yml: not valid YAML \(line"):
        load_bank(root / "quizzes" / "bad.yml", root)
    with pytest.raises(BankError, match="quizzes/none.yml: no such file"):
        load_bank(root / "quizzes" / "none.yml", root)


def test_statistics_measure_longest_positions_multiple_and_todo():
    longest = changed(SINGLE, id="s3-long-1")
    longest["options"][1]["text"] = "Spread the keys over several prefixes, as the right option"
    tied = changed(SINGLE, id="s3-tied-1")  # as long as the longest distractor: that counts as longest too
    tied["options"][1]["text"] = "Spread the keys over more prefixes"
    assert len(tied["options"][1]["text"]) == len(tied["options"][0]["text"])
    todo = changed(SINGLE, id="s3-todo-1", source="TODO")
    todo["options"][0]["why"] = "TODO"
    numbers = statistics([SINGLE, longest, tied, todo, MULTIPLE])
    assert numbers["longest_right"] == 0.4
    assert numbers["positions"] == {"A": 0.0, "B": 1.0, "C": 0.0, "D": 0.0}
    assert numbers["multiple"] == 0.2
    assert numbers["todo"] == ["s3-todo-1"] and numbers["no_source"] == ["s3-todo-1"]


# --- the course's own banks: these hold the quiz and exam writers to the numbers in CONTRIBUTING.md ---

def course_items(kind: str) -> list[dict]:
    items = [item for bank in load_course(ROOT)[kind] for item in bank.items]
    if not items:
        pytest.fail(f"the {kind} bank has no items")
    return items


@pytest.mark.parametrize("kind", ["quiz", "exam"])
def test_the_right_option_is_rarely_the_longest(kind):
    assert statistics(course_items(kind))["longest_right"] <= 0.35


@pytest.mark.parametrize("kind", ["quiz", "exam"])
def test_right_answers_are_spread_over_a_to_d(kind):
    positions = statistics(course_items(kind))["positions"]
    assert {k: v for k, v in positions.items() if abs(v - 0.25) > 0.025} == {}, positions


@pytest.mark.parametrize("kind", ["quiz", "exam"])
def test_at_least_fifteen_percent_are_multiple_response(kind):
    assert statistics(course_items(kind))["multiple"] >= 0.15


@pytest.mark.parametrize("kind", ["quiz", "exam"])
def test_nothing_is_left_to_write(kind):
    numbers = statistics(course_items(kind))
    assert numbers["todo"] == [] and numbers["no_source"] == []


def test_every_chapter_has_its_quiz_and_shows_it():
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("*.md"))
    assert sorted(p.stem for p in (ROOT / "quizzes").glob("*.yml")) == chapters
    for slug in chapters:
        assert f'quiz("{slug}")' in (ROOT / "chapters" / f"{slug}.md").read_text(), slug


def test_the_exam_bank_has_200_items_in_every_domain_and_task():
    items = course_items("exam")
    assert len(items) >= 200
    tasks = {(item["domain"], item["task"]) for item in items}
    assert tasks == {(d, t) for d, (_, _, ts) in quizbank.DOMAINS.items() for t in ts}
    assert all((ROOT / "chapters" / f"{item['chapter']}.md").is_file() for item in items)


def test_the_exam_blueprint_follows_the_domain_weights():
    assert quizbank.EXAM_BLUEPRINT == {1: 21, 2: 17, 3: 16, 4: 11} and quizbank.EXAM_ITEMS == 65
    for domain, (_, weight, _) in quizbank.DOMAINS.items():
        assert abs(quizbank.EXAM_BLUEPRINT[domain] - 65 * weight / 100) < 1


def test_a_drawn_exam_has_21_17_16_11_items_by_domain():
    """The browser app draws data['blueprint'][d] items from domain d (exam.js, draw())."""
    assert exam_data(ROOT)["blueprint"] == {1: 21, 2: 17, 3: 16, 4: 11}


# --- what quiz() and exam() show ---

def test_quiz_maps_the_bank_onto_jupyterquiz():
    single, multiple = jupyterquiz_questions([SINGLE, MULTIPLE])
    assert single["type"] == "multiple_choice" and multiple["type"] == "many_choice"
    assert [a["correct"] for a in single["answers"]] == [False, True, False, False]
    assert single["answers"][0]["feedback"] == "✗ Not this one. Because 1."
    assert single["answers"][1]["feedback"].startswith("✓ Right.")


def test_bank_text_is_escaped_and_keeps_dollar_signs_out_of_math():
    assert text_html("Use `s3:GetObject` for <b> at $0.40 and $0.05") == \
        "Use <code>s3:GetObject</code> for &lt;b&gt; at &#36;0.40 and &#36;0.05"


def test_a_quiz_loads_nothing_from_a_cdn(course):
    root, write = course
    write("quizzes/s3.yml", [SINGLE, MULTIPLE])
    markup, script = quiz_outputs("s3", root)
    assert "Which spreads the request rate?" in script and "Because 3." in script
    assert "labkit-quiz" in markup
    assert re.findall(r"https?://[^\s'\"]+", markup + script) == []


def test_an_unknown_quiz_says_which_exist(course):
    root, write = course
    write("quizzes/s3.yml", [SINGLE])
    with pytest.raises(BankError, match=r"there is no quiz 's4': .*chapter slug \(a file name in quizzes/.*one of: s3$"):
        quiz_outputs("s4", root)
    with pytest.raises(BankError, match="quiz\\(\\) takes a chapter slug such as 's3'"):
        quiz_outputs([{"q": "an old-style list"}], root)


def test_the_exam_embeds_its_bank_blueprint_and_chapter_links(course):
    root, write = course
    write("exam/bank/domain-1.yml", [EXAM, changed(EXAM, id="d1-s3-prefix-2")])
    data = exam_data(root)
    assert data["blueprint"] == {1: 2, 2: 0, 3: 0, 4: 0} and data["minutes"] == 130 and data["full"] == 65
    assert data["items"][0]["link"] == "../chapters/s3" and data["items"][0]["chapter"] == "Amazon S3"
    markup, script = exam_outputs(root)
    payload = json.loads(script.rsplit("labkitExam(", 1)[1].split(", ", 1)[1].rsplit(");", 1)[0])
    assert [item["id"] for item in payload["items"]] == ["d1-s3-prefix-1", "d1-s3-prefix-2"]
    assert re.findall(r"https?://[^\s'\"]+", markup + script) == []


def test_the_exam_app_ships_with_labkit():
    import importlib.resources

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["labkit"]
    assert {"static/*.js", "static/*.css"} <= set(shipped)
    assert importlib.resources.files("labkit").joinpath("static", "exam.js").is_file()


@pytest.mark.parametrize("slug", ["../exam/bank/domain-1", "exam/bank/domain-1", "../quizzes/s3", "s3.yml", "/s3"])
def test_quiz_takes_only_a_chapter_slug_never_a_path(slug):
    with pytest.raises(BankError, match="quiz\\(\\) takes a chapter slug"):
        quizbank.load_quiz(slug, ROOT)


def test_a_near_miss_slug_gets_the_close_chapter_suggested():
    with pytest.raises(BankError, match="did you mean 's3'"):
        quizbank.load_quiz("S3", ROOT)
    assert quizbank.load_quiz("s3", ROOT)
