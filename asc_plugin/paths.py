"""Where templates and static files live: inside the package in a wheel, beside it in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> str:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return str(candidate)
    raise RuntimeError(f"asc_plugin is installed without its {name}/ folder")


TEMPLATES = _find("templates")
STATIC = _find("static")

#: The vendored htmx file (its name carries the version), as recorded by scripts/update_htmx.py.
HTMX_FILE = (Path(STATIC) / "asc" / "vendor" / "htmx.sha256").read_text().split()[1]
