"""Question banks: the chapter quizzes (``quizzes/<slug>.yml``) and the practice exam (``exam/bank/domain-N.yml``).

One format serves both (CONTRIBUTING.md, "Quizzes and the practice exam"). ``load_bank`` reads one file and refuses a
malformed item with a one-line :class:`BankError` naming the file and the item; ``statistics`` measures a whole
bank (where the right answers sit, how often the right option is the longest, what is left to write), and
``tests/test_quizbank.py`` holds every bank to those numbers.

The exam's shape follows the DVA-C02 exam guide (AWS Certification documentation, "AWS Certified Developer -
Associate (DVA-C02) Exam Guide"): 65 questions, 130 minutes, four content domains weighted 32/26/24/18 %.
"""
from __future__ import annotations

import difflib
import pathlib
import re
from dataclasses import dataclass

from .errors import LabkitError

# domain -> (name, weight in %, task statements)
DOMAINS = {
    1: ("Development with AWS Services", 32, ("1.1", "1.2", "1.3")),
    2: ("Security", 26, ("2.1", "2.2", "2.3")),
    3: ("Deployment", 24, ("3.1", "3.2", "3.3", "3.4")),
    4: ("Troubleshooting and Optimization", 18, ("4.1", "4.2", "4.3")),
}
EXAM_MINUTES = 130
# How many items a practice exam draws from each domain: 65 in all, each within one item of its weight (the one
# place this rule lives: exam() hands it to the browser app, the tests check it).
EXAM_BLUEPRINT = {1: 21, 2: 17, 3: 16, 4: 11}
EXAM_ITEMS = sum(EXAM_BLUEPRINT.values())

FIELDS = {"id", "type", "q", "options", "source"}
EXAM_FIELDS = {"domain", "task", "chapter"}
OPTION_FIELDS = {"text", "correct", "why"}
COUNT_WORDS = {"TWO": 2, "THREE": 3, "FOUR": 4}
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
CHOOSE = re.compile(r"Choose (\w+)\.$")
TODO = "TODO"


class BankError(LabkitError):
    """A malformed bank file or item; the message names the file and the item id."""


@dataclass(frozen=True)
class Bank:
    """The items of one bank file, as loaded: plain dicts in the file's format."""

    path: pathlib.Path
    kind: str  # "quiz" or "exam"
    items: list[dict]


def course_root(start: pathlib.Path | None = None) -> pathlib.Path:
    """The course folder (the one holding ``chapters/``): ``start`` (default: the working directory) or a parent of
    it, else the checkout labkit was installed from. Raises BankError when there is none."""
    start = pathlib.Path.cwd() if start is None else pathlib.Path(start)
    for folder in (start, *start.parents, pathlib.Path(__file__).resolve().parent.parent):
        if (folder / "chapters").is_dir():
            return folder
    raise BankError("the course's quizzes live in its repository: open this notebook from a checkout of the course "
                    "(a folder with chapters/ and quizzes/)")


def kind_of(path: pathlib.Path) -> str:
    """``exam`` for ``exam/bank/domain-N.yml``, else ``quiz``."""
    return "exam" if re.fullmatch(r"domain-[1-4]\.yml", path.name) and path.parent.name == "bank" else "quiz"


