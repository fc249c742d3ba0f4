"""What a host's own test suite gets by installing the package: the pytest plugin's fixtures
(entry point pytest11), proven by running pytest on a host project of its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HOST_TEST = '''
import pytest
from asc_plugin.migrations import upgrade
from asc_plugin.testing import add_store, connect_store

from shop import create_app


@pytest.fixture
def app(asc_sandbox_config, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", **asc_sandbox_config,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shop.db'}"})
    with app.app_context():
        upgrade()
    return app


def test_a_merchant_connects_a_store(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["role"] = "admin"
    store_id = add_store(client)
    response = connect_store(client, store_id)
    assert response.status_code == 303
    assert "is connected as Example Outfitters" in client.get("/admin/amazon/").text
'''


@pytest.mark.slow
def test_a_hosts_own_suite_connects_a_store_in_a_few_lines(tmp_path):
    project = tmp_path / "shop_project"
    project.mkdir()
    hosts = Path(__file__).parent / "hosts"
    shutil.copy(hosts / "shop.py", project / "shop.py")
    shutil.copytree(hosts / "templates", project / "templates")
    (project / "test_shop.py").write_text(HOST_TEST)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_shop.py"],
        cwd=project, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
