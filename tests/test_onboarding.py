"""Add Amazon Store, the mapping fragment, the dashboard and the card actions, over HTTP."""

from __future__ import annotations

import json

import pytest
from helpers import PREFIX, add_store, csrf_from, hx, store_named, values_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asc_plugin.models import ActivityLog, ProductIdType, Store, StoreStatus
from asc_plugin.state import plugin_state

HX = {"HX-Request": "true"}


def _flashes(client):
    with client.session_transaction() as session:
        return [m for _level, m in session.pop("_flashes", [])]


def test_anonymous_is_sent_to_the_host_sign_in(client):
    response = client.get(f"{PREFIX}/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/amazon/"


def test_empty_state(admin):
    page = admin.get(f"{PREFIX}/")
    assert "No Amazon stores yet" in page.text
    assert "Marketing" in page.text and "Amazon Sales Channel" in page.text  # host sidebar


def test_first_add_shows_the_presetup_tasks_then_the_form(admin):
    first = admin.get(f"{PREFIX}/stores/new")
    assert "Pre-setup tasks" in first.text and "Professional selling plan" in first.text
    assert "Continue to Add Amazon Store" in first.text
    fragment = admin.get(f"{PREFIX}/stores/new", headers=hx("asc-dialog-body"))
    assert fragment.text.lstrip().startswith('<div class="asc-dialog-inner">')
    assert "<html" not in fragment.text


def test_presetup_task_progress_is_kept_per_admin(app, admin):
    page = admin.get(f"{PREFIX}/learning")
    assert "0 of 7 tasks done" in page.text
    response = admin.post(f"{PREFIX}/learning/tasks/selling_plan", headers=HX,
                          data={"csrf_token": csrf_from(page.text), "done": "1"})
    assert 'aria-label="Mark as not done: Professional selling plan"' in response.text
    assert '>Undo<' in response.text
    assert "1 of 7 tasks done" in admin.get(f"{PREFIX}/learning").text
    other = app.test_client()
    with other.session_transaction() as s:
        s["admin"] = "someone-else"
    assert "0 of 7 tasks done" in other.get(f"{PREFIX}/learning").text
    assert admin.post(f"{PREFIX}/learning/tasks/not-a-task", data={
        "csrf_token": csrf_from(page.text), "done": "1"}).status_code == 404


def test_form_has_the_seed_labels_in_order(admin):
    page = admin.get(f"{PREFIX}/stores/new?step=form").text
    labels = ["Demo Shop Website to use for Amazon Listing", "Email Address", "New Store Name",
              "Amazon Marketplace Country", "Map your Demo Shop attributes to Amazon",
              "Product ID on the Amazon market", "Map a Demo Shop attribute", ">Connect<"]
    positions = [page.index(label) for label in labels]
    assert positions == sorted(positions)
    for country in ("United States", "Canada", "Mexico", "United Kingdom"):
        assert f">{country}<" in page
    assert "default store for imported Amazon orders" in page
    assert "Amazon Store USA" in page  # the name's help example


def test_mapping_fragment_preselects_and_previews(admin):
    response = admin.get(f"{PREFIX}/stores/new/mapping", headers=HX,
                         query_string={"amazon_id_type": "UPC", "changed": "id_type"})
    html = response.text
    assert html.lstrip().startswith('<div id="asc-mapping-result"')
    assert "amazon_id_type" not in html  # the id-type select is not re-sent
    assert '<option selected value="upc">' in html
    assert f"{values_of('upc')} products have a value for this attribute." in html
    assert "✓ valid" in html and "check digit is wrong" in html
    gcid = admin.get(f"{PREFIX}/stores/new/mapping", headers=HX,
                     query_string={"amazon_id_type": "GCID", "changed": "id_type"}).text
    assert "no attribute that usually holds GCID values" in gcid


def test_mapping_fragment_keeps_an_attribute_the_admin_chose(admin):
    html = admin.get(f"{PREFIX}/stores/new/mapping", headers=HX, query_string={
        "amazon_id_type": "UPC", "host_attribute": "ean", "changed": "attribute"}).text
    assert '<option selected value="ean">' in html
    assert "an UPC" not in html and "a UPC has 12 digits" in html


def test_inline_field_checks(admin):
    add_store(admin)
    taken = admin.get(f"{PREFIX}/stores/check/name", headers=HX,
                      query_string={"name": "amazon store usa"}).text
    assert "already exists" in taken
    free = admin.get(f"{PREFIX}/stores/check/name", headers=HX, query_string={"name": "New"}).text
    assert "Looks good" in free
    bad = admin.get(f"{PREFIX}/stores/check/contact_email", headers=HX,
                    query_string={"contact_email": "not an email"}).text
    assert "Enter an email address like name@example.com." in bad
    assert admin.get(f"{PREFIX}/stores/check/website_id").status_code == 404


def test_add_with_errors_returns_the_form_in_place(app, admin):
    page = admin.get(f"{PREFIX}/stores/new?step=form")
    response = admin.post(f"{PREFIX}/stores/new", headers=HX, data={
        "csrf_token": csrf_from(page.text), "website_id": "", "contact_email": "nope",
        "name": "", "marketplace": "ZZ", "amazon_id_type": "UPC", "host_attribute": ""})
    assert response.status_code == 200
    for message in ("Choose the website to list on Amazon.", "Enter an email address like",
                    "Enter a name for the store.", "Not a valid choice",
                    "Choose the Demo Shop attribute that holds the id."):
        assert message in response.text
    assert 'aria-invalid="true"' in response.text
    with app.app_context():
        assert plugin_state().session.query(Store).count() == 0


def test_add_with_htmx_closes_dialog_and_shows_card_and_banner(app, admin):
    response = add_store(admin, htmx=True)
    assert response.status_code == 200
    assert 'hx-swap-oob="outerHTML"' in response.text and "Amazon Store USA" in response.text
    trigger = json.loads(response.headers["HX-Trigger"])
    assert trigger["asc:close-dialog"] is None
    store = store_named(app, "Amazon Store USA")
    assert trigger["asc:banner"] == {"level": "success", "key": f"store-{store.id}", "message": (
        "Store “Amazon Store USA” was added. Connect it to Amazon Seller Central to finish "
        "the setup.")}
    assert store.status is StoreStatus.INCOMPLETE
    assert store.mapping.amazon_id_type is ProductIdType.UPC


def test_add_without_js_redirects_home_with_banner(admin):
    response = add_store(admin)
    assert response.status_code == 303 and response.headers["Location"] == f"{PREFIX}/"
    home = admin.get(f"{PREFIX}/").text
    assert "Store “Amazon Store USA” was added." in home
    assert "Connect store" in home and "View Store" in home


def test_no_js_preview_button_rerenders_without_saving(app, admin):
    page = admin.get(f"{PREFIX}/stores/new?step=form")
    response = admin.post(f"{PREFIX}/stores/new", data={
        "csrf_token": csrf_from(page.text), "amazon_id_type": "ISBN", "host_attribute": "isbn",
        "action": "preview", "name": "Kept", "contact_email": "a@example.com"})
    assert response.status_code == 200
    assert "As ISBN" in response.text and 'value="Kept"' in response.text
    with app.app_context():
        assert plugin_state().session.query(Store).count() == 0


def test_duplicate_name_is_refused(admin):
    add_store(admin)
    response = add_store(admin, name="  AMAZON STORE USA ")
    assert response.status_code == 200
    assert "A store with this name already exists" in response.text


@pytest.mark.parametrize("name", ["亞馬遜商店 台灣", "متجر أمازون", "Store 🛒🇺🇸", "Ünïcödé Störe"])
def test_names_in_any_script_round_trip(app, admin, name):
    add_store(admin, name=name)
    assert store_named(app, name) is not None
    assert name in admin.get(f"{PREFIX}/").text


def test_html_in_fields_is_escaped(app, admin):
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    add_store(admin, name=hostile)
    store = store_named(app, hostile)
    for path in ("/", f"/stores/{store.id}", "/attributes", f"/stores/{store.id}/delete"):
        html = admin.get(f"{PREFIX}{path}").text
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_control_characters_get_a_clear_message(admin):
    response = add_store(admin, name="bad\x00name")
    assert "Remove the invisible control characters" in response.text


def test_dashboard_edit_name_and_email(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    page = admin.get(f"{PREFIX}/stores/{store.id}")
    for text in ("Store integration settings", "cannot change after a store is added",
                 "Next step: create listing rules", "Activity log", "Main Website",
                 "Amazon connection", "Store “Amazon Store USA” was added."):
        assert text in page.text
    response = admin.post(f"{PREFIX}/stores/{store.id}/settings", headers=HX, data={
        "csrf_token": csrf_from(page.text), "name": "Amazon Store US",
        "contact_email": "new@example.com"})
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"])["asc:banner"]["message"] == (
        "Settings of “Amazon Store US” saved.")
    assert store_named(app, "Amazon Store US").contact_email == "new@example.com"
    assert "Changed the name from “Amazon Store USA” to “Amazon Store US”." in response.text


def test_dashboard_edit_errors_keep_the_old_values(app, admin):
    add_store(admin)
    add_store(admin, name="Other")
    store = store_named(app, "Amazon Store USA")
    page = admin.get(f"{PREFIX}/stores/{store.id}")
    response = admin.post(f"{PREFIX}/stores/{store.id}/settings", data={
        "csrf_token": csrf_from(page.text), "name": "Other", "contact_email": "x@example.com"})
    assert response.status_code == 200 and "already exists" in response.text
    assert store_named(app, "Amazon Store USA").contact_email == "owner@example.com"


def test_dashboard_mapping_change(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    page = admin.get(f"{PREFIX}/stores/{store.id}")
    response = admin.post(f"{PREFIX}/stores/{store.id}/mapping", data={
        "csrf_token": csrf_from(page.text), "amazon_id_type": "ASIN",
        "host_attribute": "amazon_asin"})
    assert response.status_code == 303
    assert store_named(app, "Amazon Store USA").mapping.amazon_id_type is ProductIdType.ASIN
    bad = admin.post(f"{PREFIX}/stores/{store.id}/mapping", data={
        "csrf_token": csrf_from(page.text), "amazon_id_type": "ASIN", "host_attribute": "nope"})
    assert bad.status_code == 200 and "Not a valid choice" in bad.text


def test_activate_needs_a_connection_and_deactivate_keeps_settings(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    page = admin.get(f"{PREFIX}/")
    response = admin.post(f"{PREFIX}/stores/{store.id}/activate", headers=HX,
                          data={"csrf_token": csrf_from(page.text), "back": "card"})
    assert json.loads(response.headers["HX-Trigger"])["asc:banner"] == {
        "level": "error", "key": f"store-{store.id}",
        "message": "Connect the store to Amazon before activating it."}
    assert store_named(app, "Amazon Store USA").status is StoreStatus.INCOMPLETE
    response = admin.post(f"{PREFIX}/stores/{store.id}/deactivate",
                          data={"csrf_token": csrf_from(page.text), "back": "card"})
    assert "nothing to pause" in _flashes(admin)[0]
    assert store_named(app, "Amazon Store USA").status is StoreStatus.INCOMPLETE
    from helpers import connect

    connect(admin, store.id)
    _flashes(admin)
    admin.post(f"{PREFIX}/stores/{store.id}/deactivate",
               data={"csrf_token": csrf_from(page.text), "back": "card"})
    paused = store_named(app, "Amazon Store USA")
    assert paused.status is StoreStatus.INACTIVE and paused.is_connected
    assert paused.mapping.host_attribute_code == "upc"  # settings are kept
    assert "is inactive" in _flashes(admin)[0]
    card = admin.get(f"{PREFIX}/").text
    assert ">Activate</button>" in card and ">Deactivate</button>" not in card
    admin.post(f"{PREFIX}/stores/{store.id}/activate",
               data={"csrf_token": csrf_from(page.text), "back": "card"})
    assert store_named(app, "Amazon Store USA").status is StoreStatus.ACTIVE


def test_delete_is_confirmed_and_removes_everything(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    confirm = admin.get(f"{PREFIX}/stores/{store.id}/delete")
    assert "This cannot be undone." in confirm.text
    response = admin.post(f"{PREFIX}/stores/{store.id}/delete",
                          data={"csrf_token": csrf_from(confirm.text)})
    assert response.status_code == 303
    with app.app_context():
        assert plugin_state().session.query(Store).count() == 0
        assert plugin_state().session.query(ActivityLog).count() == 0
    assert admin.get(f"{PREFIX}/stores/{store.id}").status_code == 404


def test_pagination_keeps_queries_constant(app, admin):
    from sqlalchemy import event

    with app.app_context():
        for i in range(30):
            plugin_state().session.add(Store(name=f"S{i}", contact_email="a@b.co", website_id="1",
                                      marketplace_code="US"))
        plugin_state().session.commit()
        engine = plugin_state().db.engine
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = admin.get(f"{PREFIX}/")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert "Page 1 of 2 (30 stores)" in page.text
    assert page.text.count('<article class="asc-card') == 24
    # The stores, their count, websites' facts, catalog matches and active offers per store:
    # a constant number, whatever the number of stores.
    assert len(statements) <= 6, statements


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_text, email=_text, website=_text, marketplace=_text, id_type=_text, attribute=_text)
def test_garbage_in_the_add_form_never_500s_or_half_writes(app, admin, name, email, website,
                                                           marketplace, id_type, attribute):
    page = admin.get(f"{PREFIX}/stores/new?step=form")
    with app.app_context():
        before = plugin_state().session.query(Store).count()
    response = admin.post(f"{PREFIX}/stores/new", data={
        "csrf_token": csrf_from(page.text), "name": name, "contact_email": email,
        "website_id": website, "marketplace": marketplace, "amazon_id_type": id_type,
        "host_attribute": attribute})
    assert response.status_code in (200, 303)
    with app.app_context():
        after = plugin_state().session.query(Store).count()
        if response.status_code == 200:
            assert after == before
        else:
            assert after == before + 1
            assert plugin_state().session.query(ActivityLog).count() >= after
