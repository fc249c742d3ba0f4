"""The README is true as written: its quick start, its config table, and its hosts (the code
blocks are the hosts the host-matrix tests mount the plugin into)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asc_plugin.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language: str) -> list[str]:
    return [b.strip() for b in re.findall(rf"```{language}\n(.*?)```", README, re.S)]


def test_opens_with_the_two_quick_start_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert [b.strip() for b in quick_start.split("```")[1::2]] == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && "
        ".venv/bin/python -m asc_plugin.demo",
        "./scripts/test"]


def test_documents_every_config_key():
    for key in DEFAULTS:
        assert f"| `{key}` |" in README, key


@pytest.mark.parametrize("host", ["shop.py", "shop_migrate.py", "shop_admin.py"])
def test_each_host_in_the_readme_is_the_one_the_tests_mount(host):
    code = (ROOT / "tests" / "hosts" / host).read_text().strip()
    assert code in _blocks("python"), f"README and tests/hosts/{host} differ"


def test_the_layout_in_the_readme_is_the_tested_one():
    layout = (ROOT / "tests" / "hosts" / "templates" / "layout.html").read_text().strip()
    assert layout in _blocks("html")


def test_the_host_test_in_the_readme_is_the_one_that_runs():
    from test_testing_support import HOST_TEST

    assert HOST_TEST.strip() in _blocks("python")


def test_names_no_file_outside_the_repository_and_every_image_exists():
    assert "shared/" not in README
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), image


def test_the_rq_recipe_in_the_readme_is_the_one_the_rq_test_runs():
    code = (ROOT / "tests" / "hosts" / "shop_rq.py").read_text().strip()
    assert code in _blocks("python")
