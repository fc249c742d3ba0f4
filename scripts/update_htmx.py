"""Vendor htmx 2.0.x from the npm package htmx.org, checking what we ship.

    python scripts/update_htmx.py            # newest 2.0.x
    python scripts/update_htmx.py 2.0.11     # a given version

npm verifies the tarball against the registry's integrity hash; this script then copies
dist/htmx.min.js and LICENSE under static/asc/vendor/, records the file's sha256 in htmx.sha256,
and rewrites the version in the templates that load it. `python scripts/update_htmx.py --check`
only verifies that the vendored file matches its recorded sha256.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "asc" / "vendor"
LOADERS = [ROOT / "tests" / "test_packaging.py"]  # the plugin itself reads htmx.sha256


def check() -> str:
    recorded, name = (VENDOR / "htmx.sha256").read_text().split()
    actual = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
    if actual != recorded:
        sys.exit(f"{name}: sha256 {actual} does not match the recorded {recorded}")
    return name


def update(version: str | None) -> None:
    spec = f"htmx.org@{version}" if version else "htmx.org@~2.0.0"
    versions = json.loads(subprocess.check_output(["npm", "view", spec, "version", "--json"]))
    version = versions[-1] if isinstance(versions, list) else versions
    if not version.startswith("2.0."):
        sys.exit(f"refusing {version}: the plugin pins htmx 2.0.x")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"htmx.org@{version}", "--pack-destination", tmp],
                       check=True, capture_output=True)
        (tarball,) = Path(tmp).glob("htmx.org-*.tgz")
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        for old in VENDOR.glob("htmx-2.0.*.min.js"):
            old.unlink()
        name = f"htmx-{version}.min.js"
        shutil.copy(package / "dist" / "htmx.min.js", VENDOR / name)
        shutil.copy(package / "LICENSE", VENDOR / "htmx-LICENSE.txt")
    digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
    (VENDOR / "htmx.sha256").write_text(f"{digest}  {name}\n")
    for loader in LOADERS:
        text = re.sub(r"htmx-2\.0\.\d+\.min\.js", name, loader.read_text())
        loader.write_text(text)
    print(f"vendored {name} (sha256 {digest})")


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        print(f"{check()} matches its recorded sha256")
    else:
        update(sys.argv[1] if len(sys.argv) > 1 else None)
