"""Property-based bad input: no query string or form makes a 5xx or a partial write."""

from __future__ import annotations

from helpers import PREFIX, add_store, csrf_from, store_named
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asc_plugin.models import ActivityLog, Store
from asc_plugin.state import plugin_state

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
params = st.dictionaries(
    st.sampled_from(["state", "spapi_oauth_code", "selling_partner_id", "error",
                     "error_description", "mws_auth_token", "amazon_callback_uri",
                     "amazon_state", "version", "redirect_uri", "amazon_id_type",
                     "host_attribute", "changed", "name", "contact_email", "since", "t",
                     "page", "store_id"]) | text,
    text, max_size=6)


def _snapshot(app):
    with app.app_context():
        stores = [(s.id, s.name, s.connection_state, s.seller_id, s.refresh_token_encrypted)
                  for s in plugin_state().session.query(Store).order_by(Store.id)]
        return stores, plugin_state().session.query(ActivityLog).count()


@SETTINGS
@given(query=params)
def test_oauth_callback_survives_anything(app, admin, query):
    if store_named(app, "Amazon Store USA") is None:
        add_store(admin)
    before = _snapshot(app)
    response = admin.get(f"{PREFIX}/connect/callback", query_string=query)
    assert response.status_code == 303
    stores, _entries = _snapshot(app)
    assert stores == before[0]


@SETTINGS
@given(query=params, method=st.sampled_from(["GET", "POST"]))
def test_login_uri_survives_anything(app, admin, query, method):
    before = _snapshot(app)
    if method == "POST":
        response = admin.post(f"{PREFIX}/connect/login", data=query)
    else:
        response = admin.get(f"{PREFIX}/connect/login", query_string=query)
    assert response.status_code in (200, 303, 400)
    assert _snapshot(app) == before


@SETTINGS
@given(query=params, path=st.sampled_from([
    "/stores/new/mapping", "/stores/check/name", "/stores/check/contact_email", "/",
    "/stores/1/connect/status", "/stores/new"]))
def test_fragments_survive_anything(app, admin, query, path):
    if store_named(app, "Amazon Store USA") is None:
        add_store(admin)
    before = _snapshot(app)
    response = admin.get(f"{PREFIX}{path}", query_string=query, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert _snapshot(app) == before


@SETTINGS
@given(form=params)
def test_dashboard_forms_survive_anything(app, admin, form):

    if store_named(app, "Amazon Store USA") is None:
        add_store(admin)
    store = store_named(app, "Amazon Store USA")
    page = admin.get(f"{PREFIX}/stores/{store.id}")
    token = csrf_from(page.text)
    for path in ("settings", "mapping"):
        response = admin.post(f"{PREFIX}/stores/{store.id}/{path}",
                              data={**form, "csrf_token": token})
        assert response.status_code in (200, 303)
    with app.app_context():
        assert plugin_state().session.query(Store).count() == 1
