"""The documentation is true as written and builds clean: Sphinx with warnings as errors, a
configuration page with every ASC_* key (generated from asc_plugin/config.py), and the hosts and
recipes in its code blocks are the ones the tests mount and run."""

from __future__ import annotations

import ast
import html
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from asc_plugin.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

from asc_config import documented_keys  # noqa: E402


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _blocks(page: str, language: str) -> list[str]:
    return [b.strip() for b in re.findall(rf"```{language}\n(.*?)```", _page(page), re.S)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built as the README says, with warnings as errors (a failure shows Sphinx's own
    message)."""
    out = tmp_path_factory.mktemp("docs") / "html"
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(DOCS), str(out), "-d", str(out.parent / "doctrees")],
        capture_output=True, text=True, timeout=120, check=False)
    assert build.returncode == 0, build.stderr or build.stdout
    return out


@pytest.mark.slow
def test_the_site_builds_with_warnings_as_errors_and_has_every_page(site):
    pages = {p.stem for p in DOCS.glob("*.md")} | {p.stem for p in DOCS.glob("*.rst")}
    assert {"index", "quickstart", "host", "recipes", "configuration", "amazon", "rules",
            "jobs", "testing", "sandbox", "security", "translations", "api",
            "changelog"} <= pages
    for page in pages:
        assert (site / f"{page}.html").is_file(), page


@pytest.mark.slow
def test_the_configuration_page_shows_every_key_with_its_default(site):
    text = html.unescape(re.sub(r"<[^>]+>", "", (site / "configuration.html").read_text()))
    entries = re.split(r"\n(?=ASC_[A-Z0-9_]+¶)", text)
    shown = {entry.split("¶", 1)[0]: entry for entry in entries[1:]}
    assert list(shown) == list(DEFAULTS)
    for key, default in DEFAULTS.items():
        assert f"Default: {default!r}" in shown[key], key


@pytest.mark.slow
def test_the_host_contract_is_rendered_from_the_docstrings(site):
    html = (site / "host.html").read_text(encoding="utf-8")
    for member in ("can_access", "can_manage", "products", "count_matching", "import_order",
                   "cancel_order"):
        assert f'id="asc_plugin.Host.{member}"' in html, member


def _listed_public_modules() -> set[str]:
    """The public modules docs/api.md names under "What is public"."""
    section = _page("api.md").split("## What is public", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `(asc_plugin(?:\.\w+)+)`", section, re.M))


def _modules_with_all() -> set[str]:
    """Every module of the package that declares ``__all__`` (read, not imported)."""
    found = set()
    for path in (ROOT / "asc_plugin").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.Assign | ast.AnnAssign) and "__all__" in ast.unparse(
                node.targets[0] if isinstance(node, ast.Assign) else node.target)
               for node in tree.body):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_the_public_modules_are_the_ones_the_api_reference_lists():
    """A module is public when it declares ``__all__``; the API reference lists exactly those
    (and the package itself)."""
    assert len(_listed_public_modules()) >= 8
    assert _modules_with_all() == _listed_public_modules() | {"asc_plugin"}


def test_what_a_public_module_exports_exists():
    for name in _modules_with_all():
        module = importlib.import_module(name)
        assert len(set(module.__all__)) == len(module.__all__), name
        for exported in module.__all__:
            assert hasattr(module, exported), f"{name}.{exported}"


@pytest.mark.slow
def test_every_public_name_is_in_the_api_reference(site):
    """Each name of each public ``__all__`` has its entry in the built site, under that module
    or, for a name exported twice (``asc_plugin.NotConnected`` is
    ``asc_plugin.errors.NotConnected``), under the other public module that has the object."""
    documented = set()
    for page in site.glob("*.html"):
        documented |= set(re.findall(r'id="(asc_plugin[\w.]*)"', page.read_text("utf-8")))
    modules = {name: importlib.import_module(name) for name in _modules_with_all()}
    missing = []
    for name, module in sorted(modules.items()):
        for exported in module.__all__:
            obj = getattr(module, exported)
            homes = [other for other, m in modules.items()
                     if exported in m.__all__ and getattr(m, exported) is obj]
            if not any(f"{home}.{exported}" in documented for home in homes):
                missing.append(f"{name}.{exported}")
    assert missing == []


def test_every_config_key_has_its_comment_in_config_py():
    docs = documented_keys((ROOT / "asc_plugin" / "config.py").read_text(encoding="utf-8"))
    assert set(docs) == set(DEFAULTS)
    assert [key for key, text in docs.items() if not text] == []


def test_a_key_without_a_comment_is_found_undocumented():
    source = ('DEFAULTS = {\n    #: Documented.\n    "ASC_A": 1,\n    "ASC_B": 2,\n'
              '    #: Not for C: a line between.\n\n    "ASC_C": 3,\n}\n')
    assert documented_keys(source) == {"ASC_A": "Documented.", "ASC_B": "", "ASC_C": ""}


@pytest.mark.parametrize("host", ["shop.py", "shop_migrate.py", "shop_admin.py"])
def test_each_host_in_the_recipes_is_the_one_the_tests_mount(host):
    code = (ROOT / "tests" / "hosts" / host).read_text().strip()
    assert code in _blocks("recipes.md", "python"), f"docs/recipes.md and tests/hosts/{host} differ"


def test_the_layout_in_the_recipes_is_the_tested_one():
    layout = (ROOT / "tests" / "hosts" / "templates" / "layout.html").read_text().strip()
    assert layout in _blocks("recipes.md", "html")


def test_the_host_test_in_the_docs_is_the_one_that_runs():
    from test_testing_support import HOST_TEST

    assert HOST_TEST.strip() in _blocks("testing.md", "python")


def test_the_rq_recipe_in_the_docs_is_the_one_the_rq_test_runs():
    code = (ROOT / "tests" / "hosts" / "shop_rq.py").read_text().strip()
    assert code in _blocks("jobs.md", "python")


def test_the_quickstart_has_the_readmes_two_commands():
    readme = (ROOT / "README.md").read_text()
    commands = [b.strip() for b in readme.split("## Quick start", 1)[1].split("```")[1::2][:2]]
    assert [b.strip() for b in _page("quickstart.md").split("```")[1::2][:2]] == commands


def test_names_no_file_outside_the_repository_and_every_image_exists():
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert "shared/" not in text, page.name
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            assert (DOCS / image).is_file(), f"{page.name}: {image}"


def test_the_flask_babel_recipe_is_the_host_the_matrix_mounts():
    (recipe,) = [b for b in _blocks("recipes.md", "py") if "Babel(app" in b]
    babel_line = next(line for line in recipe.splitlines() if line.startswith("Babel(app"))
    assert babel_line.strip() in (ROOT / "tests" / "test_hosts.py").read_text()
