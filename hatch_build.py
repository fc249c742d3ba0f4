"""Hatch build hook: compile the message catalogs (.po -> .mo) into the package.

The .po files are the source of truth in git; the compiled .mo files are build output, so they
are made here for wheels, editable installs and sdists alike.
"""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogs(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        for po in sorted((root / "asc_plugin" / "translations").glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo")
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)
            build_data["artifacts"].append(mo.relative_to(root).as_posix())
