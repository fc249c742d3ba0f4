"""What the plugin and the demo write to disk is their owner's only: the demo's instance folder
(0700), its SQLite database, generated keys and the embedded Huey queue (0600, with SQLite's
-wal / -shm / -journal files), whatever the process umask says."""

from __future__ import annotations

import os
import stat

import pytest

from asc_plugin import jobs
from asc_plugin.demo import create_app
from asc_plugin.migrations import upgrade


@pytest.fixture()
def loose_umask():
    """The usual umask of a login shell: files 0644, folders 0755 unless we say otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("existing", [False, True])
def test_the_demo_and_its_queue_create_owner_only_files(tmp_path, loose_umask, existing,
                                                        monkeypatch):
    for key in [k for k in os.environ if k.startswith(("ASC_", "SQLALCHEMY_", "DEMO_"))]:
        monkeypatch.delenv(key)
    instance = tmp_path / "instance"
    if existing:  # a git checkout: instance/ exists with its README, 0755
        instance.mkdir(mode=0o755)
        (instance / "README.md").write_text("kept")
    app = create_app({"DEMO_INSTANCE_PATH": str(instance), "TESTING": True})
    with app.app_context():
        upgrade()  # the demo's database: tables written
        huey = jobs.huey_for(app)
        huey.storage.enqueue(b"task")  # the queue's file, in WAL mode
        assert huey.storage.queue_size() == 1
    made = {p.name: _mode(p) for p in instance.iterdir() if p.name != "README.md"}
    assert {"asc_demo.sqlite3", "asc_demo_secrets.json", "asc_jobs.sqlite3"} <= set(made)
    assert any(name.endswith(("-wal", "-shm")) for name in made)
    assert made == dict.fromkeys(made, 0o600), made
    assert _mode(instance) == 0o700
    with app.app_context():
        from asc_plugin.state import plugin_state

        plugin_state(app).db.engine.dispose()


def test_a_queue_file_in_a_new_folder_is_owner_only(tmp_path, loose_umask, make_app):
    path = tmp_path / "queue" / "jobs.sqlite3"
    app = make_app(ASC_HUEY_PATH=str(path))
    jobs.huey_for(app).storage.enqueue(b"task")
    assert _mode(path.parent) == 0o700
    assert {p.name: _mode(p) for p in path.parent.iterdir()} == dict.fromkeys(
        [p.name for p in path.parent.iterdir()], 0o600)
