"""The demo behind gunicorn with several workers: no process-local state decides anything."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from conftest import csrf_from
from helpers import Seller, signed_in

from asc_plugin.sandbox import sandbox_config_for

pytestmark = pytest.mark.slow
TESTS = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def gunicorn(app, asc_sandbox, tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    prefix = app.config["ASC_URL_PREFIX"]
    asc_sandbox.app.config["SANDBOX_REDIRECT_URIS"].insert(0, f"{url}{prefix}/connect/callback")
    env = {**os.environ,
           "SECRET_KEY": app.config["SECRET_KEY"],
           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
           "ASC_ENCRYPTION_KEYS": json.dumps(app.config["ASC_ENCRYPTION_KEYS"]),
           "ASC_AMAZON_REDIRECT_URI": f"{url}{prefix}/connect/callback"}
    for key, value in sandbox_config_for(asc_sandbox.url).items():
        env[key] = json.dumps(value)
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--chdir", str(TESTS), "gunicorn_host:app"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/login", timeout=2)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
            time.sleep(0.2)
    yield url
    process.send_signal(signal.SIGTERM)
    process.wait(20)
    log.close()


def _kill_worker(pid: int) -> None:
    """Kill the worker that served a request, so the next one must come from another process."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().split()[2] == "Z":  # a zombie no longer accepts requests
                return
        time.sleep(0.05)
    raise AssertionError(f"worker {pid} did not die")


def test_connect_flow_survives_changing_workers(gunicorn):
    admin = signed_in(gunicorn)
    form = admin.get(f"{gunicorn}/admin/amazon/stores/new?step=form", timeout=10)
    home = admin.post(f"{gunicorn}/admin/amazon/stores/new", timeout=10, data={
        "csrf_token": csrf_from(form.text), "website_id": "1", "contact_email": "a@example.com",
        "name": "Amazon Store USA", "marketplace": "US", "amazon_id_type": "ASIN",
        "host_attribute": "amazon_asin"})
    store_id = re.search(r"/stores/(\d+)/connect\"", home.text).group(1)

    started = admin.post(f"{gunicorn}/admin/amazon/stores/{store_id}/connect",
                         data={"csrf_token": csrf_from(home.text), "new_tab": "1"},
                         allow_redirects=False, timeout=10)
    assert started.status_code == 303
    started_on = int(started.headers["X-Worker-Pid"])
    _kill_worker(started_on)  # the OAuth state must not live in that process

    waiting = admin.get(f"{gunicorn}/admin/amazon/stores/{store_id}/connect/status",
                        headers={"HX-Request": "true"}, timeout=10)
    assert "Waiting for Amazon" in waiting.text
    poll = waiting.text.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")

    back = Seller().authorize(started.headers["Location"])
    finished = admin.get(back, allow_redirects=False, timeout=10)
    assert "You can close this tab" in finished.text
    finished_on = int(finished.headers["X-Worker-Pid"])
    assert finished_on != started_on
    _kill_worker(finished_on)  # and the outcome must not live in that one

    done = admin.get(f"{gunicorn}{poll}", headers={"HX-Request": "true"}, timeout=10)
    assert int(done.headers["X-Worker-Pid"]) not in (started_on, finished_on)
    assert json.loads(done.headers["HX-Trigger"])["asc:banner"] == {
        "level": "success", "key": f"store-{store_id}",
        "message": "“Amazon Store USA” is connected as Example Outfitters (A3FH4EXAMPLE)."}

