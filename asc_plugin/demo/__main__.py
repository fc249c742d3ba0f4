"""`python -m asc_plugin.demo`: the demo admin on :5000, its job worker and, unless you
configured the real Amazon, the sandbox Seller Central on :5001.

The worker is the plugin's embedded Huey consumer (what ``flask asc worker`` runs), here in the
main thread so Ctrl-C stops everything; the two web servers run in threads beside it.
"""

from __future__ import annotations

import argparse
import os
import threading
from datetime import datetime, timezone

from werkzeug.serving import make_server

from asc_plugin import jobs
from asc_plugin.migrations import upgrade
from asc_plugin.sandbox import create_sandbox_app, sandbox_config_for

from . import catalog, create_app
from .db import db


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run the asc_plugin demo admin.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--sandbox-port", type=int, default=5001)
    args = parser.parse_args(argv)

    use_sandbox = not os.environ.get("ASC_AMAZON_CLIENT_ID")
    sandbox_url = f"http://{args.host}:{args.sandbox_port}"
    prefix = os.environ.get("ASC_URL_PREFIX", "/admin/amazon").rstrip("/")
    config = {}
    sandbox = None
    if use_sandbox:
        hosts = [args.host] + (["localhost"] if args.host == "127.0.0.1" else [])
        sandbox = create_sandbox_app(
            redirect_uris=[f"http://{h}:{args.port}{prefix}/connect/callback" for h in hosts],
            login_uri=f"http://{args.host}:{args.port}{prefix}/connect/login",
            app_name="Demo Shop Amazon Sales Channel",
            catalog_names=catalog.amazon_names(catalog.SIZES),
        )
        sandbox_state = sandbox.extensions["asc_sandbox"]
        config = {
            **sandbox_config_for(sandbox_url),
            "ASC_AMAZON_REDIRECT_URI": f"http://{args.host}:{args.port}{prefix}/connect/callback",
            # The demo's countdowns follow the sandbox's clock (its index page moves it).
            "ASC_CLOCK": lambda: datetime.fromtimestamp(sandbox_state.now(), timezone.utc),
        }
    app = create_app(config)
    if sandbox is not None:
        _serve(sandbox, args.host, args.sandbox_port)
        print(f" * Sandbox Seller Central on {sandbox_url} (sign in as seller@example.com / "
              "sandbox, 2FA code 123456)")
    with app.app_context():
        upgrade()
        db.create_all()  # the demo shop's own tables (orders, stock, added products)
    _serve(app, args.host, args.port)
    print(f" * Demo admin on http://{args.host}:{args.port} (sign in as "
          f"{app.config['DEMO_ADMIN_USER']} / {app.config['DEMO_ADMIN_PASSWORD']})")
    print(" * Job worker running (catalog matching, offers, order import, price and quantity "
          "sync); Ctrl-C stops everything")
    with app.app_context():
        jobs.resume_stalled()
    jobs.huey_for(app).create_consumer(workers=2, worker_type="thread", periodic=True).run()


def _serve(app, host: str, port: int) -> None:
    server = make_server(host, port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()


if __name__ == "__main__":
    main()
