"""The plugin's tables, on its own DeclarativeBase; sessions come from the host's Flask-SQLAlchemy.

Host ids (website ids, admin ids) are plain columns resolved through the host contract, never
foreign keys into host tables, so the plugin fits any host schema.
"""

from __future__ import annotations

import enum
import sys
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from . import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, on the plugin's clock (see asc_plugin.clock)."""
    return clock.now()


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class StoreStatus(str, enum.Enum):
    INCOMPLETE = "incomplete"
    ACTIVE = "active"
    INACTIVE = "inactive"


class ConnectionState(str, enum.Enum):
    NOT_CONNECTED = "not_connected"
    CONNECTED = "connected"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ProductIdType(str, enum.Enum):
    ASIN = "ASIN"
    ISBN = "ISBN"
    UPC = "UPC"
    EAN = "EAN"
    GCID = "GCID"
    SELLER_SKU = "SELLER_SKU"


if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # Python 3.10: the same, by hand
    class StrEnum(str, enum.Enum):
        """Members are their value: equal to it, stored and formatted as it."""

        def __str__(self) -> str:
            return str(self.value)


# Named states. The columns hold the members' values (plain strings, as before: no migration);
# members compare equal to what is read back, so compare with ``==`` or ``in``, never ``is``.

class JobStatus(StrEnum):
    """A matching or offers run's status."""

    QUEUED = "queued"
    RUNNING = "running"
    #: Amazon kept failing: *Match again* resumes it where it stopped (matching only).
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"


class MatchPhase(StrEnum):
    EVALUATE = "evaluate"  # local: the rule and the product ids
    MATCH = "match"  # Amazon: the catalog searches


class OfferPhase(StrEnum):
    PREPARE = "prepare"
    PREVIEW = "preview"
    SEND = "send"
    FEED = "feed"
    END = "end"
    SWEEP = "sweep"
    VERIFY = "verify"
    DONE = "done"


class OfferKind(StrEnum):
    PUBLISH = "publish"
    DRY_RUN = "dry_run"
    #: A status sweep: Amazon's read-back of the offers, nothing sent.
    STATUS = "status"


class ItemStatus(StrEnum):
    """A product in the listing preview: whether the rule lists it, and Amazon's answer."""

    MATCHED = "matched"
    SEVERAL = "several"
    VARIATION_PARENT = "variation_parent"
    NO_MATCH = "no_match"
    REFUSED = "refused"
    PENDING = "pending"
    ID_MISSING = "id_missing"
    ID_INVALID = "id_invalid"
    UNSUPPORTED = "unsupported"
    EXCLUDED = "excluded"


class OfferStatus(StrEnum):
    ACTIVE = "active"
    SUBMITTED = "submitted"
    READY = "ready"
    ERRORS = "errors"
    APPROVAL = "approval"
    NOT_ELIGIBLE = "not_eligible"
    INACTIVE = "inactive"
    SUPPRESSED = "suppressed"
    ENDED = "ended"


class OfferPending(StrEnum):
    """What a run still has to do with an offer (``Offer.pending``)."""

    SEND = "send"
    END = "end"


class OrderStatus(StrEnum):
    NEEDS_ATTENTION = "needs_attention"
    IMPORTED = "imported"
    CANCELLED = "cancelled"


class AttemptOutcome(StrEnum):
    """How a connect attempt ended (else a failure code from :mod:`asc_plugin.errors`)."""

    #: Amazon's answer is being applied (a claim): not ended yet.
    PROCESSING = "processing"
    CONNECTED = "connected"
    RENEWED = "renewed"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    #: Claimed but never finished (its worker died mid-way).
    INTERRUPTED = "interrupted"


class ActivityOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    INFO = "info"


