"""The store dashboard's "Amazon orders" panel: recent orders (Needs attention first), their
host orders, *Import again* and *Import now*. The panel's pages are plain links that htmx swaps
in place; without JavaScript they load the panel's own page."""

from __future__ import annotations

import logging

from flask import abort

from ..errors import Failure
from ..htmx import query_int
from ..i18n import _
from ..models import AmazonOrder, OrderImport, OrderStatus
from ..persistence import commit
from ..services import orders
from ..services.runner import RunOutcome
from ..state import plugin_state
from .lookup import store_or_404
from .panels import Panel
from .urls import rule

log = logging.getLogger(__name__)
PER_PAGE = 10


def status_info() -> dict[OrderStatus, tuple[str, str]]:
    """Our status -> (label, badge tone)."""
    return {OrderStatus.NEEDS_ATTENTION: (_("Needs attention"), "error"),
            OrderStatus.IMPORTED: (_("Imported"), "success"),
            OrderStatus.CANCELLED: (_("Cancelled"), "muted")}


def amazon_status_label(status: str) -> str:
    return {"PENDING": _("Pending"), "UNSHIPPED": _("Unshipped"),
            "PARTIALLY_SHIPPED": _("Partly shipped"), "SHIPPED": _("Shipped"),
            "CANCELLED": _("Cancelled"), "UNFULFILLABLE": _("Unfulfillable"),
            "PENDING_AVAILABILITY": _("Pre-order")}.get(status, status)


def _sentence(row) -> str:
    """The reason on its own line: a sentence, capitalised."""
    text = orders.reason_text(row)
    return text[:1].upper() + text[1:]


def _page_number() -> int:
    return query_int("orders_page", 1, min=1, max=999_999)


def panel_context(store) -> dict:
    host = plugin_state().host
    record = plugin_state().session.get(OrderImport, store.id)
    return {
        "orders_page": orders.page(store, number=_page_number(), per_page=PER_PAGE),
        "orders_counts": orders.counts(store), "orders_record": record,
        "orders_supported": orders.supports_orders(host),
        "order_status_info": status_info(), "amazon_status_label": amazon_status_label,
        "order_reason": _sentence, "host_order_url": host.order_url,
        "orders_failure": Failure(record.error_code).message
        if record is not None and record.error_code else None,
    }


PANEL = Panel("orders", "asc/_orders_panel.html", lambda: _("Amazon orders"), panel_context)


def orders_panel(store_id: int):
    return PANEL.show(store_or_404(store_id))


def retry(store_id: int, order_id: int):
    """*Import again*: the order as Amazon has it now, handed to the shop once more."""
    store = store_or_404(store_id)
    row = plugin_state().session.get(AmazonOrder, order_id)
    if row is None or row.store_id != store.id:
        abort(404)
    if row.status != OrderStatus.NEEDS_ATTENTION:
        message, level = _("Amazon order %(order)s was already imported.",
                           order=row.amazon_order_id), "info"
    else:
        try:
            outcome = orders.retry(store, row)
            commit()
        except Failure as failure:
            plugin_state().session.rollback()
            outcome, message, level = None, failure.message, "error"
        if outcome == OrderStatus.IMPORTED:
            message, level = _("Amazon order %(order)s was imported.",
                               order=row.amazon_order_id), "success"
        elif outcome == OrderStatus.CANCELLED:
            message, level = _("Amazon order %(order)s was cancelled on Amazon; nothing to "
                               "import.", order=row.amazon_order_id), "info"
        elif outcome is not None:
            message, level = _("Amazon order %(order)s still needs attention: %(reason)s",
                               order=row.amazon_order_id, reason=orders.reason_text(row)), \
                "error"
    return PANEL.done(store, level, message)


def import_now(store_id: int):
    """Run the store's import here and now, without waiting for Amazon's rate to refill."""
    store = store_or_404(store_id)
    if not store.is_connected:
        return PANEL.done(store, "error", _(
            "Connect “%(name)s” to Amazon before importing its orders.", name=store.name))
    if not orders.supports_orders():
        return PANEL.done(store, "error", orders.reason_text("host_cannot_import"))
    try:
        result = orders.run(store.id, max_wait=0)
    except Exception:  # noqa: BLE001 - logged by the service; the page stays up
        plugin_state().session.rollback()
        result = orders.RunResult(RunOutcome.FAILED)
    store = store_or_404(store_id)
    if result.outcome == RunOutcome.BUSY:
        message, level = _("Orders of “%(name)s” are being imported right now.",
                           name=store.name), "info"
    elif result.failure is not None or result.outcome == RunOutcome.FAILED:
        message = result.failure.message if result.failure else _("an unknown error.")
        message, level = _("Importing Amazon orders stopped: %(reason)s", reason=message), \
            "error"
    else:
        message = orders.summary(result.counts)
        if result.outcome == RunOutcome.PAUSED:
            message += " " + _("Amazon's rate limit paused the import; the next run continues.")
        level = "warning" if result.counts.get(OrderStatus.NEEDS_ATTENTION) else "success"
    return PANEL.done(store, level, message)


def register(bp):
    bp.add_url_rule(rule("orders"), "orders", orders_panel)
    bp.add_url_rule(rule("import_orders"), "import_orders", import_now, methods=["POST"])
    bp.add_url_rule(rule("orders") + "/<int(max=2147483647):order_id>/retry", "retry_order",
                    retry, methods=["POST"])
