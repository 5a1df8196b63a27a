"""Self-check quizzes (jupyterquiz) and the practice exam (a small app of our own), both answerable with no kernel.

Each shows as an HTML output and a JavaScript output that carries its questions, so it works the same in
Jupyter, Colab and on the static published book. Nothing is fetched from outside the page.
"""
from __future__ import annotations

import hashlib
import html
import importlib.resources
import json
import pathlib
import random
import re
import string

from . import quizbank

# jupyterquiz's palette variables, in the book's colours; right/wrong as in Check my work.
COLORS = {
    "--jq-multiple-choice-bg": "#1f4e79",
    "--jq-many-choice-bg": "#5b3a8c",
    "--jq-mc-button-bg": "#fafafa",
    "--jq-mc-button-border": "#d0d7de",
    "--jq-mc-button-inset-shadow": "#555555",
    "--jq-numeric-bg": "#1f4e79",
    "--jq-numeric-input-bg": "#c0c0c0",
    "--jq-numeric-input-label": "#101010",
    "--jq-numeric-input-shadow": "#999999",
    "--jq-string-bg": "#1f4e79",
    "--jq-incorrect-color": "#b42318",
    "--jq-correct-color": "#1a7f37",
    "--jq-text-color": "#fafafa",
    "--jq-link-color": "#9abafa",
}
# jupyterquiz 2.9.6.4's show_questions.js loads MathJax 3 from cdn.jsdelivr.net when a page has a MathJax 3 object
# without typeset() (a page whose own MathJax is still starting). Our text has no math, so that branch is cut out.
CDN_MATHJAX = re.compile(r"console\.log\('WARNING: Trying to force load MathJax 3'\);.*?document\.head\.appendChild"
                         r"\(script\);\s*\}\)\(\);", re.S)
# Sized like the book's text (jupyterquiz sets 16pt); options and explanations read left to right.
STYLE = ("<style>.labkit-quiz .Quiz, .labkit-quiz .Feedback {font-size: 1.05rem; line-height: 1.45}"
         ".labkit-quiz .MCButton, .labkit-quiz .Feedback {text-align: left}</style>")
INTRO = ("<p class='labkit-quiz-intro'>Click an option to see why it is right or wrong. For a “Choose TWO” item, "
         "pick options one at a time until you have found them all.</p>")


