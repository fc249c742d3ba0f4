"""The README is a front page: the two quick-start commands first, what the plugin is, a few
screenshots and links into the documentation (docs/, checked by tests/test_docs.py), all of
which exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_opens_with_the_two_quick_start_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert [b.strip() for b in quick_start.split("```")[1::2]] == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && "
        ".venv/bin/python -m asc_plugin.demo",
        "./scripts/test"]


def test_is_a_front_page():
    assert len(README.splitlines()) <= 150


def test_names_no_file_outside_the_repository_and_every_image_and_link_exists():
    assert "shared/" not in README
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), image
    links = re.findall(r"(?<!!)\[[^\]]*\]\((?!https?://)([^)#]+)(?:#[^)]*)?\)", README)
    assert links
    for link in links:
        assert (ROOT / link).is_file(), link


def test_links_every_documentation_page():
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")}
    pages |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.rst")}
    pages.discard("docs/index.md")
    linked = set(re.findall(r"\]\((docs/[^)#]+)", README))
    assert pages <= linked, pages - linked
