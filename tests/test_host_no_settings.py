"""A host that has not set any Amazon setting yet (no keys, no redirect URI, no app ids, not in
debug or testing): its own commands run (``flask db …``, ``flask routes``), start-up warns once,
``flask asc check-config`` says what to set, and only what needs the settings refuses (Connect,
the worker), with that message and never a 500."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import TEST_KEY, database_url, dispose, fresh_schema, sign_in

from asc_plugin.testing import add_store, plugin_csrf

ROOT = Path(__file__).resolve().parents[1]
WARNING = ("The Amazon Sales Channel is missing settings: ASC_ENCRYPTION_KEYS, "
           "ASC_AMAZON_REDIRECT_URI")


def _flask(tmp_path, *args, **env):
    """``flask --app hosts.shop_migrate:create_app ARGS`` in a process, as the host runs it."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "hosts.shop_migrate:create_app", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(
                 ("FLASK_", "ASC_", "LC_", "LANGUAGE"))},
             "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}", "LANG": "C.UTF-8",
             "FLASK_SECRET_KEY": "host-secret",
             "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shop.sqlite3'}", **env})


@pytest.mark.slow
def test_the_hosts_own_commands_run_without_amazon_settings(tmp_path):
    for args in (["db", "init"], ["db", "migrate", "-m", "shop"], ["db", "upgrade"],
                 ["asc", "db", "upgrade"], ["routes"]):
        done = _flask(tmp_path, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert done.stderr.count(WARNING) == 1, (args, done.stderr)  # once, at start-up
    assert "asc.home" in done.stdout  # flask routes lists the plugin's too


@pytest.mark.slow
def test_check_config_and_the_worker_say_what_to_set(tmp_path):
    done = _flask(tmp_path, "asc", "check-config")
    assert done.returncode == 1
    for key in ("ASC_ENCRYPTION_KEYS", "ASC_AMAZON_REDIRECT_URI", "ASC_AMAZON_CLIENT_ID",
                "ASC_AMAZON_CLIENT_SECRET", "ASC_AMAZON_APPLICATION_ID"):
        assert f"  {key}: " in done.stderr, done.stderr
    assert "/admin/amazon/connect/callback" in done.stderr
    worker = _flask(tmp_path, "asc", "worker")
    assert worker.returncode == 1
    assert ("missing settings: ASC_ENCRYPTION_KEYS, ASC_AMAZON_CLIENT_ID, "
            "ASC_AMAZON_CLIENT_SECRET") in worker.stderr
    configured = _flask(
        tmp_path, "asc", "check-config", FLASK_ASC_ENCRYPTION_KEYS=json.dumps([TEST_KEY]),
        FLASK_ASC_AMAZON_REDIRECT_URI="https://shop.example.com/admin/amazon/connect/callback",
        FLASK_ASC_AMAZON_CLIENT_ID="amzn1.application-oa2-client.x",
        FLASK_ASC_AMAZON_CLIENT_SECRET="secret", FLASK_ASC_AMAZON_APPLICATION_ID="amzn1.x")
    assert configured.returncode == 0, configured.stderr
    assert "Every setting the Amazon Sales Channel needs is set." in configured.stdout
    assert "missing settings" not in configured.stderr


def test_pages_work_and_connect_refuses_with_the_message(tmp_path):
    from hosts import shop

    app = shop.create_app({"SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": database_url(tmp_path)})
    assert not (app.testing or app.debug)
    fresh_schema(app)
    try:
        client = sign_in(app.test_client())
        assert client.get("/admin/amazon/").status_code == 200
        store_id = add_store(client)
        header, token = plugin_csrf(client)
        started = client.post(f"/admin/amazon/stores/{store_id}/connect", headers={header: token})
        assert started.status_code == 303
        assert started.headers["Location"].endswith("/admin/amazon/")  # not to Amazon
        page = client.get("/admin/amazon/").get_data(as_text=True)
        assert "The Amazon Sales Channel is missing settings" in page
    finally:
        dispose(app)


@pytest.mark.slow
def test_the_cli_speaks_lang_even_when_the_os_lacks_that_locale(tmp_path):
    """zh_TW.UTF-8 is not installed here: Python coerces LC_CTYPE to C.UTF-8, and LANG still
    decides the language of the plugin's commands."""
    import locale

    try:
        locale.setlocale(locale.LC_MESSAGES, "zh_TW.UTF-8")
        installed = True
    except locale.Error:
        installed = False
    finally:
        locale.setlocale(locale.LC_MESSAGES, "")
    done = _flask(tmp_path, "asc", "check-config", LANG="zh_TW.UTF-8")
    assert done.returncode == 1
    assert "請在應用程式的設定中設定以下項目" in done.stderr, (installed, done.stderr)
    assert "ASC_AMAZON_CLIENT_ID: 您SP-API應用程式的LWA用戶端ID" in done.stderr


def test_commands_given_a_store_that_does_not_exist_say_so_and_fail(bare_app):
    runner = bare_app.test_cli_runner()
    for command in ("check-authorizations", "match-catalog"):
        result = runner.invoke(args=["asc", command, "--store", "99"])
        assert result.exit_code == 1, (command, result.output)
        assert "No store has the id 99." in result.output
