"""Sphinx configuration: the Pallets theme, Markdown pages through MyST, autodoc for the host
contract and the API, and the configuration reference generated from asc_plugin/config.py."""

import sys
from pathlib import Path

from pallets_sphinx_themes import ProjectLink

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "_ext"))

import asc_plugin  # noqa: E402

# Project --------------------------------------------------------------

project = "asc_plugin"
copyright = "asc_plugin authors"
author = "asc_plugin authors"
release = version = asc_plugin.__version__

# General --------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "pallets_sphinx_themes",
    "asc_config",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_preserve_defaults = True

# HTML -----------------------------------------------------------------

html_theme = "flask"
html_context = {
    "project_links": [
        ProjectLink("Quickstart", "quickstart.html"),
        ProjectLink("Changelog", "changelog.html"),
    ]
}
html_sidebars = {
    "index": ["project.html", "localtoc.html", "searchbox.html"],
    "**": ["localtoc.html", "relations.html", "searchbox.html"],
}
singlehtml_sidebars = {"index": ["project.html", "localtoc.html"]}
html_title = f"asc_plugin Documentation ({version})"
html_show_sourcelink = False
