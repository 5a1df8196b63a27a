"""Sphinx extension of the book: fills "How the emulator differs from AWS" from labkit's registry at build time.

``reference/emulator-differences.md`` holds the markers ``<!-- emulator-differences -->`` (the table) and
``<!-- emulator-differences: count -->``; on ``source-read`` they are replaced by what ``labkit.emulator.page``
renders from ``labkit.emulator.registry.differences()``, so the page always lists exactly the differences the
emulator's modules declare. Listed under ``sphinx: local_extensions`` in ``_config.yml``.
"""
from __future__ import annotations

DOCNAME = "reference/emulator-differences"


def fill(app, docname: str, source: list[str]) -> None:
    """Replace the page's markers with the rendered table of differences (other pages are left alone)."""
    if docname != DOCNAME:
        return
    from labkit.emulator import page

    source[0] = page.fill(source[0])


def setup(app):
    app.connect("source-read", fill)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
