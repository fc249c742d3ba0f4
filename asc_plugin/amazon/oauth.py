"""Amazon's SP-API website authorization as one Authlib client class.

Amazon's quirks, all here: the consent URL takes ``application_id`` (not ``client_id`` or
``response_type``) and optional ``version=beta``; the callback carries ``spapi_oauth_code`` and
``selling_partner_id`` (not ``code``); the token request authenticates with
``client_secret_post``. Token requests stay Authlib's; the OAuth ``state`` lives in the plugin's
connect-attempt record (:mod:`asc_plugin.services.attempts`), not in Authlib's session cache,
so a browser's cookie does not grow with every Connect click.
"""

from __future__ import annotations

from urllib.parse import urlencode

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import current_app

from .. import __version__
from ..state import current_app_object, plugin_state

PROVIDER = "amazon"


class AmazonSellerCentralApp(FlaskOAuth2App):
    """Authlib client for Seller Central consent and the LWA token endpoint."""

    def consent_url(self, *, seller_central_url: str, application_id: str, state: str,
                    redirect_uri: str | None, draft: bool) -> str:
        """Seller Central's consent URL, with exactly the parameters Amazon documents."""
        params = [("application_id", application_id), ("state", state)]
        if redirect_uri:
            params.append(("redirect_uri", redirect_uri))
        if draft:
            params.append(("version", "beta"))
        return f"{seller_central_url}/apps/authorize/consent?{urlencode(params)}"

    def exchange_code(self, code: str, redirect_uri: str | None) -> dict:
        """LWA authorization_code grant; raises OAuthError or a requests exception."""
        return self.fetch_access_token(
            redirect_uri=redirect_uri, code=code, grant_type="authorization_code",
            timeout=current_app.config["ASC_AMAZON_HTTP_TIMEOUT"],
        )

    def refresh(self, refresh_token: str) -> dict:
        """LWA refresh_token grant, through Authlib's public token request."""
        return self.fetch_access_token(
            grant_type="refresh_token", refresh_token=refresh_token,
            timeout=current_app.config["ASC_AMAZON_HTTP_TIMEOUT"],
        )


def create_oauth_registry(app):
    """A private Authlib registry per app: a host's own ``OAuth()`` is never touched."""
    registry = OAuth()
    registry.app = app  # not init_app: that would claim app.extensions for the host's Authlib
    config = app.config
    registry.register(
        PROVIDER,
        client_cls=AmazonSellerCentralApp,
        client_id=config["ASC_AMAZON_CLIENT_ID"],
        client_secret=config["ASC_AMAZON_CLIENT_SECRET"],
        access_token_url=config["ASC_AMAZON_TOKEN_URL"],
        authorize_url="unused: the consent URL depends on the store's country",
        client_kwargs={"token_endpoint_auth_method": "client_secret_post"},
        user_agent=user_agent(config),
    )
    return registry


def client(app=None) -> AmazonSellerCentralApp:
    """The Amazon client of this app, built on first use (Authlib and requests weigh ~9 MB)."""
    lazy = plugin_state(app).lazy
    if "oauth" not in lazy:
        lazy["oauth"] = create_oauth_registry(app or current_app_object())
    return lazy["oauth"].create_client(PROVIDER)


def user_agent(config) -> str:
    """The user-agent Amazon asks for: AppName/version (Language=Python), at most 500 chars."""
    return config["ASC_AMAZON_USER_AGENT"].format(version=__version__)[:500]
