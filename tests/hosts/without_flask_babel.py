"""Serve a host in a process where Flask-Babel cannot be imported, as on a site that never
installed it: ``python tests/hosts/without_flask_babel.py MODULE`` with the app's config as
JSON in HOST_CONFIG; prints the server's URL, then serves until stopped."""

import json
import os
import sys
from importlib import import_module
from pathlib import Path

sys.modules["flask_babel"] = None  # `import flask_babel` raises ImportError from here on
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkzeug.serving import make_server  # noqa: E402

app = import_module(f"hosts.{sys.argv[1]}").create_app(json.loads(os.environ["HOST_CONFIG"]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(f"http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