def text_html(text: str) -> str:
    """Bank text as HTML: escaped, `code` in backticks as <code>, and ``$`` as an entity (jupyterquiz would read a
    pair of dollar signs as math)."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped).replace("$", "&#36;")


def jupyterquiz_questions(items: list[dict]) -> list[dict]:
    """Bank items in jupyterquiz's question format: single -> multiple_choice, multiple -> many_choice, each
    option's why -> that answer's feedback."""
    return [{
        "question": text_html(item["q"]),
        "type": "multiple_choice" if item["type"] == "single" else "many_choice",
        "answer_cols": 1,
        "answers": [{"answer": text_html(o["text"]), "correct": o["correct"],
                     "feedback": ("✓ Right. " if o["correct"] else "✗ Not this one. ") + text_html(o["why"])}
                    for o in item["options"]],
    } for item in items]


def _uid() -> str:
    return "".join(random.choice(string.ascii_letters) for _ in range(12))


def quiz_outputs(slug: str, root=None) -> tuple[str, str]:
    """The HTML and the JavaScript that show chapter ``slug``'s quiz (what ``quiz`` displays).

    Raises BankError for an unknown slug or a malformed bank, RuntimeError if jupyterquiz's script is not the one
    whose MathJax loader this module removes (a jupyterquiz upgrade: review CDN_MATHJAX).
    """
    from jupyterquiz.dynamic.loader import load_questions_script
    from jupyterquiz.dynamic.renderer import build_script, build_styles, render_div

    questions = jupyterquiz_questions(quizbank.load_quiz(slug, root))
    div_id = _uid()
    prefix, static, url = load_questions_script(questions, div_id)
    container = render_div(div_id, shuffle_questions=False, shuffle_answers=False, preserve_responses=False,
                           num=1_000_000, max_width=800, border_radius=10, question_alignment="left")
    script, cut = CDN_MATHJAX.subn("console.log('labkit: no MathJax from a CDN');",
                                   build_script(prefix, static, url, div_id, True))
    if cut != 2 or "cdn." in script:
        raise RuntimeError("jupyterquiz's show_questions.js changed: check that it loads nothing from a CDN")
    return f"<div class='labkit-quiz'>{INTRO}{container}</div>{build_styles(div_id, COLORS)}{STYLE}</div>", script


def quiz(slug: str) -> None:
    """Show the self-check quiz of chapter ``slug`` (``quizzes/<slug>.yml``): click an option, read why.

    Raises BankError (shown as one line in a notebook) for an unknown slug or a malformed bank.
    """
    from IPython.display import HTML, Javascript, display

    markup, script = quiz_outputs(slug)
    display(HTML(markup))
    display(Javascript(script))


def exam_data(root=None, link: str = "../chapters/{chapter}") -> dict:
    """What the practice-exam app needs, as JSON-ready data: the blueprint (items per domain, minutes) and every
    item of the exam bank with its HTML, domain, task, source and chapter (link without extension, title).

    Raises BankError for a malformed bank.
    """
    root = quizbank.course_root() if root is None else pathlib.Path(root)
    items = quizbank.load_exam_bank(root)
    titles = {}
    for item in items:
        if item["chapter"] not in titles:
            page = (root / "chapters" / f"{item['chapter']}.md").read_text(encoding="utf-8")
            heading = re.search(r"^# (.+)$", page, re.M)
            titles[item["chapter"]] = heading.group(1).strip() if heading else item["chapter"]
    data_items = [{
        "id": item["id"], "multiple": item["type"] == "multiple", "q": text_html(item["q"]),
        "options": [{"text": text_html(o["text"]), "correct": o["correct"], "why": text_html(o["why"])}
                    for o in item["options"]],
        "source": html.escape(item["source"]), "domain": item["domain"], "task": str(item["task"]),
        "link": link.format(chapter=item["chapter"]), "chapter": html.escape(titles[item["chapter"]]),
    } for item in items]
    blueprint = {d: min(n, sum(i["domain"] == d for i in items)) for d, n in quizbank.EXAM_BLUEPRINT.items()}
    digest = hashlib.sha256(json.dumps([i["id"] for i in items]).encode()).hexdigest()[:12]
    return {"minutes": quizbank.EXAM_MINUTES, "full": quizbank.EXAM_ITEMS, "blueprint": blueprint,
            "domains": {d: f"{d}. {name} ({weight} %)" for d, (name, weight, _) in quizbank.DOMAINS.items()},
            "bank": digest, "items": data_items}


def _static(name: str) -> str:
    return importlib.resources.files("labkit").joinpath("static", name).read_text(encoding="utf-8")


def exam_outputs(root=None) -> tuple[str, str]:
    """The HTML and the JavaScript of the practice exam (what ``exam`` displays). Raises BankError."""
    data = exam_data(root)
    div_id = "labkit-exam-" + _uid()
    markup = (f"<style>{_static('exam.css')}</style><div class='labkit-exam' id='{div_id}'>"
              "<p>The practice exam needs JavaScript.</p></div>")
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    script = f"{_static('exam.js')}\nlabkitExam({json.dumps(div_id)}, {payload});\n"
    return markup, script


def exam() -> None:
    """Show the timed practice exam: 65 items drawn from the exam bank by domain weight, 130 minutes, scored per
    domain with explanations and links to the chapters. Progress is kept in the browser (localStorage).

    Raises BankError (shown as one line in a notebook) for a malformed bank.
    """
    from IPython.display import HTML, Javascript, display

    markup, script = exam_outputs()
    display(HTML(markup))
    display(Javascript(script))
