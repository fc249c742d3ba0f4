"""A demo host admin that mounts the Amazon Sales Channel exactly as the docs tell hosts to."""

from .app import create_app

__all__ = ["create_app"]
