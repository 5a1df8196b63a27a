"""The built book in headless Chromium: a lab page shows its verdict and plot, a chapter's quiz answers with its
explanations, the practice exam runs and scores per domain, and no page requests anything from outside the site.
Screenshots are kept in tests/artifacts/. BOOK_DIR names another book folder to test (default: this checkout,
whose book the README's first command builds into _build/html)."""
from __future__ import annotations

import functools
import http.server
import os
import pathlib
import re
import shutil
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK = pathlib.Path(os.environ.get("BOOK_DIR", ROOT))
SITE = BOOK / "_build" / "html"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); .ci/run installs it"),
    pytest.mark.skipif(not (SITE / "index.html").exists(), reason="the book is not built: run the README's first command"),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=SITE))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str):
    """Open ``url``, wait for widgets to render, and return the page with every requested URL."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(1000)
    return page, requested


def test_lab_page_shows_verdict_and_plot_offline(browser, site):
    page, requested = open_page(browser, f"{site}/labs/s3-basics.html")
    verdict = page.locator(".labkit-verdict").first
    verdict.wait_for(state="visible", timeout=15000)
    assert "Correct" in verdict.inner_text()
    plot = page.locator("img[src*='_images/']").first
    plot.scroll_into_view_if_needed()
    assert plot.is_visible() and plot.evaluate("img => img.naturalWidth") > 100
    verdict.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lab-s3-basics.png"))
    assert [u for u in requested if not u.startswith(site)] == []


def shown(text: str) -> str:
    """Bank text as the page shows it: `code` without its backticks, whitespace collapsed."""
    return " ".join(text.replace("`", "").split())


def test_chapter_quiz_answers_on_the_static_page(browser, site):
    from labkit.quizbank import load_quiz

    item = next(item for item in load_quiz("s3", BOOK) if item["type"] == "single")
    wrong = next(option for option in item["options"] if not option["correct"])
    right = next(option for option in item["options"] if option["correct"])
    page, requested = open_page(browser, f"{site}/chapters/s3.html")
    quiz = page.locator(".labkit-quiz").first
    quiz.locator(".MCButton").first.wait_for(state="visible", timeout=15000)
    question = quiz.locator(".Quiz").first
    assert shown(item["q"]) in question.inner_text()

    def option(text):
        return question.locator("label.MCButton").filter(has=page.get_by_text(shown(text), exact=True))

    option(wrong["text"]).click()
    feedback = question.locator(".Feedback")
    assert "incorrect" in feedback.get_attribute("class")
    assert feedback.inner_text().startswith("✗ Not this one.") and shown(wrong["why"])[:60] in feedback.inner_text()
    option(right["text"]).click()
    assert "correct" in feedback.get_attribute("class").split()
    assert feedback.inner_text().startswith("✓ Right.") and shown(right["why"])[:60] in feedback.inner_text()
    question.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chapter-s3-quiz.png"))
    assert [u for u in requested if not u.startswith(site)] == []


def test_every_chapter_quiz_shows_all_its_items_offline(browser, site):
    from labkit.quizbank import load_quiz

    page = browser.new_page()
    requested, errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    for chapter in sorted((BOOK / "chapters").glob("*.md")):
        items = load_quiz(chapter.stem, BOOK)
        page.goto(f"{site}/chapters/{chapter.stem}.html")
        quiz = page.locator(".labkit-quiz")
        quiz.locator(".Quiz").first.wait_for(state="visible", timeout=15000)
        assert quiz.locator(".Quiz").count() == len(items), chapter.stem
        assert quiz.locator(".MCButton").count() == sum(len(item["options"]) for item in items), chapter.stem
    # every page of the theme declares sphinx-thebe's THEBE_JS_URL twice; any other script error is ours
    assert [e for e in errors if "THEBE_JS_URL" not in e] == []
    assert [u for u in requested if not u.startswith(site)] == []


def test_practice_exam_runs_resumes_and_scores_per_domain(browser, site):
    from labkit.quiz import exam_data

    blueprint = exam_data(BOOK)["blueprint"]
    total = sum(blueprint.values())
    page, requested = open_page(browser, f"{site}/exam/practice-exam.html")
    app = page.locator(".labkit-exam")
    app.locator(".le-start").click()
    assert app.locator(".le-count").inner_text() == f"Question 1 of {total}"
    assert re.fullmatch(r"Time left 2:(10:00|09:[0-5]\d)", app.locator(".le-timer").inner_text())
    for number in range(3):  # answer three: the first option, and the second too where two are asked for
        inputs = app.locator(".le-options input")
        inputs.nth(0).check()
        if "Choose TWO" in app.locator(".le-q").inner_text():
            inputs.nth(1).check()
        if number == 1:
            app.locator(".le-flag input").check()
        app.locator(".le-next").click()
    page.reload(wait_until="networkidle")  # progress kept in the browser
    assert app.locator(".le-count").inner_text() == f"Question 4 of {total}"
    assert app.locator(".le-go.le-answered").count() == 3 and app.locator(".le-go.le-flagged").count() == 1
    app.locator(".le-go").nth(1).click()
    assert app.locator(".le-options input:checked").count() >= 1 and app.locator(".le-flag input").is_checked()
    app.locator(".le-submit").click()
    assert f"{total - 3} unanswered" in app.locator(".le-confirm").inner_text()
    app.locator(".le-yes").click()
    rows = app.locator("table.le-domains tbody tr")
    counts = {int(rows.nth(k).get_attribute("data-domain")): int(rows.nth(k).locator("td").nth(2).inner_text())
              for k in range(rows.count())}
    assert counts == {d: n for d, n in blueprint.items() if n}
    score = int(re.search(r"Score: (\d+) of", app.locator(".le-score").inner_text()).group(1))
    assert score <= 3 and app.locator(".le-missed").count() == total - score
    missed = app.locator(".le-missed").first
    assert "Source: AWS documentation" in missed.inner_text() and "✓" in missed.inner_text()
    link = missed.locator(".le-source a")
    assert re.fullmatch(r"\.\./chapters/[a-z0-9-]+\.html", link.get_attribute("href"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "practice-exam-results.png"), full_page=False)
    page.reload(wait_until="networkidle")  # the result is kept too
    assert app.locator("table.le-domains").is_visible()
    chapter = page.request.get(f"{site}/exam/{link.get_attribute('href')}")
    assert chapter.ok and "<h1>" in chapter.text()
    app.locator(".le-again").click()  # a new exam whose time runs out: it is submitted as it stands
    app.locator(".le-start").click()
    page.evaluate("""() => { for (const key of Object.keys(localStorage).filter(k => k.startsWith("labkit-exam:"))) {
        const state = JSON.parse(localStorage.getItem(key)); state.deadline = Date.now() - 1000;
        localStorage.setItem(key, JSON.stringify(state)); } }""")
    page.reload(wait_until="networkidle")
    assert app.locator(".le-missed").count() == total and "Score: 0 of" in app.locator(".le-score").inner_text()
    assert [u for u in requested if not u.startswith(site)] == []


@pytest.fixture
def fake_hub():
    """A stand-in JupyterHub that records the paths it is asked for."""
    asked = []

    class Hub(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/favicon.ico":  # the browser's own request
                asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<title>fake hub</title>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()


def launch_link(page, provider: str) -> str:
    """The address behind one entry of a page's launch menu (the rocket icon)."""
    return page.locator("a.btn", has_text=provider).first.get_attribute("href")


