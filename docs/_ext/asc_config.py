"""The ``asc-config`` directive: one entry per ``ASC_*`` key, generated from
``asc_plugin/config.py`` (its ``DEFAULTS`` and the ``#:`` comment above each key), so the
configuration page cannot drift from the code. A key without a ``#:`` comment is a warning,
which fails a ``-W`` build."""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

KEY = re.compile(r'^\s*"(ASC_[A-Z0-9_]+)"\s*:')
COMMENT = re.compile(r"^\s*#:\s?(.*)$")


def documented_keys(source: str) -> dict[str, str]:
    """Each key of the DEFAULTS literal → the ``#:`` comment lines right above it ("" if none)."""
    docs: dict[str, str] = {}
    pending: list[str] = []
    for line in source.splitlines():
        if comment := COMMENT.match(line):
            pending.append(comment[1])
        elif key := KEY.match(line):
            docs[key[1]] = " ".join(pending).strip()
            pending = []
        else:  # anything else, a blank line too, parts a comment from the next key
            pending = []
    return docs


class AscConfig(SphinxDirective):
    """Render every key of asc_plugin.config.DEFAULTS with its default and its comment."""

    def run(self):
        from asc_plugin import config

        path = Path(config.__file__)
        self.env.note_dependency(str(path))
        docs = documented_keys(path.read_text(encoding="utf-8"))
        lines: list[str] = []
        for key, default in config.DEFAULTS.items():
            text = docs.get(key, "")
            if not text:
                logger.warning("%s has no #: comment in asc_plugin/config.py", key,
                               location=(self.env.docname, self.lineno))
            lines += [f".. data:: {key}", "", f"   Default: ``{default!r}``", "",
                      f"   {text}", ""]
        node = nodes.section()
        node.document = self.state.document
        self.state.nested_parse(StringList(lines, source=str(path)), self.content_offset, node)
        return node.children


def setup(app):
    app.add_directive("asc-config", AscConfig)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
