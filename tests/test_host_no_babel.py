"""A Flask-Admin host that never set up Flask-Babel, on a site where Flask-Babel is not installed
(the plugin does not pull it in): the host's own /admin/ answers, the plugin's pages speak the
admin's language through Babel's own catalogs, and the whole journey passes in Chromium.

The host runs in a process of its own in which ``import flask_babel`` fails, as on such a site
(this test environment has Flask-Babel for the other host variants)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from helpers import base_config, dispose, fresh_schema, session_cookie
from host_journey import store_journey, styled
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "/admin/amazon"


@pytest.fixture()
def host_without_babel(tmp_path, asc_sandbox, asc_sandbox_config):
    """(in-process app for the database and cookies, URL of the same host served by a process
    without Flask-Babel)."""
    from hosts import shop_admin_plain

    config = {**base_config(tmp_path), **asc_sandbox_config}
    app = shop_admin_plain.create_app(config)
    fresh_schema(app)
    log = open(tmp_path / "host.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "hosts" / "without_flask_babel.py"),
         "shop_admin_plain"], stdout=subprocess.PIPE, stderr=log,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOST_CONFIG": json.dumps(config)})
    try:
        url = process.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:"), (tmp_path / "host.log").read_text()
        asc_sandbox.register(url, PREFIX)
        yield app, url
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        log.close()
        dispose(app)


def test_flask_babel_is_not_a_dependency_of_the_plugin():
    pyproject = (ROOT / "pyproject.toml").read_text()
    needed = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.M | re.S).group(1)
    assert '"flask-sqlalchemy' in needed and "flask-babel" not in needed.lower()


@pytest.mark.slow
def test_the_hosts_admin_and_the_plugin_answer_without_flask_babel(host_without_babel):
    app, url = host_without_babel
    cookie = {"session": session_cookie(app, role="admin", user="admin")}
    admin = requests.get(f"{url}/admin/", cookies=cookie, timeout=10)
    assert admin.status_code == 200, admin.text[:500]
    assert "Shop Admin" in admin.text
    home = requests.get(f"{url}{PREFIX}/", cookies=cookie, timeout=10)
    assert home.status_code == 200 and "Amazon Stores" in home.text
    chinese = requests.get(f"{url}{PREFIX}/", cookies=cookie, timeout=10,
                           headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert 'lang="zh-Hant"' in chinese.text and "Amazon商店" in chinese.text


@pytest.mark.slow
@pytest.mark.browser
def test_flask_admin_without_babel_runs_the_whole_journey(page, host_without_babel):
    app, url = host_without_babel
    page.context.add_cookies([{"name": "session", "url": url,
                               "value": session_cookie(app, role="admin", user="admin")}])
    page.goto(f"{url}/admin/")
    expect(page.locator(".navbar-brand")).to_have_text("Shop Admin")
    page.get_by_role("link", name="Marketing").click()
    page.get_by_role("link", name="Amazon Sales Channel").click()
    expect(page).to_have_title("Amazon Sales Channel - Shop Admin")
    styled(page)
    store_journey(page, app, "32-flask-admin-without-babel", products=60)
