"""The built wheel carries templates, static files and migrations, and works in a fresh venv."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

HOST = textwrap.dedent('''
    import hashlib, sys
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy
    import asc_plugin
    from asc_plugin import AmazonSalesChannel, BaseHost

    assert "site-packages" in asc_plugin.__file__, asc_plugin.__file__

    class Host(BaseHost):
        def can_access(self):
            return True

    app = Flask("throwaway")
    app.config.update(SECRET_KEY="k", SQLALCHEMY_DATABASE_URI="sqlite://",
                      ASC_ENCRYPTION_KEYS="rAqSqzeoFSSJSN-2L9QGa2bzVRnGLwAlEw1Rnz2U-FU=",
                      ASC_AMAZON_REDIRECT_URI="https://shop.example.com/admin/amazon/connect/callback")
    db = SQLAlchemy(app)
    AmazonSalesChannel(app, db=db, host=Host())
    with app.app_context():
        from asc_plugin.migrations import upgrade
        upgrade()
    client = app.test_client()
    page = client.get("/admin/amazon/")
    assert page.status_code == 200 and "No Amazon stores yet" in page.text, page.status_code
    js = client.get("/admin/amazon/static/asc/vendor/htmx-2.0.11.min.js")
    assert js.status_code == 200
    wrapped = client.get("/admin/amazon/htmx/htmx-2.0.11.min.js")
    assert wrapped.data.startswith(b"if (!window.htmx) {") and js.data in wrapped.data
    assert '/admin/amazon/htmx/htmx-2.0.11.min.js' in page.text
    print("page ok; htmx sha256", hashlib.sha256(js.data).hexdigest())
''')


HOST_TYPES = '''\
from asc_plugin import AmazonSalesChannel, BaseHost, NotConnected, product_changed

ext = AmazonSalesChannel(host=BaseHost())
marked: int = product_changed("1", ["p-1"])
error: Exception = NotConnected()
wrong: str = BaseHost().can_access()
'''


@pytest.mark.slow
def test_wheel_installs_and_serves_in_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("asc_plugin-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("asc_plugin/templates/asc/layout.html",
                     "asc_plugin/static/asc/vendor/htmx-2.0.11.min.js",
                     "asc_plugin/static/asc/vendor/htmx-LICENSE.txt",
                     "asc_plugin/migrations/versions/0001_create_tables.py",
                     "asc_plugin/migrations/versions/0002_connect_attempts.py",
                     "asc_plugin/migrations/versions/0003_listing_and_matching.py",
                     "asc_plugin/translations/zh_Hant/LC_MESSAGES/asc_plugin.mo",
                     "asc_plugin/migrations/script.py.mako",
                     "asc_plugin/py.typed"):
        assert expected in names
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Description-Content-Type: text/markdown" in metadata
    assert "](docs/" not in metadata  # no image the package index could not show
    assert "*(Amazon Sales Channel home with a connected store)*" in metadata
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True, timeout=900)
    result = subprocess.run([str(python), "-c", HOST], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    expected_sha = (ROOT / "static/asc/vendor/htmx.sha256").read_text().split()[0]
    assert result.stdout.strip() == f"page ok; htmx sha256 {expected_sha}"
    # The installed package is typed (py.typed): mypy reads its annotations in a host's code.
    (tmp_path / "host_types.py").write_text(HOST_TYPES)
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--python-executable", str(python),
         "host_types.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    assert errors == ['host_types.py:6: error: Incompatible types in assignment (expression has '
                      'type "bool", variable has type "str")  [assignment]'], checked.stdout
