"""The plugin's pinned htmx, served so that it runs only on pages without an htmx of their own.

The vendored file (checked against its recorded sha256) is wrapped, once per process, in
``if (!window.htmx) { … }`` with the plugin's own configuration applied inside. Loaded as a
plain deferred script it starts the way htmx expects (history, indicators, the lot), while a
host that loads htmx 2 itself keeps its single copy and its own configuration.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Response

from .. import paths

#: The plugin's htmx settings, for its own copy only: no eval, no inline scripts or styles (a
#: strict CSP), history as usual.
OWN_CONFIG = {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}


@cache
def _script() -> bytes:
    code = (Path(paths.STATIC) / "asc" / "vendor" / paths.HTMX_FILE).read_text(encoding="utf-8")
    return (f"if (!window.htmx) {{\n{code}\nObject.assign(htmx.config, "
            f"{json.dumps(OWN_CONFIG)});\n}}\n").encode()


def htmx():
    response = Response(_script(), mimetype="text/javascript")
    # The file name carries htmx's version: a new version is a new URL.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def register(bp) -> None:
    bp.add_url_rule(f"/htmx/{paths.HTMX_FILE}", "htmx", htmx)