class ActivityEvent(StrEnum):
    """What an activity entry records (rendered by :mod:`~.services.activity_messages`)."""

    STORE_CREATED = "store_created"
    STATUS_CHANGED = "status_changed"
    SETTINGS_CHANGED = "settings_changed"
    MAPPING_CHANGED = "mapping_changed"
    RULE_CHANGED = "rule_changed"
    CONNECT_STARTED = "connect_started"
    CONNECT_FAILED = "connect_failed"
    CONNECTED = "connected"
    AUTHORIZATION_SHARED = "authorization_shared"
    DISCONNECTED = "disconnected"
    TOKEN_REFUSED = "token_refused"  # noqa: S105 - an event, not a secret
    AUTHORIZATION_REVOKED = "authorization_revoked"
    AUTHORIZATION_EXPIRED = "authorization_expired"
    MATCH_STARTED = "match_started"
    MATCH_FINISHED = "match_finished"
    MATCH_PAUSED = "match_paused"
    MATCH_FAILED = "match_failed"
    MATCH_CHOSEN = "match_chosen"
    MATCH_CHOICE_UNDONE = "match_choice_undone"
    OFFERS_STARTED = "offers_started"
    OFFERS_PUBLISHED = "offers_published"
    OFFERS_FAILED = "offers_failed"
    OFFER_END_REQUESTED = "offer_end_requested"
    OFFER_ENDED = "offer_ended"
    ORDERS_IMPORTED = "orders_imported"
    ORDERS_FAILED = "orders_failed"
    ORDER_NEEDS_ATTENTION = "order_needs_attention"
    ORDER_CANCELLED = "order_cancelled"
    SYNC_SENT = "sync_sent"
    SYNC_REFUSED = "sync_refused"
    SYNC_FAILED = "sync_failed"


def _enum(cls, name):
    return sa.Enum(
        cls, name=name, native_enum=False, create_constraint=True, length=20,
        values_callable=lambda e: [m.value for m in e], validate_strings=True,
    )


class Store(Base):
    """An Amazon Sales Channel store: one host website selling in one Amazon marketplace."""

    __tablename__ = "asc_store"
    __table_args__ = (sa.UniqueConstraint("marketplace_code", "seller_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    website_id: Mapped[str] = mapped_column(sa.String(64))
    marketplace_code: Mapped[str] = mapped_column(sa.String(2))
    status: Mapped[StoreStatus] = mapped_column(
        _enum(StoreStatus, "store_status"), default=StoreStatus.INCOMPLETE
    )
    connection_state: Mapped[ConnectionState] = mapped_column(
        _enum(ConnectionState, "connection_state"), default=ConnectionState.NOT_CONNECTED
    )
    seller_id: Mapped[str | None] = mapped_column(sa.String(32))
    amazon_store_name: Mapped[str | None] = mapped_column(sa.String(200))
    refresh_token_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    access_token_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorization_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last live check of the authorization (Test connection, the cron check, host code):
    #: "ok" or a failure code from asc_plugin.errors, and when.
    health_code: Mapped[str | None] = mapped_column(sa.String(40))
    health_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Bumped by every connect, renewal and disconnect: a connect attempt that started on an
    #: older version is refused instead of overwriting what another admin did meanwhile.
    connection_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    mapping: Mapped[AttributeMapping | None] = relationship(
        back_populates="store", cascade="all, delete-orphan", uselist=False, lazy="joined"
    )
    activity: Mapped[list[ActivityLog]] = relationship(
        back_populates="store", cascade="all, delete-orphan",
        order_by="desc(ActivityLog.id)",
    )

    @property
    def connection(self) -> ConnectionState:
        """The connection as it stands now: an authorization past its yearly end is expired at
        once, before any check has recorded it (pages must never say *Connected* then)."""
        if self.connection_state is ConnectionState.CONNECTED and self.authorization_expires_at \
                is not None and self.authorization_expires_at <= utcnow():
            return ConnectionState.EXPIRED
        return self.connection_state

    @property
    def is_connected(self) -> bool:
        return self.connection is ConnectionState.CONNECTED

    def __repr__(self) -> str:  # no secrets here, ever
        return f"<Store {self.id} {self.marketplace_code} {self.connection_state.value}>"


class AttributeMapping(Base):
    """Which host attribute carries the store's Amazon product id."""

    __tablename__ = "asc_attribute_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_store.id", ondelete="CASCADE"), unique=True
    )
    amazon_id_type: Mapped[ProductIdType] = mapped_column(_enum(ProductIdType, "product_id_type"))
    host_attribute_code: Mapped[str] = mapped_column(sa.String(100))

    store: Mapped[Store] = relationship(back_populates="mapping")


