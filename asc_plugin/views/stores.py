"""Add Amazon Store (page or dialog), the mapping fragment, the store dashboard and its actions."""

from __future__ import annotations

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from ..forms import AddStoreForm, ConfirmForm, MappingForm, StoreSettingsForm
from ..htmx import client_redirect, is_htmx, query_int, trigger
from ..i18n import _
from ..models import Store
from ..persistence import commit
from ..presenters import present, present_one
from ..services import activity, attempts, matching, product_ids, rules, setup_tasks, stores
from ..state import plugin_state
from .banners import answer, banner
from .layout import dialog, page
from .listing import progress_helpers
from .lookup import store_or_404
from .offers import end_offers_of_inactive
from .orders import panel_context
from .sync import panel_context as sync_context
from .urls import rule

PREVIEW_SIZE = 4
#: Forms of the dashboard that say "Saved" beside their button.
SAVED = ("settings", "mapping")
ACTIVITY_PER_PAGE = 10


def _mapping_context(form: MappingForm, *, preselect: bool) -> dict:
    """Pre-select the host attribute that fits the id type, and preview its values."""
    id_type = form.id_type
    codes = [choice.value for choice in form.host_attribute.choices if choice.value]
    likely = [c for c in product_ids.LIKELY_ATTRIBUTES[id_type] if c in codes]
    if preselect:
        form.host_attribute.data = likely[0] if likely else ""
    chosen = form.host_attribute.data if form.host_attribute.data in codes else ""
    preview = rows = None
    if chosen:
        preview = plugin_state().host.attribute_preview(chosen, PREVIEW_SIZE)
        if preview is not None:
            rows = [
                (name, value, *product_ids.check(id_type, value))
                for name, value in preview.samples
            ]
    return {
        "mapping_form": form, "id_type_label": product_ids.LABELS[id_type],
        "no_likely_attribute": not likely, "preview": preview, "preview_rows": rows,
    }


def add_store():
    first_store = stores.count() == 0
    if request.method == "GET" and first_store and request.args.get("step") != "form":
        admin = plugin_state().host.admin_id()
        return dialog("asc/_presetup.html", _("Pre-setup tasks"),
                      tasks=setup_tasks.TASKS, done=setup_tasks.done_keys(admin))

    form = AddStoreForm()
    wants_preview = request.form.get("action") == "preview"
    if request.method == "POST" and not wants_preview and form.validate():
        try:
            store = stores.create(
                name=form.name.data, contact_email=form.contact_email.data,
                website_id=form.website_id.data, marketplace_code=form.marketplace.data,
                amazon_id_type=form.id_type, host_attribute_code=form.host_attribute.data,
            )
        except stores.StoreError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            commit()
            return _created(store)
    context = _mapping_context(form, preselect=request.method == "GET")
    return dialog("asc/_add_store.html", _("Add Amazon sales channel"), form=form, **context)


def _created(store: Store):
    message = _("Store “%(name)s” was added. Connect it to Amazon Seller Central to finish "
                "the setup.", name=store.name)
    return answer(_store_added, url_for("asc.home"), "success", message, about=store)


def _store_added():
    """The dialog closes; the list and the counts are replaced out of band."""
    listing = stores.page(1, current_app.config["ASC_STORES_PER_PAGE"])
    return trigger(make_response(render_template(
        "asc/_store_added.html", page=listing, cards=present(listing.stores),
        summary=stores.summary())), "asc:close-dialog")


def mapping_fragment():
    """Re-render only the mapping section when the id type or attribute changes (GET, no write)."""
    form = MappingForm(request.args, meta={"csrf": False})
    context = _mapping_context(form, preselect=request.args.get("changed") == "id_type")
    return render_template("asc/_mapping_result.html", **context)


def check_field(field: str):
    """Inline check of the store name or email on blur; the same rules as on submit."""
    if field not in ("name", "contact_email"):
        abort(404)
    form = StoreSettingsForm(request.args, meta={"csrf": False})
    bound = getattr(form, field)
    bound.validate(form)
    errors = list(bound.errors)
    store_id = query_int("store_id")
    if field == "name" and not errors and bound.data and (problem := stores.name_problem(
            bound.data, except_id=store_id)):
        errors.append(problem)
    return render_template("asc/_field_feedback.html", field=bound, errors=errors)


def dashboard(store_id: int):
    store = store_or_404(store_id)
    saved = request.args.get("saved")
    return render_dashboard(store, saved=saved if saved in SAVED else None)


