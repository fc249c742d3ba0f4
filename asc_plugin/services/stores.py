"""Creating, listing, editing and removing stores.

Like every service, these flush and never commit: the view or command that asked commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from ..host import BaseHost
from ..i18n import _
from ..models import (
    ActivityEvent,
    ActivityOutcome,
    AmazonOrder,
    AttributeMapping,
    ConnectionState,
    ListingCondition,
    ListingItem,
    ListingRule,
    MatchJob,
    Offer,
    ProductIdType,
    Store,
    StoreStatus,
    utcnow,
)
from ..persistence import savepoint
from ..state import plugin_state
from . import activity, authorizations
from .paging import Paged


class StoreError(ValueError):
    """A change that cannot be made; the message is shown to the merchant as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Page(Paged[Store]):
    #: store id -> its card's counts (card_counts), when the page's own query read them.
    counts: dict[int, sa.Row] | None = None

    @property
    def stores(self) -> list[Store]:
        return self.items


#: Store ids fit a 32-bit integer (PostgreSQL's INTEGER); larger ids cannot exist.
MAX_ID = 2**31 - 1


def get(store_id: int) -> Store | None:
    if not 0 < store_id <= MAX_ID:
        return None
    return plugin_state().session.get(Store, store_id)


def may_manage(store: Store) -> bool:
    """The host's per-store check (``Host.can_manage``); without one of its own, every admin
    who may use the plugin manages every store."""
    return bool(plugin_state().host.can_manage(store)) if _filters_per_store() else True


def _filters_per_store() -> bool:
    """True when the host has a ``can_manage`` of its own: BaseHost's allows every store, and
    the lists and counts then skip reading every store through it."""
    hook = getattr(plugin_state().host, "can_manage", None)
    return hook is not None and getattr(hook, "__func__", hook) is not BaseHost.can_manage


def count() -> int:
    if _filters_per_store():
        return len(all_stores())
    return plugin_state().session.scalars(sa.select(sa.func.count(Store.id))).one()


STATUSES = {s.value: s for s in StoreStatus}
CONNECTIONS = {"connected": (ConnectionState.CONNECTED,),
               "not_connected": (ConnectionState.NOT_CONNECTED,),
               "lapsed": (ConnectionState.REVOKED, ConnectionState.EXPIRED)}
SORTS = ("newest", "name", "renewal")


@dataclass(frozen=True)
class Filters:
    """What the home page lists: by status, connection and renewal, in one order."""

    status: str | None = None
    connection: str | None = None
    renewal_due: bool = False
    sort: str = "newest"

    @classmethod
    def parse(cls, values) -> Filters:
        """From a query string; anything unknown means "all" (never an error)."""
        def pick(name, allowed):
            value = values.get(name)
            return value if value in allowed else None

        return cls(status=pick("status", STATUSES), connection=pick("connection", CONNECTIONS),
                   renewal_due=values.get("renewal") == "due",
                   sort=pick("sort", SORTS) or "newest")

    def apply(self, query):
        """The filters and order on a query (its moments are bound when it runs: _moments)."""
        if self.status:
            query = query.where(Store.status == STATUSES[self.status])
        if self.connection:
            query = query.where(_in_connection(self.connection))
        if self.renewal_due:
            query = query.where(_due())
        order = {
            "newest": (Store.created_at.desc(), Store.id.desc()),
            "name": (sa.func.lower(Store.name), Store.id),
            "renewal": (Store.authorization_expires_at.is_(None),
                        Store.authorization_expires_at, Store.id),
        }[self.sort]
        return query.order_by(*order)

    def as_query(self) -> dict:
        """The filters as query-string values (for links that keep them)."""
        query = {"status": self.status, "connection": self.connection,
                 "renewal": "due" if self.renewal_due else None,
                 "sort": self.sort if self.sort != "newest" else None}
        return {k: v for k, v in query.items() if v}


