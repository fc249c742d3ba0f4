"""asc_plugin.testing in a host's own suite: the helpers follow the app's prefix and settings
(a non-default ASC_URL_PREFIX, ASC_AMAZON_REDIRECT_URI set in the host's base config)."""

from __future__ import annotations

from helpers import base_config, dispose, fresh_schema, sign_in

from asc_plugin.models import ConnectionState, Store
from asc_plugin.state import plugin_state
from asc_plugin.testing import add_store, connect_store, plugin_csrf

#: The host's own base config, as its tests build the app: its prefix and its redirect URI.
HOST_BASE = {"ASC_URL_PREFIX": "/backend/channels/amazon",
             "ASC_AMAZON_REDIRECT_URI":
                 "https://shop.example.com/backend/channels/amazon/connect/callback"}


def test_helpers_follow_the_apps_prefix_and_redirect_uri(tmp_path, asc_sandbox_config):
    from hosts import shop

    app = shop.create_app({**base_config(tmp_path), **HOST_BASE, **asc_sandbox_config})
    fresh_schema(app)
    try:
        client = sign_in(app.test_client())
        header, _token = plugin_csrf(client)
        assert header
        store_id = add_store(client, name="Store in EAN", id_type="EAN", attribute="upc",
                             website_id="1", marketplace="CA")
        back = connect_store(client, store_id)
        assert back.status_code in (302, 303), back.get_data(as_text=True)[:300]
        assert back.headers["Location"].startswith("/backend/channels/amazon/")
        with app.app_context():
            store = plugin_state().session.get(Store, store_id)
            assert store.connection_state is ConnectionState.CONNECTED
            assert (store.marketplace_code, store.mapping.amazon_id_type.value,
                    store.mapping.host_attribute_code) == ("CA", "EAN", "upc")
    finally:
        dispose(app)
