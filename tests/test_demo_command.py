"""The Quick start's demo command, as a process: the admin, the sandbox and the job worker it
runs in one go — a store connected and matched over real HTTP, with the demo's product names on
Amazon's side."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from helpers import csrf_from, signed_in
from workers import wait_for

from asc_plugin.testing import SandboxSeller

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def test_the_demo_command_connects_and_matches_a_store(tmp_path):
    port, sandbox_port = _free_port(), _free_port()
    env = {**os.environ, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "ASC_HUEY_PATH": str(tmp_path / "jobs.sqlite3"), "DEMO_PRODUCTS": '{"1": 120}'}
    env.pop("ASC_AMAZON_CLIENT_ID", None)
    log = open(tmp_path / "demo.log", "wb")  # noqa: SIM115 - closed below
    demo = subprocess.Popen([sys.executable, "-m", "asc_plugin.demo", "--port", str(port),
                             "--sandbox-port", str(sandbox_port)], cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _up(f"{base}/login"), what="the demo admin")
        admin = signed_in(base)
        form = admin.get(f"{base}/admin/amazon/stores/new?step=form", timeout=10)
        added = admin.post(f"{base}/admin/amazon/stores/new", timeout=10, data={
            "csrf_token": csrf_from(form.text), "website_id": "1",
            "contact_email": "owner@example.com", "name": "Demo Store",
            "marketplace": "US", "amazon_id_type": "UPC", "host_attribute": "upc"})
        assert added.status_code == 200 and "Demo Store" in added.text
        store_id = re.search(r"/admin/amazon/stores/(\d+)\"", added.text).group(1)
        home = admin.get(f"{base}/admin/amazon/", timeout=10)
        start = admin.post(f"{base}/admin/amazon/stores/{store_id}/connect", timeout=10,
                           allow_redirects=False, data={"csrf_token": csrf_from(home.text)})
        back = SandboxSeller().authorize(start.headers["Location"])
        parts = urlsplit(back)
        admin.get(f"{base}{parts.path}?{parts.query}", timeout=10)
        listing = admin.get(f"{base}/admin/amazon/stores/{store_id}/listing", timeout=10)
        admin.post(f"{base}/admin/amazon/stores/{store_id}/match", timeout=10,
                   data={"csrf_token": csrf_from(listing.text)})
        wait_for(lambda: "Last match finished:" in admin.get(
            f"{base}/admin/amazon/stores/{store_id}/match/status", timeout=10).text,
            timeout=120, what="the demo's worker to finish the match")
        matched = admin.get(f"{base}/admin/amazon/stores/{store_id}/listing?status=matched",
                            timeout=10).text
        # Amazon's side names the demo's own products (the sandbox knows the demo catalog).
        names = re.findall(r'<td>([^<]+)</td>\s*<td class="asc-asin">', matched)
        assert names and any(name in matched.split('class="asc-amazon"', 1)[1] for name in names)
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(15)
        except subprocess.TimeoutExpired:
            demo.kill()
        log.close()
    assert demo.returncode is not None