def test_launch_buttons_open_the_lab_on_binder_colab_and_the_readers_hub(browser, site, fake_hub):
    from urllib.parse import parse_qs, urljoin, urlsplit

    import yaml

    hub, asked = fake_hub
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    page, requested = open_page(browser, f"{site}/labs/lambda.html")
    owner_and_name = repository.removeprefix("https://github.com/")
    assert launch_link(page, "Binder") == \
        f"https://mybinder.org/v2/gh/{owner_and_name}/main?urlpath=lab/tree/labs/lambda.ipynb"
    assert launch_link(page, "Colab") == \
        f"https://colab.research.google.com/github/{owner_and_name}/blob/main/labs/lambda.ipynb"
    href = launch_link(page, "JupyterHub")
    page.goto(urljoin(page.url, href))
    assert "labs/lambda.ipynb" in page.locator("#hub-status").inner_text()
    page.fill("#hub-url", "not a hub")
    page.click("#hub-form button")
    assert "full address" in page.locator("#hub-status").inner_text()
    page.fill("#hub-url", hub + "/hub/")  # as copied from the browser's address bar
    page.click("#hub-form button")
    page.wait_for_url(f"{hub}/**")
    pulled = urlsplit(asked[-1])
    assert pulled.path == "/hub/user-redirect/git-pull"
    assert parse_qs(pulled.query) == {"repo": [repository], "branch": ["main"],
                                      "urlpath": ["lab/tree/aws-dva-hands-on/labs/lambda.ipynb"]}
    page.goto(urljoin(f"{site}/labs/lambda.html", href))  # remembered: straight to the hub
    page.wait_for_url(f"{hub}/**")
    assert len(asked) == 2
    assert [u for u in requested if not u.startswith((site, hub))] == []


def test_instructor_link_sets_the_hub_for_every_button(browser, site, fake_hub):
    from urllib.parse import urljoin

    hub, asked = fake_hub
    page, _ = open_page(browser, f"{site}/hub-launch.html?hub={hub}")
    assert page.input_value("#hub-url") == hub
    page.goto(f"{site}/labs/s3-basics.html")
    href = launch_link(page, "JupyterHub")
    page.goto(urljoin(page.url, href))
    page.wait_for_url(f"{hub}/**")
    assert "labs/s3-basics.ipynb" in asked[-1]
