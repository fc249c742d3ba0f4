"""Hatch hooks: compile the message catalogs into the package; publish a README whose images and
links work.

The .po files are the source of truth in git; the compiled .mo files are build output, made here
for wheels, editable installs and sdists alike.

The README's screenshots are relative paths (docs/screenshots/…), which render on the project's
Git forge but not on a package index. For the published description, images point at
``[tool.hatch.metadata.hooks.custom] image-base-url`` when it is set, and otherwise become their
alt text, so the package page never shows a broken image. Links to the repository's files (the
documentation pages, docs/*.md) point at the same base URL, or become their plain text.
"""

import re
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

RELATIVE_IMAGE = re.compile(r"!\[([^\]]*)\]\((?!https?://)([^)\s]+)\)")
RELATIVE_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\((?!https?://|#)([^)\s]+)\)")


def published_readme(text: str, image_base_url: str | None) -> str:
    if image_base_url:
        base = image_base_url.rstrip("/")
        text = RELATIVE_IMAGE.sub(lambda m: f"![{m[1]}]({base}/{m[2]})", text)
        return RELATIVE_LINK.sub(lambda m: f"[{m[1]}]({base}/{m[2]})", text)
    text = RELATIVE_IMAGE.sub(lambda m: f"*({m[1]})*", text)
    return RELATIVE_LINK.sub(lambda m: m[1], text)


class PublishedReadme(MetadataHookInterface):
    PLUGIN_NAME = "custom"

    def update(self, metadata):
        text = (Path(self.root) / "README.md").read_text(encoding="utf-8")
        metadata["readme"] = {"content-type": "text/markdown",
                              "text": published_readme(text, self.config.get("image-base-url"))}


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
