"""Self-check quizzes: multiple choice, answers explained."""
from __future__ import annotations

import html

REQUIRED = {"q", "options", "answer", "why"}
# Long options wrap instead of overlapping (widgets give radio labels a fixed height).
STYLE = ("<style>.labkit-quiz .widget-radio-box label{height:auto;white-space:normal;line-height:1.4;margin:3px 0;"
         "display:flex;align-items:flex-start;gap:6px}</style>")


def validate(questions: list[dict]) -> None:
    for number, question in enumerate(questions, 1):
        missing = REQUIRED - question.keys()
        if missing:
            raise ValueError(f"quiz question {number} lacks {', '.join(sorted(missing))}")
        if not 0 <= question["answer"] < len(question["options"]):
            raise ValueError(f"quiz question {number}: answer {question['answer']} is not an option index")


def answers_html(questions: list[dict]) -> str:
    """The answers and explanations, folded, so a reader of the static book can check too."""
    items = "".join(
        f"<li><strong>{html.escape(q['options'][q['answer']])}</strong> — {html.escape(q['why'])}</li>"
        for q in questions)
    return f"<details><summary>Show the answers</summary><ol>{items}</ol></details>"


def feedback_html(question: dict, choice: int | None) -> str:
    if choice is None:
        return "<em>Pick an answer first.</em>"
    right = choice == question["answer"]
    mark = '<span style="color:#1a7f37">✓ Right.</span>' if right else '<span style="color:#b42318">✗ Not quite.</span>'
    return f"{mark} {html.escape(question['why'])}"


def quiz(questions: list[dict]) -> None:
    """Show each question with its options, a button that marks the choices, and the explanations."""
    import ipywidgets as widgets
    from IPython.display import display

    validate(questions)
    rows, pickers, verdicts = [], [], []
    for number, question in enumerate(questions, 1):
        picker = widgets.RadioButtons(options=[(text, i) for i, text in enumerate(question["options"])],
                                      value=None, layout=widgets.Layout(width="auto"))
        verdict = widgets.HTML()
        pickers.append(picker)
        verdicts.append(verdict)
        rows += [widgets.HTML(f"<p><strong>{number}.</strong> {html.escape(question['q'])}</p>"), picker, verdict]
    button = widgets.Button(description="Check my answers", icon="check", button_style="primary")

    def mark(_):
        for question, picker, verdict in zip(questions, pickers, verdicts):
            verdict.value = feedback_html(question, picker.value)

    button.on_click(mark)
    box = widgets.VBox([widgets.HTML(STYLE)] + rows + [button, widgets.HTML(answers_html(questions))])
    box.add_class("labkit-quiz")
    display(box)
