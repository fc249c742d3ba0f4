"""A local, faithful stand-in for Seller Central, Login with Amazon and the Sellers API.

It runs as its own Flask app (own cookies, own port) and is never mounted into a host unless
someone starts it. The demo and the tests talk to it over real HTTP.
"""

from .app import create_sandbox_app
from .config import sandbox_config_for

__all__ = ["create_sandbox_app", "sandbox_config_for"]
