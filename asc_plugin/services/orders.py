"""Order import: Amazon's merchant-fulfilled orders into the host, once, through the contract.

A run searches the store's marketplace with ``searchOrders`` (Orders API v2026-01-01) for
orders updated since the stored watermark minus an overlap, page by page, and takes each order:

- created before the store was connected, fulfilled by Amazon, or still *Pending* (payment not
  verified): left alone (a pending order comes back once Amazon moves it on);
- new and out of *Pending*: an :class:`~asc_plugin.models.AmazonOrder` row is inserted (unique by
  store and Amazon order id) and the host's ``import_order`` runs in the same transaction, so a
  replay or a second worker never makes a second host order: the second insert fails on the
  constraint and its host work rolls back with it;
- refused by the host (an unknown SKU): kept as *Needs attention* with the reason, tried again
  when it comes back or when an admin clicks *Import again*;
- cancelled after it was imported: ``cancel_order`` reaches the host.

Each order commits on its own with the worker's lease renewed; the page reached is stored, so
a killed worker's run continues from that page (the lease lets one worker run a store at a
time). Requests go through buckets in the database shared by every worker, keyed by seller and
region, at a little under Amazon's usage plans; a wait longer than ``ASC_ORDERS_MAX_WAIT_SECONDS``
ends the run where it is ("paused") for the next one to continue.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .. import clock, marketplaces, signals
from ..errors import AmazonUnavailable, ConnectFailure, Failure
from ..host import BaseHost, IncomingOrder, OrderLine, OrderRejected, ShippingAddress
from ..i18n import _, ngettext
from ..models import ActivityEvent, ActivityOutcome, AmazonOrder, OrderImport, OrderStatus, Store
from ..persistence import savepoint
from ..state import current_app_object, plugin_state
from . import activity, leases, rate_limit, tokens
from .paging import Paged
from .runner import Lost, RunOutcome, commit_step, run_job

#: Amazon statuses an order is imported in (out of Pending: payment verified).
IMPORTABLE = ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")
WAITING = ("PENDING", "PENDING_AVAILABILITY")
#: Our statuses, in the order the dashboard lists them.
STATUSES = tuple(OrderStatus)
#: Unanswered or unreadable answers in a row before a run stops (the next run continues).
MAX_UNAVAILABLE = 3
MAX_THROTTLED = 4
_CENTS = Decimal("0.01")

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    #: paused: a rate wait too long (see :class:`~asc_plugin.services.runner.RunOutcome`)
    outcome: str  # a RunOutcome
    counts: Counter = field(default_factory=Counter)
    failure: Failure | None = None
    requests: int = 0


def supports_orders(host=None) -> bool:
    """Whether the host implements ``import_order`` (BaseHost's default refuses)."""
    host = host or plugin_state().host
    method = getattr(type(host), "import_order", None)
    return callable(method) and method is not BaseHost.import_order


def limit(operation: str) -> rate_limit.Limit:
    config = current_app.config
    if operation == "searchOrders":
        return rate_limit.Limit(float(config["ASC_ORDERS_SEARCH_RATE"]),
                                float(config["ASC_ORDERS_SEARCH_BURST"]))
    return rate_limit.Limit(float(config["ASC_ORDERS_GET_RATE"]),
                            float(config["ASC_ORDERS_GET_BURST"]))


def bucket_key(store: Store, operation: str) -> str:
    """Amazon counts per seller and app in a region: two stores of one seller share it."""
    return f"{operation}:{_market(store).region}:{store.seller_id}"


def _market(store: Store):
    return marketplaces.BY_CODE[store.marketplace_code]


# --- Lease -------------------------------------------------------------------------------------

def import_state(store: Store) -> OrderImport:
    """The store's import record, made (committed) on first use: orders since the store's
    connection."""
    return leases.store_record(OrderImport, store.id,
                               orders_since=store.authorized_at or clock.now())


def take_lease(store: Store, owner: str) -> bool:
    """Take the store's import if no live lease holds it (committed)."""
    import_state(store)
    return leases.take(OrderImport, OrderImport.store_id == store.id, owner=owner,
                       now=leases.real_now())


def running(store: Store) -> bool:
    return leases.live(plugin_state().session.get(OrderImport, store.id))


# --- A run -------------------------------------------------------------------------------------

def run(store_id: int, *, owner: str | None = None, on_progress=None,
        max_wait: float | None = None) -> RunResult:
    """Import the store's new orders in this process (inside an app context; commits).
    ``max_wait``: the longest wait for Amazon's rate (default ASC_ORDERS_MAX_WAIT_SECONDS)."""
    session = plugin_state().session
    store = session.get(Store, store_id)
    if store is None or not store.is_connected:
        return RunResult(RunOutcome.NOT_CONNECTED)
    if not supports_orders():
        return RunResult(RunOutcome.UNSUPPORTED)
    owner = owner or leases.worker_name()
    if not take_lease(store, owner):
        return RunResult(RunOutcome.BUSY)
    runner = _Runner(store, owner, on_progress)
    if max_wait is not None:
        runner.max_wait = max_wait
    return run_job(runner.go, runner.end, internal_error="orders_internal_error",
                   what=f"Order import of store {store_id}")


class _Runner:
    def __init__(self, store: Store, owner: str, on_progress):
        self.store, self.owner, self.on_progress = store, owner, on_progress
        self.session = plugin_state().session
        self.counts: Counter = Counter()
        self.requests = 0
        self.throttled = self.unavailable = 0
        self.refreshed = False
        self.signals: list[tuple] = []
        self.max_wait = float(current_app.config["ASC_ORDERS_MAX_WAIT_SECONDS"])

    @property
    def record(self) -> OrderImport:
        return self.session.get_one(OrderImport, self.store.id)

    def commit(self) -> None:
        """Commit a step with the lease renewed; :class:`~.runner.Lost` (rolled back) when
        another worker took the import over."""
        try:
            commit_step(self.record, self.owner)
        except Lost:
            self.signals.clear()
            raise
        app = current_app_object()
        for signal, kwargs in self.signals:
            signal.send(app, store=self.store, **kwargs)
        self.signals.clear()
        self.session.commit()  # what listeners wrote (the sync's marks on the order's SKUs)
        if self.on_progress is not None:
            self.on_progress(self.counts)

    def go(self) -> RunOutcome:
        record = self.record
        if record.window_after is None:  # a new window (else: resume the one under way)
            overlap = timedelta(seconds=float(current_app.config["ASC_ORDERS_OVERLAP_SECONDS"]))
            since = leases.aware(record.orders_since)
            record.window_after = max(since - overlap, leases.aware(record.watermark) - overlap) \
                if record.watermark else since - overlap
            record.window_before, record.page_token = None, None
            self.commit()
        while True:
            record = self.record
            window_after = record.window_after
            assert window_after is not None  # opened above; closed after the loop
            page = self.search(leases.aware(window_after), record.page_token)
            if page is None:
                self.commit()
                return RunOutcome.PAUSED
            record = self.record
            if record.window_before is None:
                record.window_before = page.last_updated_before or clock.now()
            for order in page.orders:
                self.take(order)
                self.commit()
            record = self.record
            record.page_token = page.next_token
            self.commit()
            if not page.next_token:
                break
        record = self.record
        record.watermark = record.window_before
        record.window_after = record.window_before = record.page_token = None
        record.last_success_at = clock.now()
        self.commit()
        return RunOutcome.DONE

    def search(self, after: datetime, token: str | None):
        from ..amazon import orders as api  # lazy: the Amazon clients load requests

        key, plan = bucket_key(self.store, "searchOrders"), limit("searchOrders")
        while True:
            if not rate_limit.acquire_within(key, plan, self.max_wait):
                return None
            self.requests += 1
            self.record.requests += 1
            try:
                page = api.search(region=_market(self.store).region,
                                  access_token=tokens.access_token(self.store.id),
                                  marketplace_ids=[_market(self.store).marketplace_id],
                                  last_updated_after=after, pagination_token=token)
            except api.Throttled as throttled:
                rate_limit.observe(key, plan, throttled.rate_limit)
                self.throttled += 1
                if self.throttled > MAX_THROTTLED:
                    raise
                rate_limit.back_off(key, self.throttled, base=float(
                    current_app.config["ASC_ORDERS_BACKOFF_SECONDS"]))
                continue
            except api.TokenExpired:
                if token is None:
                    raise
                log.info("Amazon refused a stored pagination token; searching the window again")
                token = self.record.page_token = None
                continue
            except ConnectFailure as failure:
                if failure.code != "orders_forbidden" or self.refreshed:
                    raise
                self.refreshed = True  # clock skew: the token may be older than we think
                tokens.refresh_now(self.store.id)
                continue
            except AmazonUnavailable:
                self.unavailable += 1
                if self.unavailable >= MAX_UNAVAILABLE:
                    raise
                time.sleep(min(1.0 * self.unavailable, 5.0))
                continue
            self.throttled = 0
            rate_limit.observe(key, plan, page.rate_limit)
            return page

    def take(self, order) -> None:
        """One order of a page (flushed; the caller commits)."""
        since = leases.aware(self.record.orders_since).replace(microsecond=0)  # Amazon's precision
        if order.created < since:
            self.counts["before_connection"] += 1
            return
        if order.fulfilled_by not in (None, "MERCHANT"):
            return
        row = self.session.scalar(sa.select(AmazonOrder).where(
            AmazonOrder.store_id == self.store.id,
            AmazonOrder.amazon_order_id == order.order_id))
        if order.status in WAITING:
            self.counts["pending"] += 1
            return
        if order.status == "CANCELLED":
            if row is not None:
                self.counts[cancel(self.store, row, order, self.signals)] += 1
            return
        if order.status not in IMPORTABLE:
            return
        if row is not None:  # seen before: a status change, or a retry of Needs attention
            row.amazon_status, row.amazon_updated_at = order.status, order.last_updated
            if row.status == OrderStatus.NEEDS_ATTENTION:
                self.counts[import_into_host(self.store, row, order, self.signals)] += 1
            return
        row = new_row(self.store, order)
        try:
            with savepoint():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:  # another worker has it: its transaction imports it
            self.counts["duplicate"] += 1
            return
        self.counts[import_into_host(self.store, row, order, self.signals)] += 1

    def end(self, outcome: RunOutcome, failure: Failure | None) -> RunResult:
        session = self.session
        session.rollback()
        record = session.get(OrderImport, self.store.id, populate_existing=True)
        if record is None or record.lease_owner != self.owner:
            return RunResult(RunOutcome.LOST, self.counts, failure, self.requests)
        record.lease_owner = record.lease_expires_at = None
        record.last_run_at = clock.now()
        record.error_code = failure.code if failure else None
        store = session.get_one(Store, self.store.id)
        if failure is not None:
            activity.record(store, ActivityEvent.ORDERS_FAILED, ActivityOutcome.FAILURE,
                            params=activity.failure_params(failure), admin="system")
        elif any(self.counts[status] for status in OrderStatus):
            tone = ActivityOutcome.INFO if self.counts[OrderStatus.NEEDS_ATTENTION] \
                else ActivityOutcome.SUCCESS
            activity.record(store, ActivityEvent.ORDERS_IMPORTED, tone,
                            params={"counts": dict(self.counts)}, admin="system")
        session.commit()
        signals.orders_imported.send(current_app_object(), store=store,
                                     counts=dict(self.counts), failure=failure)
        return RunResult(outcome, self.counts, failure, self.requests)


def summary(counts) -> str:
    return ngettext(
        "%(num)s Amazon order imported, %(attention)s needing attention, %(cancelled)s "
        "cancelled.",
        "%(num)s Amazon orders imported, %(attention)s needing attention, %(cancelled)s "
        "cancelled.", counts.get(OrderStatus.IMPORTED, 0),
        attention=counts.get(OrderStatus.NEEDS_ATTENTION, 0),
        cancelled=counts.get(OrderStatus.CANCELLED, 0))


# --- One order ---------------------------------------------------------------------------------

def new_row(store: Store, order) -> AmazonOrder:
    skus = ",".join(dict.fromkeys(i.seller_sku or "?" for i in order.items))
    return AmazonOrder(
        store_id=store.id, amazon_order_id=order.order_id, marketplace_id=order.marketplace_id,
        status=OrderStatus.NEEDS_ATTENTION, reason="importing", amazon_status=order.status,
        purchase_date=order.created, amazon_updated_at=order.last_updated,
        currency=order.currency, items=sum(i.quantity for i in order.items), skus=skus[:300])


def incoming(store: Store, order) -> IncomingOrder:
    """The host contract's view of an Amazon order."""
    address = order.ship_to
    return IncomingOrder(
        amazon_order_id=order.order_id, store_id=store.id, website_id=store.website_id,
        marketplace_code=store.marketplace_code, marketplace_id=order.marketplace_id,
        purchase_date=order.created, currency=order.currency, status=order.status,
        lines=tuple(OrderLine(seller_sku=i.seller_sku or "", quantity=i.quantity, asin=i.asin,
                              title=i.title, unit_price=i.unit_price, tax=i.tax,
                              amazon_item_id=i.order_item_id) for i in order.items),
        buyer_name=order.buyer_name, buyer_email=order.buyer_email,
        ship_to=ShippingAddress(name=address.name, company=address.company,
                                lines=address.lines, city=address.city,
                                state_or_region=address.state_or_region,
                                postal_code=address.postal_code,
                                country_code=address.country_code, phone=address.phone)
        if address else None)


def import_into_host(store: Store, row: AmazonOrder, order, pending_signals: list) -> str:
    """Hand the order to the host (in a savepoint: a refusal undoes only the host's part).
    Returns "imported" or "needs_attention"; flushed, not committed."""
    host = plugin_state().host
    data = incoming(store, order)
    row.attempts += 1
    row.total = str(data.total.quantize(_CENTS)) if data.lines else None
    row.currency = data.currency or row.currency
    if not any(line.seller_sku for line in data.lines):
        return _needs_attention(store, row, "no_items")
    try:
        with savepoint():
            host_order_id = host.import_order(data)
    except OrderRejected as refused:
        return _needs_attention(store, row, str(refused.reason)[:300])
    except NotImplementedError:
        return _needs_attention(store, row, "host_cannot_import")
    except SQLAlchemyError:
        raise
    except Exception:
        log.exception("The host failed to import Amazon order %s", order.order_id)
        return _needs_attention(store, row, "host_error")
    row.status, row.reason = OrderStatus.IMPORTED, None
    row.host_order_id = str(host_order_id)[:64]
    row.imported_at = clock.now()
    pending_signals.append((signals.order_imported, {
        "amazon_order_id": row.amazon_order_id, "host_order_id": row.host_order_id,
        "skus": [line.seller_sku for line in data.lines]}))
    return OrderStatus.IMPORTED


def _needs_attention(store: Store, row: AmazonOrder, reason: str) -> str:
    changed = row.reason != reason
    row.status, row.reason = OrderStatus.NEEDS_ATTENTION, reason
    if changed:
        activity.record(store, ActivityEvent.ORDER_NEEDS_ATTENTION, ActivityOutcome.FAILURE,
                        params={"order": row.amazon_order_id, "reason": row.reason or ""},
                        admin="system")
    return OrderStatus.NEEDS_ATTENTION


def cancel(store: Store, row: AmazonOrder, order, pending_signals: list) -> str:
    """Amazon cancelled the order: tell the host if it has it. Returns a counter name."""
    row.amazon_status, row.amazon_updated_at = order.status, order.last_updated
    if row.status == OrderStatus.CANCELLED:
        return "unchanged"
    if row.status == OrderStatus.IMPORTED and row.host_order_id:
        try:
            with savepoint():
                plugin_state().host.cancel_order(row.host_order_id, incoming(store, order))
        except NotImplementedError:
            return _needs_attention(store, row, "host_cannot_cancel")
        except SQLAlchemyError:
            raise
        except Exception:
            log.exception("The host failed to cancel Amazon order %s", order.order_id)
            return _needs_attention(store, row, "host_error")
        pending_signals.append((signals.order_cancelled, {
            "amazon_order_id": row.amazon_order_id, "host_order_id": row.host_order_id,
            "skus": [i.seller_sku for i in order.items]}))
        activity.record(store, ActivityEvent.ORDER_CANCELLED, ActivityOutcome.INFO,
                        params={"order": row.amazon_order_id, "host": row.host_order_id},
                        admin="system")
    row.status, row.reason = OrderStatus.CANCELLED, None
    row.cancelled_at = clock.now()
    return OrderStatus.CANCELLED


def retry(store: Store, row: AmazonOrder) -> str:
    """*Import again*: read the order from Amazon (getOrder) and hand it to the host once more.
    Flushed, not committed. Returns "imported", "needs_attention", "cancelled" or "missing"."""
    from ..amazon import orders as api  # lazy: the Amazon clients load requests

    key, plan = bucket_key(store, "getOrder"), limit("getOrder")
    rate_limit.acquire(key, plan)
    try:
        order, stated = api.get(region=_market(store).region,
                                access_token=tokens.access_token(store.id),
                                order_id=row.amazon_order_id)
    except api.Throttled as throttled:
        rate_limit.observe(key, plan, throttled.rate_limit)
        rate_limit.back_off(key, 1, base=float(current_app.config["ASC_ORDERS_BACKOFF_SECONDS"]))
        raise
    rate_limit.observe(key, plan, stated)
    pending: list = []
    if order is None:
        _needs_attention(store, row, "amazon_not_found")
        return "missing"
    row.amazon_status, row.amazon_updated_at = order.status, order.last_updated
    if order.status == "CANCELLED":
        outcome = cancel(store, row, order, pending)
    elif order.status in IMPORTABLE:
        outcome = import_into_host(store, row, order, pending)
    else:
        outcome = row.status
    plugin_state().session.flush()
    app = current_app_object()
    for signal, kwargs in pending:  # the caller commits; listeners only learn of the change
        signal.send(app, store=store, **kwargs)
    return outcome


# --- What the dashboard, the home cards and the CLI show ---------------------------------------



def reason_text(row: AmazonOrder | str) -> str:
    """Why an order needs attention (a row, or its reason code), in the reader's language."""
    reason = (row if isinstance(row, str) else row.reason) or ""
    if reason.startswith("unknown_sku:"):
        return _("no product of the website has the SKU %(sku)s. Add the product (or fix its "
                 "SKU), then import the order again.", sku=reason.split(":", 1)[1])
    return {
        "host_cannot_import": _("this shop does not import orders (its host does not implement "
                                "import_order)."),
        "host_cannot_cancel": _("Amazon cancelled the order, but this shop cannot cancel orders "
                                "(its host does not implement cancel_order). Cancel it by "
                                "hand."),
        "host_error": _("the shop failed to create the order; the details are in the server "
                        "log."),
        "no_items": _("Amazon gave the order without items."),
        "amazon_not_found": _("Amazon no longer has this order."),
        "importing": _("the import was interrupted; it is tried again on the next run."),
    }.get(reason, reason)


class OrdersPage(Paged[AmazonOrder]):
    @property
    def rows(self) -> list[AmazonOrder]:
        return self.items


def page(store: Store, *, number: int = 1, per_page: int = 10) -> OrdersPage:
    """Needs attention first, then the newest purchases."""
    session = plugin_state().session
    base = sa.select(AmazonOrder).where(AmazonOrder.store_id == store.id)
    total = session.scalars(sa.select(sa.func.count()).select_from(base.subquery())).one() or 0
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    rows = list(session.scalars(base.order_by(
        sa.case((AmazonOrder.status == OrderStatus.NEEDS_ATTENTION, 0), else_=1),
        AmazonOrder.purchase_date.desc(), AmazonOrder.id.desc())
        .limit(per_page).offset((number - 1) * per_page)))
    return OrdersPage(rows, number, per_page, total)


def counts(store: Store) -> dict[str, int]:
    return dict(plugin_state().session.execute(
        sa.select(AmazonOrder.status, sa.func.count()).where(AmazonOrder.store_id == store.id)
        .group_by(AmazonOrder.status)).all())


def needing_attention(store_ids: list[int]) -> dict[int, int]:
    """store id -> orders needing attention, for the home cards (one query)."""
    if not store_ids:
        return {}
    return dict(plugin_state().session.execute(
        sa.select(AmazonOrder.store_id, sa.func.count()).where(
            AmazonOrder.store_id.in_(store_ids),
            AmazonOrder.status == OrderStatus.NEEDS_ATTENTION)
        .group_by(AmazonOrder.store_id)).all())


def connected_stores(store_ids=()) -> list[Store]:
    query = sa.select(Store).order_by(Store.id)
    if store_ids:
        query = query.where(Store.id.in_(list(store_ids)))
    return [s for s in plugin_state().session.scalars(query).unique() if s.is_connected]
