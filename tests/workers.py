"""Job workers as real processes: ``flask asc worker`` on the demo app, configured through the
environment like a deployment, sharing the test's database and Huey file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Config keys a worker needs to reach the same database, sandbox and queue as the test's app.
PASSED = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "ASC_ENCRYPTION_KEYS", "ASC_HUEY_PATH",
          "ASC_JOB_LEASE_SECONDS", "ASC_CATALOG_RATE", "ASC_CATALOG_BACKOFF_SECONDS",
          "ASC_MATCH_MAX_AGE_DAYS", "DEMO_PRODUCTS", "ASC_AMAZON_REDIRECT_URI",
          "ASC_LISTINGS_RATE", "ASC_FEED_THRESHOLD", "ASC_FEED_POLL_SECONDS")


def worker_env(app) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           # A worker builds no URL, but the app refuses to start without a redirect URI.
           "ASC_AMAZON_REDIRECT_URI": "http://127.0.0.1/admin/amazon/connect/callback"}
    for key, value in app.config.items():
        if (key in PASSED or key.startswith("ASC_AMAZON_")) and value is not None:
            env[key] = value if isinstance(value, str) else json.dumps(value)
    return env


class Worker:
    """``flask asc worker`` in a process of its own."""

    running: list[Worker] = []

    def __init__(self, app, log_path: Path, *, threads: int = 1):
        self.log_path = log_path
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "asc_plugin.demo.app:create_app", "asc",
             "worker", "--workers", str(threads)],
            env=worker_env(app), cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        Worker.running.append(self)

    def check(self) -> None:
        """A worker that died on its own fails the test with its output."""
        if self.process.poll() is not None and self in Worker.running:
            Worker.running.remove(self)
            raise AssertionError(f"worker exited with {self.process.returncode}:\n"
                                 + self.log_path.read_text(errors="replace")[-3000:])

    def kill(self) -> None:
        """As a crash or an OOM kill would: no chance to clean up."""
        Worker.running.remove(self)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self in Worker.running:
            Worker.running.remove(self)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


def wait_for(condition, *, timeout: float = 60.0, what: str = "condition"):
    """Poll until condition() is truthy; its value. Raises after timeout (never asserts on
    elapsed time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in list(Worker.running):
            worker.check()
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
