"""The built book in headless Chromium: a lab page shows its verdict and plot, a chapter its quiz, and no
page requests anything from outside the site. Screenshots are kept in tests/artifacts/."""
from __future__ import annotations

import functools
import http.server
import pathlib
import shutil
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
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


def test_chapter_page_shows_quiz_offline(browser, site):
    page, requested = open_page(browser, f"{site}/chapters/s3.html")
    quiz = page.locator(".labkit-quiz").first
    quiz.wait_for(state="visible", timeout=15000)
    assert quiz.locator("input[type=radio]").count() >= 8
    assert "Show the answers" in quiz.inner_text()
    quiz.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "chapter-s3.png"))
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
