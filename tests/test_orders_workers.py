"""Order import in real processes: `flask asc import-orders` killed with SIGKILL in the middle
of a run holds the store's lease until it runs out; the next run continues from the page the
dead one had reached, and every Amazon order is one shop order."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from test_orders import shop_orders, store  # noqa: F401 - the store fixture
from workers import ROOT, wait_for, worker_env

from asc_plugin.models import AmazonOrder, OrderImport
from asc_plugin.services import leases
from asc_plugin.state import plugin_state

pytestmark = [pytest.mark.slow, pytest.mark.db]


def _imported(app) -> int:
    with app.app_context():
        count = plugin_state().session.scalar(sa.select(sa.func.count()).select_from(AmazonOrder))
        plugin_state().session.rollback()
        return count


def _page_stored(app, store_id) -> bool:
    with app.app_context():
        record = plugin_state().session.get(OrderImport, store_id, populate_existing=True)
        plugin_state().session.rollback()
        return record is not None and record.page_token is not None


def _cli(app, tmp_path, name):
    log = open(tmp_path / f"{name}.log", "ab")  # noqa: SIM115 - closed by the caller
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "asc_plugin.demo.app:create_app", "asc",
         "import-orders"], env=worker_env(app), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return process, log


def test_a_killed_import_process_is_continued_and_imports_each_order_once(
        app, store, sandbox, tmp_path):  # noqa: F811
    app.config["ASC_JOB_LEASE_SECONDS"] = 3
    placed = sandbox.place_order("NB-22", 1, count=300)
    sandbox.order_faults("slow", operation="search")  # every search takes 3 s
    process, log = _cli(app, tmp_path, "killed")
    try:
        wait_for(lambda: _page_stored(app, store.id), timeout=120,
                 what="the first page imported and the next page's token stored")
        process.kill()  # SIGKILL: no cleanup, the lease stays
        process.wait(10)
    finally:
        log.close()
    assert 100 <= _imported(app) < 300  # it died mid-run
    with app.app_context():
        assert plugin_state().session.get(OrderImport, store.id).lease_owner is not None
        plugin_state().session.rollback()

    def lease_ran_out():
        with app.app_context():
            record = plugin_state().session.get(OrderImport, store.id, populate_existing=True)
            plugin_state().session.rollback()
            return record.lease_expires_at < leases.real_now()

    wait_for(lease_ran_out, timeout=30, what="the dead worker's lease to run out")
    sandbox.order_faults(None)
    process, log = _cli(app, tmp_path, "next")
    try:
        assert process.wait(120) == 0, (tmp_path / "next.log").read_text()
    finally:
        log.close()
    assert set(shop_orders(app)) == set(placed) and _imported(app) == 300
    searches = [r["params"].get("paginationToken") for r in sandbox.order_requests()
                if r["status"] == 200]
    assert searches.count(None) == 1, sandbox.order_requests()  # continued from its page
