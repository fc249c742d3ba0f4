"""``flask asc sandbox``: the sandbox Amazon served for a host's own settings, in a real process
on a free port, and a store of that host connected through it."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import base_config, dispose, fresh_schema, sign_in

from asc_plugin.models import ConnectionState, Store
from asc_plugin.state import plugin_state
from asc_plugin.testing import add_store, connect_store

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def sandbox_process(tmp_path):
    """``flask asc sandbox --port 0`` for the plain host served at http://localhost (the test
    client's address): (its URL, the settings it printed)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "hosts.shop:create_app", "asc", "sandbox",
         "--port", "0", "--admin-url", "http://localhost"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
             "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8", "FLASK_SECRET_KEY": "s",
             "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://", "FLASK_TESTING": "true"})
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("ASC_AMAZON_REDIRECT_URI = "):
                break
        text = "".join(lines)
        url = re.search(r"Sandbox Amazon on (http://127\.0\.0\.1:\d+) ", text)
        assert url, text
        settings = dict(re.findall(r"^(ASC_\w+) = (.+)$", text, re.M))
        yield url.group(1), {k: ast.literal_eval(v) for k, v in settings.items()}
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()


def test_the_sandbox_command_serves_a_sandbox_the_host_connects_through(tmp_path,
                                                                        sandbox_process):
    from hosts import shop

    url, settings = sandbox_process
    assert settings["ASC_AMAZON_TOKEN_URL"] == f"{url}/auth/o2/token"
    assert settings["ASC_AMAZON_REDIRECT_URI"] == "http://localhost/admin/amazon/connect/callback"
    app = shop.create_app({**base_config(tmp_path), **settings})
    fresh_schema(app)
    try:
        client = sign_in(app.test_client())
        store_id = add_store(client)
        back = connect_store(client, store_id)
        assert back.status_code in (302, 303)
        with app.app_context():
            store = plugin_state().session.get(Store, store_id)
            assert store.connection_state is ConnectionState.CONNECTED
            assert store.seller_id == "A3FH4EXAMPLE"
    finally:
        dispose(app)


def test_without_a_redirect_uri_or_admin_url_it_says_what_to_give(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "hosts.shop:create_app", "asc", "sandbox",
         "--port", "0"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
             "LANG": "C.UTF-8", "FLASK_SECRET_KEY": "s", "FLASK_TESTING": "true",
             "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert done.returncode == 2
    assert "--admin-url" in done.stderr and "ASC_AMAZON_REDIRECT_URI" in done.stderr
