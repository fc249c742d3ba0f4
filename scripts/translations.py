"""Maintain the plugin's message catalogs (Babel): extract, update, compile, check.

    python scripts/translations.py extract   # templates + code -> translations/asc_plugin.pot
    python scripts/translations.py update    # merge the .pot into every .po (new strings empty)
    python scripts/translations.py compile   # .po -> .mo (the wheel build does this too)

The .po files are the source of truth and live in git; .mo files are build output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from asc_plugin.i18n import EXTRACT_KEYWORDS

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "asc_plugin" / "translations"
POT = TRANSLATIONS / "asc_plugin.pot"
KEYWORDS = [name if spec is None else f"{name}:{','.join(map(str, spec))}"
            for name, spec in EXTRACT_KEYWORDS.items()]


def run(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    run("extract", "-F", str(ROOT / "babel.cfg"), "--no-location", "--sort-output",
        "--project", "asc_plugin", "--copyright-holder", "asc_plugin developers",
        "--msgid-bugs-address", "asc-plugin@example.com", "-w", "100", *keywords,
        "-o", str(POT), str(ROOT))


def update() -> None:
    run("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-D", "asc_plugin", "-w", "100",
        "--no-fuzzy-matching", "--ignore-obsolete")


def compile_() -> None:
    run("compile", "-d", str(TRANSLATIONS), "-D", "asc_plugin", "--statistics")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "extract"
    {"extract": extract, "update": update, "compile": compile_}[command]()
