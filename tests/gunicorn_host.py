"""The demo as gunicorn serves it in the multi-worker tests, configured from the environment.

Each response names the worker process that served it, so tests can see requests move between
workers.
"""

import os

from asc_plugin.demo import create_app

app = create_app()


@app.after_request
def name_the_worker(response):
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response