def load_bank(path, root: pathlib.Path | None = None) -> Bank:
    """Read and validate one bank file.

    ``root`` is the course folder (default: found from ``path``); exam items must name a chapter that exists as
    ``<root>/chapters/<slug>.md``. Raises BankError with a one-line message for a missing file, bad YAML or a
    malformed item. ``TODO`` text is accepted here; ``statistics`` counts it.
    """
    import yaml

    path = pathlib.Path(path)
    root = course_root(path.parent) if root is None else pathlib.Path(root)
    shown = _shown(path, root)
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BankError(f"{shown}: no such file") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise BankError(f"{shown}: not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    if not isinstance(items, list) or not items:
        raise BankError(f"{shown}: expected a list of items (each starting with '- id: ...')")
    kind = kind_of(path)
    seen = set()
    for number, item in enumerate(items, 1):
        name = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{number}"
        problem = _problem(item, kind, path, root)
        if problem is None and name in seen:
            problem = "duplicate id (it must be unique in the whole course)"
        if problem:
            raise BankError(f"{shown}: item {name}: {problem}")
        seen.add(name)
    return Bank(path, kind, items)


def _shown(path: pathlib.Path, root: pathlib.Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _problem(item, kind: str, path: pathlib.Path, root: pathlib.Path) -> str | None:
    """What is wrong with one item, or None."""
    if not isinstance(item, dict):
        return "an item must be a mapping of fields (id, type, q, options, source)"
    required = FIELDS | (EXAM_FIELDS if kind == "exam" else set())
    missing = sorted(required - item.keys())
    if missing:
        return f"missing field {', '.join(missing)}"
    unknown = sorted(item.keys() - FIELDS - EXAM_FIELDS)
    if unknown:
        return f"unknown field {', '.join(unknown)}"
    if not isinstance(item["id"], str) or not ID_PATTERN.fullmatch(item["id"]):
        return "id must be lowercase words joined by hyphens, e.g. s3-prefix-rate-1"
    for field in ("q", "source"):
        if not _text(item[field]):
            return f"{field} must be non-empty text"
    options = item["options"]
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        return "options must be a list of mappings (text, correct, why)"
    for letter, option in zip("ABCDEFGHIJ", options):
        missing = sorted(OPTION_FIELDS - option.keys())
        if missing:
            return f"option {letter} is missing {', '.join(missing)}"
        if option.keys() - OPTION_FIELDS:
            return f"option {letter} has unknown field {', '.join(sorted(option.keys() - OPTION_FIELDS))}"
        if not isinstance(option["correct"], bool):
            return f"option {letter}: correct must be true or false"
        if not (_text(option["text"]) and _text(option["why"])):
            return f"option {letter}: text and why must be non-empty text"
    texts = [o["text"].strip() for o in options]
    if len(set(texts)) != len(texts):
        return "two options have the same text"
    right = sum(o["correct"] for o in options)
    choose = CHOOSE.search(item["q"].strip())
    if item["type"] == "single":
        if len(options) != 4:
            return f"a single item has exactly 4 options (found {len(options)})"
        if right != 1:
            return f"a single item has exactly one correct option (found {right})"
        if choose:
            return f"a single item's stem must not end with '{choose.group(0)}' (make it type: multiple)"
    elif item["type"] == "multiple":
        if len(options) < 5:
            return f"a multiple item has 5 or more options (found {len(options)})"
        if not choose or choose.group(1) not in COUNT_WORDS:
            return "a multiple item's stem ends with 'Choose TWO.' or 'Choose THREE.'"
        if COUNT_WORDS[choose.group(1)] != right:
            return f"the stem says '{choose.group(0)}' but {right} options are correct"
    else:
        return f"type must be single or multiple (found {item['type']!r})"
    if kind == "exam" or EXAM_FIELDS & item.keys():
        return _exam_problem(item, path, root)
    return None


def _exam_problem(item: dict, path: pathlib.Path, root: pathlib.Path) -> str | None:
    domain, task, chapter = item.get("domain"), item.get("task"), item.get("chapter")
    if domain not in DOMAINS:
        return f"domain must be 1, 2, 3 or 4 (found {domain!r})"
    file_domain = re.fullmatch(r"domain-([1-4])\.yml", path.name)
    if file_domain and int(file_domain.group(1)) != domain:
        return f"domain {domain} in {path.name} (put it in domain-{domain}.yml)"
    if str(task) not in DOMAINS[domain][2]:
        return f"task {task!r} is not a task statement of domain {domain} ({', '.join(DOMAINS[domain][2])})"
    if not isinstance(task, str):
        return f"task must be quoted text, e.g. \"{task}\""
    if not isinstance(chapter, str) or not (root / "chapters" / f"{chapter}.md").is_file():
        return f"chapter {chapter!r} has no chapters/{chapter}.md"
    return None


def load_quiz(slug: str, root: pathlib.Path | None = None) -> list[dict]:
    """The items of chapter ``slug``'s quiz (``quizzes/<slug>.yml``). Raises BankError for an unknown slug."""
    if not isinstance(slug, str):
        raise BankError(f"quiz() takes a chapter slug such as 's3' (its items are in quizzes/<slug>.yml), not {slug!r}")
    root = course_root() if root is None else pathlib.Path(root)
    slugs = sorted(p.stem for p in (root / "quizzes").glob("*.yml"))
    if slug not in slugs:  # a slug only: no path separators, no "..", no other bank (e.g. the practice exam)
        close = difflib.get_close_matches(slug.lower().strip().strip("/\\").removesuffix(".yml"), slugs, n=3)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise BankError(f"there is no quiz {slug!r}: {hint}quiz() takes a chapter slug (a file name in quizzes/, "
                        f"without .yml or a path), one of: {', '.join(slugs)}")
    return load_bank(root / "quizzes" / f"{slug}.yml", root).items


def load_exam_bank(root: pathlib.Path | None = None) -> list[dict]:
    """Every practice-exam item (``exam/bank/domain-*.yml``), validated; ids unique across the files."""
    root = course_root() if root is None else pathlib.Path(root)
    return _unique([load_bank(p, root) for p in sorted((root / "exam" / "bank").glob("domain-*.yml"))], root)


def load_course(root: pathlib.Path | None = None) -> dict[str, list[Bank]]:
    """Every bank of the course, validated, with ids unique across all of them: {"quiz": [...], "exam": [...]}."""
    root = course_root() if root is None else pathlib.Path(root)
    banks = {"quiz": [load_bank(p, root) for p in sorted((root / "quizzes").glob("*.yml"))],
             "exam": [load_bank(p, root) for p in sorted((root / "exam" / "bank").glob("domain-*.yml"))]}
    _unique(banks["quiz"] + banks["exam"], root)
    return banks


def _unique(banks: list[Bank], root: pathlib.Path) -> list[dict]:
    where, items = {}, []
    for bank in banks:
        for item in bank.items:
            if item["id"] in where:
                raise BankError(f"{_shown(bank.path, root)}: item {item['id']}: duplicate id "
                                f"(also in {_shown(where[item['id']], root)})")
            where[item["id"]] = bank.path
            items.append(item)
    return items


def _has_todo(item: dict) -> bool:
    texts = [item["q"], item["source"]] + [o[k] for o in item["options"] for k in ("text", "why")]
    return any(TODO in str(text) for text in texts)


def statistics(items: list[dict]) -> dict:
    """Numbers over a whole bank that the tests hold it to.

    Returns ``items``; ``longest_right`` (share of items whose longest option, by characters, is a right one; ties
    count against the item); ``positions`` (over single items, the share with the right option at A, B, C, D);
    ``multiple`` (share of multiple items); ``todo`` and ``no_source`` (ids of items still to finish).
    """
    count = len(items)
    singles = [item for item in items if item["type"] == "single"]
    longest = 0
    for item in items:
        right = max(len(o["text"].strip()) for o in item["options"] if o["correct"])
        wrong = max(len(o["text"].strip()) for o in item["options"] if not o["correct"])
        longest += right >= wrong
    positions = [0, 0, 0, 0]
    for item in singles:
        positions[[o["correct"] for o in item["options"]].index(True)] += 1
    return {
        "items": count,
        "longest_right": longest / count if count else 0.0,
        "positions": dict(zip("ABCD", (p / len(singles) if singles else 0.0 for p in positions))),
        "multiple": (count - len(singles)) / count if count else 0.0,
        "todo": [item["id"] for item in items if _has_todo(item)],
        "no_source": [item["id"] for item in items if not _text(item.get("source")) or TODO in item["source"]],
    }