class ActivityLog(Base):
    """What happened to a store, by whom; messages are written for people and hold no secret."""

    __tablename__ = "asc_activity_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_store.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admin: Mapped[str] = mapped_column(sa.String(200))
    event: Mapped[str] = mapped_column(sa.String(50))
    outcome: Mapped[str] = mapped_column(sa.String(10))  # success | failure | info
    #: The text of entries written before events carried parameters (rendered as it is).
    message: Mapped[str] = mapped_column(sa.Text)
    #: JSON object: the event's parameters, so the entry is rendered in the reader's language;
    #: may also hold details for support (e.g. Amazon's ``request_id``). Never a secret.
    params: Mapped[str | None] = mapped_column(sa.Text)

    store: Mapped[Store] = relationship(back_populates="activity")


class SetupTaskDone(Base):
    """A pre-setup task an admin has ticked."""

    __tablename__ = "asc_setup_task_done"

    admin_id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConnectAttempt(Base):
    """One Connect store / Renew click, or one renewal Amazon started: a record of its own.

    Who started it (admin and browser binding), for which store (and which connection version of
    it), how it travels (Seller Central straight back to the redirect URI, or through the Login
    URI), and how it ended. The OAuth ``state`` itself is never stored, only its SHA-256. The
    store is a plain id plus its creation time, so an attempt outlives its store and can never
    apply to another store that reused the id.
    """

    __tablename__ = "asc_connect_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    store_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    admin_id: Mapped[str] = mapped_column(sa.String(200))
    admin_name: Mapped[str] = mapped_column(sa.String(200))
    session_binding: Mapped[str] = mapped_column(sa.String(64), index=True)
    state_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # connect | renewal
    routing: Mapped[str] = mapped_column(sa.String(10), default="direct")  # direct | login_uri
    expected_seller: Mapped[str | None] = mapped_column(sa.String(32))
    connection_version: Mapped[int] = mapped_column(default=0)
    new_tab: Mapped[bool] = mapped_column(default=False)
    #: Where a same-tab attempt returns the admin: "home" or "dashboard".
    return_to: Mapped[str] = mapped_column(sa.String(10), default="home")
    redirect_uri: Mapped[str] = mapped_column(sa.String(500))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "connected", "renewed", "cancelled", "superseded", "expired" or a failure code.
    outcome: Mapped[str | None] = mapped_column(sa.String(40))
    #: JSON: the values the outcome's message names (store, seller, country…); no secret.
    details: Mapped[str | None] = mapped_column(sa.Text)
    seller_id: Mapped[str | None] = mapped_column(sa.String(32))

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class LoginHandoff(Base):
    """Amazon's Login URI parameters, parked (encrypted, single use, short-lived) while the admin
    signs in to the host, so ``amazon_state`` never travels in a sign-in URL or its logs."""

    __tablename__ = "asc_login_handoff"

    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    payload_encrypted: Mapped[str] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ListingRule(Base):
    """A store's listing rule (the seed's 清單規則): which of its website's products go to
    Amazon. No rule, or a disabled one, lists every product of the website."""

    __tablename__ = "asc_listing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_store.id", ondelete="CASCADE"), unique=True)
    match: Mapped[str] = mapped_column(sa.String(3), default="all")  # all | any
    enabled: Mapped[bool] = mapped_column(default=True)
    #: Bumped on every save, so listing items know which rule decided them.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    conditions: Mapped[list[ListingCondition]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="ListingCondition.position",
        lazy="selectin")


class ListingCondition(Base):
    """One condition of a listing rule: a product field, an operator, a value."""

    __tablename__ = "asc_listing_condition"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_listing_rule.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    field: Mapped[str] = mapped_column(sa.String(120))
    operator: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[str] = mapped_column(sa.Text, default="")

    rule: Mapped[ListingRule] = relationship(back_populates="conditions")