def render_dashboard(store, *, settings_form=None, mapping_form=None, status=200, saved=None):
    settings_form = settings_form or StoreSettingsForm(obj=store)
    if mapping_form is None:
        mapping_form = MappingForm(
            amazon_id_type=store.mapping.amazon_id_type.value if store.mapping else None,
            host_attribute=store.mapping.host_attribute_code if store.mapping else None,
        )
    return page(
        "asc/dashboard.html", card=present_one(store), store=store, settings_form=settings_form,
        log=activity.page([store.id], per_page=ACTIVITY_PER_PAGE), saved=saved,
        rule_summary=_rule_summary(store), job=matching.latest_job(store),
        **progress_helpers(), **_mapping_context(mapping_form, preselect=False),
        **panel_context(store), **sync_context(store),
    ), status


def _rule_summary(store) -> dict:
    rule = rules.rule_of(store)
    if rule is None:
        return {"saved": False, "text": _(
            "Choose which products of the website go to Amazon: conditions on attributes, "
            "price, stock and category. Until you save a rule, every product of the website "
            "is listed.")}
    return {"saved": True, "text": rules.describe(rules.conditions_of(rule), rule.match,
                                                  rule.enabled)}


def update_settings(store_id: int):
    store = store_or_404(store_id)
    form = StoreSettingsForm()
    if form.validate():
        try:
            changed = stores.update_settings(
                store, name=form.name.data, contact_email=form.contact_email.data
            )
        except stores.StoreError as exc:
            form.name.errors.append(str(exc))
        else:
            commit()
            message = (_("Settings of “%(name)s” saved.", name=store.name) if changed
                       else _("Nothing changed in the settings of “%(name)s”.", name=store.name))
            return _after_dashboard_change(store, message, saved="settings")
    return render_dashboard(store, settings_form=form)


def update_mapping(store_id: int):
    store = store_or_404(store_id)
    form = MappingForm()
    if request.form.get("action") != "preview" and form.validate():
        changed = stores.update_mapping(
            store, amazon_id_type=form.id_type, host_attribute_code=form.host_attribute.data
        )
        commit()
        return _after_dashboard_change(
            store, _("Product ID mapping of “%(name)s” saved.", name=store.name) if changed
            else _("Nothing changed in the product ID mapping of “%(name)s”.", name=store.name),
            saved="mapping")
    return render_dashboard(store, mapping_form=form)


def _after_dashboard_change(store, message, level="success", saved=None):
    """The dashboard again, with the banner, and a "saved" note beside the form that was saved
    (the banner at the top may be out of view)."""
    anchor = f"#asc-{saved}-title" if saved else ""
    back = url_for("asc.dashboard", store_id=store.id,
                   **({"saved": saved} if saved else {})) + anchor
    return answer(lambda: render_dashboard(store, saved=saved)[0], back, level, message,
                  about=store)


def set_status(store_id: int, action: str):
    store = store_or_404(store_id)
    if action not in ("activate", "deactivate"):
        abort(404)
    try:
        stores.set_active(store, action == "activate")
    except stores.StoreError as exc:
        level, message = "error", str(exc)
    else:
        commit()
        if action == "deactivate":  # its offers on Amazon end (a run, with activity entries)
            end_offers_of_inactive(store)
        level = "success"
        message = (_("Store “%(name)s” is active.", name=store.name) if action == "activate"
                   else _("Store “%(name)s” is inactive: its settings are kept and nothing "
                          "syncs until you activate it again.", name=store.name))
    return _after_card_change(store, level, message)


def _after_card_change(store, level, message):
    if request.form.get("back") == "card":
        return answer(lambda: render_template("asc/_store_card.html", card=present_one(store)),
                      url_for("asc.home"), level, message, about=store)
    return _after_dashboard_change(store, message, level)


def delete_store(store_id: int):
    store = store_or_404(store_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        attempts.forget_store(store)
        name = stores.delete(store)
        commit()
        message = _("Store “%(name)s” was deleted, with its settings, mapping and activity log.",
                    name=name)
        response: WerkzeugResponse
        if is_htmx():
            response = client_redirect(make_response(""), url_for("asc.home"))
        else:
            response = redirect(url_for("asc.home"), 303)
        banner(None, "success", message, about=store)  # shown by the next full page
        return response
    return dialog("asc/_confirm_delete.html", _("Delete store"), card=present_one(store),
                  form=form)


def register(bp):
    bp.add_url_rule("/stores/new", "add_store", add_store, methods=["GET", "POST"])
    bp.add_url_rule("/stores/new/mapping", "mapping_fragment", mapping_fragment)
    bp.add_url_rule("/stores/check/<field>", "check_field", check_field)
    bp.add_url_rule(rule("dashboard"), "dashboard", dashboard)
    bp.add_url_rule(rule("update_settings"), "update_settings", update_settings,
                    methods=["POST"])
    bp.add_url_rule(rule("update_mapping"), "update_mapping", update_mapping, methods=["POST"])
    for action in ("activate", "deactivate"):
        bp.add_url_rule(rule(f"{action}_store"), f"{action}_store", set_status,
                        methods=["POST"], defaults={"action": action})
    bp.add_url_rule(rule("delete_store"), "delete_store", delete_store, methods=["GET", "POST"])

