"""A demo host admin that mounts the Amazon Sales Channel exactly as the docs tell hosts to.

An example to run and read (``python -m asc_plugin.demo``), not part of the API.
"""

from .app import create_app as create_app