class ListingItem(Base):
    """One product of a store's website, as the listing preview shows it: whether the rule
    lists it, the identifier it is matched on, and what Amazon's catalog answered."""

    __tablename__ = "asc_listing_item"
    __table_args__ = (sa.UniqueConstraint("store_id", "product_id"),
                      sa.Index("ix_asc_listing_item_store_status", "store_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(sa.ForeignKey("asc_store.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(sa.String(64))
    sku: Mapped[str] = mapped_column(sa.String(100), default="")
    name: Mapped[str] = mapped_column(sa.String(300), default="")
    #: excluded | id_missing | id_invalid | unsupported | pending | matched | several | no_match
    status: Mapped[str] = mapped_column(sa.String(20))
    #: Why it is not listable (a product-id check's reason), for the preview.
    reason: Mapped[str | None] = mapped_column(sa.String(100))
    #: The identifier value the product is matched on (normalised), and when it was.
    identifier: Mapped[str | None] = mapped_column(sa.String(64))
    matched_identifier: Mapped[str | None] = mapped_column(sa.String(64))
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    asin: Mapped[str | None] = mapped_column(sa.String(10))
    amazon_name: Mapped[str | None] = mapped_column(sa.String(500))
    amazon_brand: Mapped[str | None] = mapped_column(sa.String(200))
    #: JSON list of {asin, name, brand} when several items share the identifier.
    candidates: Mapped[str | None] = mapped_column(sa.Text)
    #: The ASIN an admin chose among several (kept until the identifier changes).
    chosen_asin: Mapped[str | None] = mapped_column(sa.String(10))
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The matched item's product type (Catalog ``productTypes``), which an offer is sent with.
    product_type: Mapped[str | None] = mapped_column(sa.String(100))
    #: The matched item's ``itemClassification`` (BASE_PRODUCT, VARIATION_PARENT, …): a
    #: variation parent cannot take an offer.
    item_classification: Mapped[str | None] = mapped_column(sa.String(30))


class MatchJob(Base):
    """A run of "Match with Amazon catalog" for one store. It survives worker restarts: a worker
    holds it through a lease (renewed as it goes, taken over once expired), and the work left is
    on the records themselves (the evaluation's product cursor, the items still pending)."""

    __tablename__ = "asc_match_job"
    #: At most one open run per store, whatever races to start one (SQLite and PostgreSQL both
    #: have partial indexes).
    __table_args__ = (sa.Index("uq_asc_match_job_open_store", "store_id", unique=True,
                               sqlite_where=sa.text("status IN ('queued', 'running', 'paused')"),
                               postgresql_where=sa.text(
                                   "status IN ('queued', 'running', 'paused')")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_store.id", ondelete="CASCADE"), index=True)
    #: queued | running | paused (Amazon kept failing; resumable) | done | failed
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    #: evaluate (rules and product ids, local) | match (Amazon's catalog)
    phase: Mapped[str] = mapped_column(sa.String(10), default="evaluate")
    cursor: Mapped[str | None] = mapped_column(sa.String(64))
    total: Mapped[int] = mapped_column(default=0)
    evaluated: Mapped[int] = mapped_column(default=0)
    to_match: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    requests: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[str | None] = mapped_column(sa.String(40))
    #: Amazon's x-amzn-RequestId of the last failed call (its support asks for it).
    error_request_id: Mapped[str | None] = mapped_column(sa.String(100))


class RateBucket(Base):
    """A token bucket shared by every worker: Amazon's per-seller rate limit for an operation."""

    __tablename__ = "asc_rate_bucket"

    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    tokens: Mapped[float] = mapped_column(sa.Float)
    rate: Mapped[float] = mapped_column(sa.Float)
    burst: Mapped[float] = mapped_column(sa.Float)
    #: Seconds since the epoch of the last refill (floats keep sub-second precision everywhere).
    refilled_at: Mapped[float] = mapped_column(sa.Float)
    #: No request before this moment (set by a 429's back-off).
    blocked_until: Mapped[float] = mapped_column(sa.Float, default=0.0)


class AmazonOrder(Base):
    """An Amazon order the plugin has taken up for a store: imported into the host, kept as
    *Needs attention* (with the reason) until it can be, or cancelled. Unique per store and
    Amazon order id, so a replay or a second worker never makes a second host order. Holds no
    buyer details (those are read from Amazon again when needed)."""

    __tablename__ = "asc_amazon_order"
    __table_args__ = (sa.UniqueConstraint("store_id", "amazon_order_id"),
                      sa.Index("ix_asc_amazon_order_store_status", "store_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(sa.ForeignKey("asc_store.id", ondelete="CASCADE"))
    amazon_order_id: Mapped[str] = mapped_column(sa.String(50))
    marketplace_id: Mapped[str] = mapped_column(sa.String(20))
    #: imported | needs_attention | cancelled
    status: Mapped[str] = mapped_column(sa.String(20))
    #: Amazon's fulfillment status when last seen (UNSHIPPED, SHIPPED, CANCELLED, …).
    amazon_status: Mapped[str] = mapped_column(sa.String(25))
    host_order_id: Mapped[str | None] = mapped_column(sa.String(64))
    #: Why it needs attention: "unknown_sku:<sku>", "host_cannot_import", "host_error", or the
    #: host's own words (OrderRejected).
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    purchase_date: Mapped[datetime] = mapped_column(UTCDateTime)
    amazon_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    total: Mapped[str | None] = mapped_column(sa.String(20))
    items: Mapped[int] = mapped_column(default=0)
    #: The items' seller SKUs, comma-separated (for the dashboard; cut at 300 characters).
    skus: Mapped[str] = mapped_column(sa.String(300), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderImport(Base):
    """A store's order import: the watermark the next search starts from (minus an overlap),
    the page a run had reached (resumed after a killed worker) and the lease of the worker
    running it (one run per store at a time)."""

    __tablename__ = "asc_order_import"

    store_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_store.id", ondelete="CASCADE"), primary_key=True)
    #: Orders created before this moment (the store's connection) are never imported.
    orders_since: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Every order updated before this moment has been seen.
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A run under way: the window's start and upper bound, and the next page's token.
    window_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    page_token: Mapped[str | None] = mapped_column(sa.Text)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the last run stopped (a failure code from asc_plugin.errors), or None.
    error_code: Mapped[str | None] = mapped_column(sa.String(40))
    requests: Mapped[int] = mapped_column(default=0)


class ListingSettings(Base):
    """How a store's matched products are offered on Amazon (Adobe's *Listing Settings*): the
    condition, the price (a host attribute, adjusted, within a floor and ceiling, in the
    marketplace's currency), the quantity (kept back, capped), handling time, and whether
    offers go out on their own. ``version`` is bumped by every change, so the next publish is
    validated first (``validated_version`` is the last one Amazon's preview passed)."""

    __tablename__ = "asc_listing_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_store.id", ondelete="CASCADE"), unique=True)
    condition: Mapped[str] = mapped_column(sa.String(30), default="new_new")
    price_attribute: Mapped[str] = mapped_column(sa.String(120), default="price")
    adjust_kind: Mapped[str] = mapped_column(sa.String(10), default="percent")  # | fixed
    adjust_value: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), default=Decimal("0"))
    floor_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    ceiling_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    #: The currency the price source is in; must be the marketplace's (never converted).
    currency: Mapped[str] = mapped_column(sa.String(3))
    quantity_attribute: Mapped[str] = mapped_column(sa.String(120), default="quantity")
    quantity_buffer: Mapped[int] = mapped_column(default=0)
    max_quantity: Mapped[int | None] = mapped_column(sa.Integer)
    handling_days: Mapped[int] = mapped_column(default=2)
    #: Merchant fulfilment only (Amazon's fulfillment_channel_code DEFAULT).
    fulfillment_channel: Mapped[str] = mapped_column(sa.String(20), default="DEFAULT")
    publish_mode: Mapped[str] = mapped_column(sa.String(10), default="request")  # | auto
    end_mode: Mapped[str] = mapped_column(sa.String(10), default="delete")  # | zero
    version: Mapped[int] = mapped_column(default=1)
    validated_version: Mapped[int | None] = mapped_column(sa.Integer)
    #: When the last status sweep began: the next one asks Amazon only for listings updated
    #: since (lastUpdatedAfter, with an overlap).
    status_watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Offer(Base):
    """One product's offer on Amazon (store + SKU), with Amazon's own words about it: the last
    submission (id, ACCEPTED / INVALID), every issue, and what a read-back showed."""

    __tablename__ = "asc_offer"
    __table_args__ = (sa.UniqueConstraint("store_id", "sku"),
                      sa.Index("ix_asc_offer_store_status", "store_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(sa.ForeignKey("asc_store.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(sa.String(200))
    product_id: Mapped[str] = mapped_column(sa.String(64))
    asin: Mapped[str] = mapped_column(sa.String(10))
    product_type: Mapped[str] = mapped_column(sa.String(100), default="PRODUCT")
    #: ready | submitted | active | inactive | errors | suppressed | approval | not_eligible
    #: | ended
    status: Mapped[str] = mapped_column(sa.String(20), default="ready")
    #: Work left for the running job: "send", "end", or None.
    pending: Mapped[str | None] = mapped_column(sa.String(10))
    price: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    quantity: Mapped[int | None] = mapped_column(sa.Integer)
    #: Why it cannot be offered as computed (no price, price below the floor…), for the preview.
    problem: Mapped[str | None] = mapped_column(sa.String(40))
    submission_id: Mapped[str | None] = mapped_column(sa.String(100))
    submission_status: Mapped[str | None] = mapped_column(sa.String(10))
    #: JSON list of Amazon's issues: code, message, severity, attribute_names, categories,
    #: enforcements — Amazon's words, as they came.
    issues: Mapped[str | None] = mapped_column(sa.Text)
    approval_link: Mapped[str | None] = mapped_column(sa.String(1000))
    amazon_statuses: Mapped[str | None] = mapped_column(sa.String(60))
    amazon_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    amazon_quantity: Mapped[int | None] = mapped_column(sa.Integer)
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    settings_version: Mapped[int | None] = mapped_column(sa.Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: 0 in step; 1 the host changed the product (or a reconcile is due): the next sync
    #: recomputes its price and quantity; 2 recomputed, to send. A flag, not a queue: ten
    #: changes make one update. Back to 0 only once Amazon accepted what was sent (and only
    #: if no change came in meanwhile).
    dirty: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0",
                                       index=True)
    #: What Amazon last accepted for this offer, and when (the sync sends only differences).
    sent_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    sent_quantity: Mapped[int | None] = mapped_column(sa.Integer)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OfferJob(Base):
    """A publish run (or a status sweep) for one store: resumable like :class:`MatchJob`, its
    work left on the offers themselves (``Offer.pending``); one active run per store, enforced
    by a partial unique index."""

    __tablename__ = "asc_offer_job"
    __table_args__ = (sa.Index("uq_asc_offer_job_active_store", "store_id", unique=True,
                               sqlite_where=sa.text("status IN ('queued', 'running')"),
                               postgresql_where=sa.text("status IN ('queued', 'running')")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_store.id", ondelete="CASCADE"), index=True)
    #: publish | dry_run | status
    kind: Mapped[str] = mapped_column(sa.String(10), default="publish")
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    #: prepare | preview | send | feed | verify | end | done
    phase: Mapped[str] = mapped_column(sa.String(10), default="prepare")
    #: The last host product id the prepare phase read.
    cursor: Mapped[str | None] = mapped_column(sa.String(64))
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    requests: Mapped[int] = mapped_column(default=0)
    feed_id: Mapped[str | None] = mapped_column(sa.String(100))
    feed_document_id: Mapped[str | None] = mapped_column(sa.String(200))
    #: JSON: feed messageId -> SKU, for mapping the processing report back.
    feed_skus: Mapped[str | None] = mapped_column(sa.Text)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[str | None] = mapped_column(sa.String(40))


metadata = Base.metadata


class SyncState(Base):
    """A store's price and quantity sync: the lease of the worker running it (one run per
    store), a feed under way (resumed after a killed worker), and what the last run did."""

    __tablename__ = "asc_sync_state"

    store_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asc_store.id", ondelete="CASCADE"), primary_key=True)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A JSON_LISTINGS_FEED of PATCH messages under way, and its message id -> SKU map.
    feed_id: Mapped[str | None] = mapped_column(sa.String(100))
    feed_skus: Mapped[str | None] = mapped_column(sa.Text)
    #: The host's changed_since watermark, and the last full reconcile.
    changes_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the last run stopped (a failure code), or None.
    error_code: Mapped[str | None] = mapped_column(sa.String(40))
    sent: Mapped[int] = mapped_column(default=0, server_default="0")
    refused: Mapped[int] = mapped_column(default=0, server_default="0")
