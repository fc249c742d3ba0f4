"""Amazon's SP-API website authorization as one Authlib client class.

Amazon's quirks, all here: the consent URL takes ``application_id`` (not ``client_id`` or
``response_type``) and optional ``version=beta``; the callback carries ``spapi_oauth_code`` and
``selling_partner_id`` (not ``code``); the token request authenticates with
``client_secret_post``. State storage and token fetching stay Authlib's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from authlib.common.security import generate_token
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import current_app, session

from ..models import OAuthState, utcnow

PROVIDER = "amazon"


class StateStore:
    """Authlib's state cache, in the database so every worker sees it.

    Rows are keyed by a SHA-256 of the key (the state itself is never stored or looked up in
    clear), expire after ASC_OAUTH_STATE_MAX_AGE and are deleted on first use.
    """

    def __init__(self, db):
        self.db = db

    @staticmethod
    def _hash(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def set(self, key, value, expires_in=None):
        max_age = current_app.config["ASC_OAUTH_STATE_MAX_AGE"]
        session_ = self.db.session
        now = utcnow()
        session_.execute(sa.delete(OAuthState).where(OAuthState.expires_at < now))
        session_.add(OAuthState(
            key_hash=self._hash(key), value=value,
            expires_at=now + timedelta(seconds=min(max_age, expires_in or max_age)),
        ))
        session_.commit()

    def get(self, key):
        row = self.db.session.get(OAuthState, self._hash(key))
        if row is None or row.expires_at < utcnow():
            return None
        return row.value

    def delete(self, key):
        self.db.session.execute(sa.delete(OAuthState).where(OAuthState.key_hash == self._hash(key)))
        self.db.session.commit()

    def take(self, key) -> tuple[str | None, bool]:
        """Atomically remove the entry: (value, expired). Only one caller ever gets a value."""
        key_hash = self._hash(key)
        row = self.db.session.get(OAuthState, key_hash)
        if row is None:
            return None, False
        value, expired = row.value, row.expires_at < utcnow()
        deleted = self.db.session.execute(
            sa.delete(OAuthState).where(OAuthState.key_hash == key_hash)
        ).rowcount
        self.db.session.commit()
        if deleted != 1:  # another request used it between our read and delete
            return None, False
        return value, expired


class StateProblem(Exception):
    """The callback's state is missing, unknown, reused, expired or from another session."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


class AmazonSellerCentralApp(FlaskOAuth2App):
    """Authlib client for Seller Central consent and the LWA token endpoint."""

    def create_authorization_url(self, redirect_uri=None, **kwargs):
        """Seller Central's consent URL, with exactly the parameters Amazon documents."""
        seller_central_url = kwargs["seller_central_url"]
        state = generate_token(48)
        params = [("application_id", kwargs["application_id"]), ("state", state)]
        if redirect_uri:
            params.append(("redirect_uri", redirect_uri))
        if kwargs.get("draft"):
            params.append(("version", "beta"))
        url = f"{seller_central_url}/apps/authorize/consent?{urlencode(params)}"
        return {"url": url, "state": state}

    def begin(self, *, data: dict, redirect_uri: str | None, **url_kwargs) -> str:
        """Make and remember a state bound to this session, return the consent URL."""
        rv = self.create_authorization_url(redirect_uri, **url_kwargs)
        self.framework.set_state_data(session, rv["state"], {"redirect_uri": redirect_uri, **data})
        return rv["url"]

    def new_state(self, data: dict) -> str:
        """A state for a flow Amazon started (the Login URI): remembered like begin()'s."""
        state = generate_token(48)
        self.framework.set_state_data(session, state, data)
        return state

    def take_state(self, state: str | None) -> dict:
        """The data saved with a callback's state, used up now; StateProblem if it can't be."""
        if not state:
            raise StateProblem("state_missing")
        key = f"_state_{self.name}_{state}"
        value, expired = self.framework.cache.take(key)
        if session.pop(key, None) is not None:
            self.framework._clear_session_state(session)  # noqa: SLF001 - Authlib's own tidy-up
        if value is None:
            raise StateProblem("state_unknown")
        data = json.loads(value)["data"]
        # Bound to this browser session and admin (not to a cookie entry per state: two
        # concurrent requests, a double click, would overwrite each other's cookie).
        expected = data.get("session_binding") or ""
        if not hmac.compare_digest(expected, session_binding()):
            raise StateProblem("state_foreign")
        if expired:
            raise StateProblem("state_expired")
        return data

    def exchange_code(self, code: str, redirect_uri: str | None) -> dict:
        """LWA authorization_code grant; raises OAuthError or a requests exception."""
        return self.fetch_access_token(
            redirect_uri=redirect_uri, code=code, grant_type="authorization_code",
            timeout=current_app.config["ASC_AMAZON_HTTP_TIMEOUT"],
        )

    def refresh(self, refresh_token: str) -> dict:
        """LWA refresh_token grant."""
        metadata = self.load_server_metadata()
        with self._get_oauth_client(**metadata) as client:
            return client.refresh_token(
                self.access_token_url, refresh_token=refresh_token,
                timeout=current_app.config["ASC_AMAZON_HTTP_TIMEOUT"],
            )


BINDING_KEY = "_asc_oauth_binding"


def ensure_session_binding() -> None:
    """Give the browser session a random id once (before any flow starts), never rewritten."""
    if BINDING_KEY not in session:
        session[BINDING_KEY] = generate_token(32)


def session_binding() -> str:
    """Who started the flow: this browser session and the host's admin, hashed together."""
    from ..extension import state

    raw = f"{session.get(BINDING_KEY, '')}\x00{state().host.admin_id()}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def create_oauth_registry(app):
    """A private Authlib registry per app: a host's own ``OAuth()`` is never touched."""
    from ..extension import state

    registry = OAuth(cache=StateStore(state(app).db))
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
    registry.create_client(PROVIDER).framework.expires_in = config["ASC_OAUTH_STATE_MAX_AGE"]
    return registry


def client(app=None) -> AmazonSellerCentralApp:
    from ..extension import state

    return state(app).oauth.create_client(PROVIDER)


def user_agent(config) -> str:
    """The user-agent Amazon asks for: app name and version (at most 500 characters)."""
    from .. import __version__

    return config["ASC_AMAZON_USER_AGENT"].format(version=__version__)[:500]
