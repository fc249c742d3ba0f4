"""Fill the zh_Hant catalog's empty messages from a Python file holding a dict T (msgid -> text).

    python scripts/fill_translations.py new_strings.py

A maintainer's helper for translating a batch of new strings after `translations.py update`.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "asc_plugin" / "translations" / "zh_Hant" / "LC_MESSAGES" / "asc_plugin.po"


def main(source: str) -> None:
    table = runpy.run_path(source)["T"]
    with PO.open("rb") as f:
        catalog = read_po(f)
    filled = 0
    for message in catalog:
        if message.id in table:
            message.string = table[message.id]
            filled += 1
    with PO.open("wb") as f:
        write_po(f, catalog, width=100)
    print(f"filled {filled} of {len(table)}")


if __name__ == "__main__":
    main(sys.argv[1])
