"""Launch buttons and installers point where the book's configuration says the course lives."""
from __future__ import annotations

import pathlib
import re

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"]


def toc_files() -> list[str]:
    """Every file named in _toc.yml, in order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            found.extend([node["file"]] if "file" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    return found


def is_notebook_page(name: str) -> bool:
    """Pages that get launch buttons: notebooks, and Markdown notebooks (a kernelspec in their front matter)."""
    if (ROOT / f"{name}.ipynb").exists():
        return True
    path = ROOT / f"{name}.md"
    return path.exists() and "kernelspec:" in path.read_text().split("\n---", 1)[0]


def test_every_page_with_launch_buttons_reaches_the_hub_launch_page():
    assert CONFIG["launch_buttons"]["jupyterhub_url"] == "../hub-launch.html#"
    assert "hub-launch" in toc_files()
    pages = [name for name in toc_files() if is_notebook_page(name)]
    assert len(pages) > 28
    assert [name for name in pages if name.count("/") != 1] == [], "'../' would not reach the book's root"


def test_each_labs_installer_cell_installs_the_configured_repository():
    labs = sorted((ROOT / "labs").glob("*.ipynb"))
    wrong = []
    for path in labs:
        first = next(cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
        # every lab installs the labs extra; a lab with heavy needs of its own adds its extra (the CDK lab: labs,cdk)
        if not re.search(rf"dva-labkit\[labs(,[a-z]+)*\] @ git\+{re.escape(REPOSITORY)}", first.source) \
                or "remove-cell" not in first.metadata.get("tags", []):
            wrong.append(path.name)
    assert wrong == []


def test_how_to_run_and_readme_name_the_configured_repository():
    text = (ROOT / "how-to-run.md").read_text()
    assert f"git+{REPOSITORY}" in text and f"git clone {REPOSITORY}" in text
    binder = f"https://mybinder.org/v2/gh/{REPOSITORY.removeprefix('https://github.com/')}/main?urlpath=lab/tree/labs/"
    for page in (text, (ROOT / "README.md").read_text()):
        assert f"({binder}s3-basics.ipynb)" in page
    assert (ROOT / "labs" / "s3-basics.ipynb").exists()