def page(number: int, per_page: int, filters: Filters = Filters()) -> Page:
    """One page of stores: one query (the total rides along as a window count).

    A host with a per-store check gets the page cut from the stores it allows instead.
    """
    number = max(1, min(number, MAX_ID // max(per_page, 1)))
    moments = _moments()
    if _filters_per_store():
        query = _listing_query(filters)
        mine = [s for s in plugin_state().session.scalars(query, moments).unique() if may_manage(s)]
        pages = max(1, -(-len(mine) // per_page))
        number = min(number, pages)
        start = (number - 1) * per_page
        return Page(mine[start:start + per_page], number, per_page, len(mine))
    rows = _page_rows(number, per_page, filters, moments)
    if not rows and number > 1:  # past the end: show the last page instead
        total = plugin_state().session.scalars(_count_query(filters), moments).one()
        number = max(1, -(-total // per_page))
        rows = _page_rows(number, per_page, filters, moments)
    total = rows[0].total if rows else 0
    return Page([row[0] for row in rows], number, per_page, total,
                counts={row[0].id: row for row in rows})


def _page_rows(number: int, per_page: int, filters: Filters, moments: dict):
    # One row per store (the mapping is not joined here): no .unique(), which hashed every row.
    return list(plugin_state().session.execute(_page_query(filters), {
        **moments, "limit": per_page, "offset": (number - 1) * per_page}))


# Statements are built once per Filters value (a few dozen exist) and run with this request's
# moments bound: building a statement cost more than running it. Answers are never kept.

@cache
def _page_query(filters: Filters):
    return (filters.apply(sa.select(Store, sa.func.count().over().label("total"),
                                    *_count_columns())
                          .options(lazyload(Store.mapping)))  # cards don't show the mapping
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


@cache
def _listing_query(filters: Filters):
    return filters.apply(sa.select(Store).options(lazyload(Store.mapping)))


@cache
def _count_query(filters: Filters):
    return sa.select(sa.func.count()).select_from(
        filters.apply(sa.select(Store.id)).order_by(None).subquery())


def _moments() -> dict:
    """What the statements compare with: now, and the end of the first renewal warning."""
    now = utcnow()
    steps = authorizations.thresholds()
    return {"now": now, "horizon": now + timedelta(days=steps[0] if steps else 0)}


def _past_end():
    """SQL: connected, but the yearly authorization has ended (Store.connection says expired)."""
    return sa.and_(Store.connection_state == ConnectionState.CONNECTED,
                   Store.authorization_expires_at <= sa.bindparam("now"))


def _in_connection(name: str):
    """SQL for one of CONNECTIONS, as Store.connection decides it (an ended one is lapsed)."""
    if name == "connected":
        return sa.and_(Store.connection_state == ConnectionState.CONNECTED, sa.not_(_past_end()))
    if name == "lapsed":
        return sa.or_(Store.connection_state.in_(CONNECTIONS[name]), _past_end())
    return Store.connection_state.in_(CONNECTIONS[name])


def _due():
    """SQL: connected, ending inside the first warning threshold and not ended yet."""
    return sa.and_(Store.connection_state == ConnectionState.CONNECTED,
                   Store.authorization_expires_at <= sa.bindparam("horizon"),
                   Store.authorization_expires_at > sa.bindparam("now"))


@dataclass(frozen=True)
class Summary:
    """The counts at the top of the home page."""

    total: int = 0
    connected: int = 0
    not_connected: int = 0
    lapsed: int = 0
    renewal_due: int = 0


def summary() -> Summary:
    """One grouped query (or the stores a per-store check allows, counted here)."""
    moments = _moments()
    horizon = moments["horizon"]
    rows: Sequence[tuple[ConnectionState, bool, bool, int]]
    if _filters_per_store():
        rows = [(s.connection_state, s.is_connected and s.authorization_expires_at is not None
                 and s.authorization_expires_at <= horizon, s.connection is not s.connection_state,
                 1) for s in all_stores()]
    else:
        rows = [(connection, bool(is_due), bool(has_ended), int(number))
                for connection, is_due, has_ended, number in plugin_state().session.execute(
                    _summary_query(), moments)]
    counts = {"total": 0, "connected": 0, "not_connected": 0, "lapsed": 0, "renewal_due": 0}
    for connection, is_due, has_ended, number in rows:
        if has_ended:  # past its yearly end: expired, whatever no check has recorded yet
            connection = ConnectionState.EXPIRED
        counts["total"] += number
        counts[next(k for k, states in CONNECTIONS.items() if connection in states)] += number
        counts["renewal_due"] += number if is_due else 0
    return Summary(**counts)


@cache
def _summary_query():
    due = sa.case((_due(), True), else_=False)
    ended = sa.case((_past_end(), True), else_=False)
    return (sa.select(Store.connection_state, due, ended, sa.func.count())
            .group_by(Store.connection_state, due, ended))


def card_counts(store_ids: list[int]) -> dict[int, sa.Row]:
    """store id -> what its card counts beside it (listing items, matched, excluded, orders
    needing attention, offers active on Amazon): one statement for a page of cards."""
    if not store_ids:
        return {}
    rows = plugin_state().session.execute(_card_counts_query(), {"ids": list(store_ids)})
    return {row.id: row for row in rows}


@cache
def _card_counts_query():
    return sa.select(Store.id, *_count_columns()).where(
        Store.id.in_(sa.bindparam("ids", expanding=True)))


def _count_columns():
    """The counts a store card shows, as columns beside the store (page() reads them with the
    stores themselves, card_counts() for any list of stores)."""
    def count(model, *where):
        return (sa.select(sa.func.count()).where(model.store_id == Store.id, *where)
                .scalar_subquery())

    return (count(ListingItem).label("items"),
            count(ListingItem, ListingItem.status == "matched").label("matched"),
            count(ListingItem, ListingItem.status == "excluded").label("excluded"),
            count(AmazonOrder, AmazonOrder.status == "needs_attention").label("attention"),
            count(Offer, Offer.status == "active").label("active"))


def all_stores() -> list[Store]:
    """Every store this admin manages, oldest first (for the few views that list them all)."""
    stores = plugin_state().session.scalars(sa.select(Store).order_by(Store.id)).unique()
    return [s for s in stores if may_manage(s)]


def _name_owner(name: str, except_id: int | None) -> Store | None:
    if "\x00" in name:  # no stored name can hold a NUL (PostgreSQL refuses them outright)
        return None
    query = sa.select(Store).where(sa.func.lower(Store.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(Store.id != except_id)
    return plugin_state().session.scalars(query.limit(1)).first()


def name_problem(name: str, *, except_id: int | None = None) -> str | None:
    """Why a store cannot take this name, for this admin; None when it can. Names are unique
    across all admins, but a store this admin may not manage is not described."""
    owner = _name_owner(name, except_id)
    if owner is None:
        return None
    return str(_name_taken(owner))


def create(*, name: str, contact_email: str, website_id: str, marketplace_code: str,
           amazon_id_type: ProductIdType, host_attribute_code: str) -> Store:
    """Add a store as Incomplete and not connected, with its attribute mapping."""
    session = plugin_state().session
    name = name.strip()
    if (owner := _name_owner(name, None)) is not None:
        raise _name_taken(owner)
    store = Store(
        name=name, contact_email=contact_email.strip(), website_id=website_id,
        marketplace_code=marketplace_code,
    )
    store.mapping = AttributeMapping(
        amazon_id_type=amazon_id_type, host_attribute_code=host_attribute_code
    )
    with _name_unique():
        session.add(store)
        session.flush()
    activity.record(store, ActivityEvent.STORE_CREATED, ActivityOutcome.SUCCESS,
                    params={"name": store.name})
    session.flush()
    return store


def _name_taken(owner: Store | None = None) -> StoreError:
    if owner is not None and may_manage(owner):
        return StoreError(_("A store with this name already exists. Choose another name."),
                          "name")
    return StoreError(_("This name is not available. Choose another name."), "name")


@contextmanager
def _name_unique():
    """A concurrent request that took the same name first turns into a StoreError; only this
    step is undone (a savepoint), not what else the session holds."""
    try:
        with savepoint():
            yield
    except IntegrityError:
        raise _name_taken() from None


def update_settings(store: Store, *, name: str, contact_email: str) -> list[str]:
    """Change what may change after creation: the name and the contact email."""
    session = plugin_state().session
    name = name.strip()
    if (owner := _name_owner(name, store.id)) is not None:
        raise _name_taken(owner)
    changed, changes = [], []
    if name != store.name:
        changed.append(_("Changed the name from “%(old)s” to “%(new)s”.", old=store.name,
                         new=name))
        changes.append({"field": "name", "old": store.name, "new": name})
    if contact_email.strip() != store.contact_email:
        changed.append(_("Changed the contact email."))
        changes.append({"field": "contact_email"})
    if changed:
        with _name_unique():  # a refused change is undone with its savepoint
            store.name, store.contact_email = name, contact_email.strip()
            session.flush()
        activity.record(store, ActivityEvent.SETTINGS_CHANGED, ActivityOutcome.SUCCESS,
                        params={"changes": changes})
        session.flush()
    return changed


def update_mapping(store: Store, *, amazon_id_type: ProductIdType, host_attribute_code: str):
    mapping = store.mapping
    if mapping is None:
        store.mapping = mapping = AttributeMapping(
            amazon_id_type=amazon_id_type, host_attribute_code=host_attribute_code
        )
    if (mapping.amazon_id_type, mapping.host_attribute_code) == (
        amazon_id_type, host_attribute_code
    ):
        return False
    mapping.amazon_id_type = amazon_id_type
    mapping.host_attribute_code = host_attribute_code
    store.updated_at = utcnow()
    activity.record(store, ActivityEvent.MAPPING_CHANGED, ActivityOutcome.SUCCESS, params={
        "type": amazon_id_type.value, "attribute": host_attribute_code})
    plugin_state().session.flush()
    return True


def set_active(store: Store, active: bool) -> None:
    """Activate (only once connected) or deactivate: settings and listings are kept."""
    if active and not store.is_connected:
        raise StoreError(_("Connect the store to Amazon before activating it."))
    if not active and store.status is StoreStatus.INCOMPLETE:
        raise StoreError(_("This store is not set up yet, so there is nothing to pause. Connect "
                           "it to Amazon first."))
    new = StoreStatus.ACTIVE if active else StoreStatus.INACTIVE
    if store.status is new:
        return
    store.status = new
    activity.record(store, ActivityEvent.STATUS_CHANGED, ActivityOutcome.SUCCESS,
                    params={"active": active})
    plugin_state().session.flush()


def delete(store: Store) -> str:
    """Remove the store, its mapping, tokens, listing and log for good; returns its name.

    Its listing rows are deleted here rather than left to foreign keys, which SQLite may not
    enforce: nothing of it may outlive it under an id a new store could reuse.
    """
    name = store.name
    session = plugin_state().session
    rule_ids = sa.select(ListingRule.id).where(ListingRule.store_id == store.id)
    session.execute(sa.delete(ListingCondition).where(ListingCondition.rule_id.in_(rule_ids)))
    for model in (ListingRule, ListingItem, MatchJob):
        session.execute(sa.delete(model).where(model.store_id == store.id))
    session.delete(store)
    session.flush()
    return name
