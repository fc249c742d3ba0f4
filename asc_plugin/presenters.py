"""What a store looks like to a merchant: one presenter decides every badge, tone and button.

Templates only read these decisions (cards, the store table, the dashboard, the attributes page,
the CLI table), so two parts of a page can never disagree about one store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property

from . import dates, i18n, marketplaces
from .errors import OPERATOR, Failure
from .host import Website
from .i18n import N_, _, _l, ngettext, sentences
from .models import AttemptOutcome, ConnectionState, Store, StoreStatus, utcnow
from .services import attempts, authorizations
from .services.stores import card_counts
from .state import plugin_state
from .views.urls import StoreUrls, store_urls

#: (message id, tone); translated once per present() call (see _Shown).
_STATUS = {StoreStatus.INCOMPLETE: (N_("Incomplete"), "warning"),
           StoreStatus.ACTIVE: (N_("Active"), "success"),
           StoreStatus.INACTIVE: (N_("Inactive"), "muted")}
_CONNECTION = {
    ConnectionState.NOT_CONNECTED: (N_("Not connected"), "warning"),
    ConnectionState.CONNECTED: (N_("Connected"), "success"),
    ConnectionState.EXPIRED: (N_("Authorization expired"), "error"),
    ConnectionState.REVOKED: (N_("Authorization revoked"), "error"),
}
#: Short notes for the CLI table; the full message (what to do, by whom) follows the table.
_CHECK_NOTES = {
    "authorization_revoked": _l("revoked in Seller Central"),
    "authorization_expired": _l("expired"),
    "invalid_client": _l("app credentials refused"),
    "app_rejected": _l("app refused"),
    "key_mismatch": _l("cannot decrypt tokens"),
    "sellers_role_missing": _l("app lacks a role"),
    "sellers_forbidden": _l("access denied"),
    "not_participating": _l("no longer sells there"),
}


def connection_label(store: Store) -> str:
    return _(_CONNECTION[store.connection][0])


def check_note(result) -> str:
    """One short note for a check result (CLI table)."""
    if result.ok:
        if result.code == "expiring":
            return _("renew within %(num)d days", num=result.days_left)
        return _("ok")
    return str(_CHECK_NOTES.get(result.code, _l("Amazon did not answer")))


class _Shown:
    """The words every card of one present() call shares, translated once: a page of 24 cards
    otherwise looked the same dozen labels up in the catalog again for every card."""

    def __init__(self) -> None:
        self.gettext, _ngettext = i18n.bound()
        gettext = self.gettext
        self.status = {key: (gettext(label), tone) for key, (label, tone) in _STATUS.items()}
        self.connection = {key: (gettext(label), tone)
                           for key, (label, tone) in _CONNECTION.items()}
        self.not_syncing = gettext("Not syncing")
        self.connect = gettext("Connect store")
        self.renew = gettext("Renew authorization")
        self._markets: dict[str, str] = {}

    def marketplace_name(self, market: marketplaces.Marketplace) -> str:
        name = self._markets.get(market.code)
        if name is None:
            name = self._markets[market.code] = (
                f"{self.gettext(market.country)} · {self.gettext(market.region_name)}")
        return name


@dataclass
class StorePresenter:
    store: Store
    website: Website | None
    marketplace: marketplaces.Marketplace | None
    #: (products matched with Amazon's catalog, products the rules list); None before a match.
    catalog: tuple[int, int] | None = None
    #: While waiting for Amazon for a while: what likely happened and what to do.
    waiting_hint: str | None = None
    #: Amazon orders of the store waiting for an admin (Needs attention).
    orders_attention: int = 0
    #: Offers Amazon shows as active (BUYABLE) for the store; None when there are none.
    offers_active: int | None = None
    #: The labels shared with the other cards of the same present() call.
    shown: _Shown = field(default_factory=_Shown, repr=False)

    @cached_property
    def urls(self) -> StoreUrls:
        return store_urls(self.store.id)

    @property
    def website_name(self) -> str:
        if self.website:
            return self.website.name
        return _("Unknown website (%(id)s)", id=self.store.website_id)

    @property
    def marketplace_name(self) -> str:
        if self.marketplace is None:
            return self.store.marketplace_code
        return self.shown.marketplace_name(self.marketplace)

    @cached_property
    def state(self) -> ConnectionState:
        """Store.connection, read once: it compares with the clock, and a card asks five times."""
        return self.store.connection

    @property
    def lapsed(self) -> bool:
        return self.state in (ConnectionState.REVOKED, ConnectionState.EXPIRED)

    @cached_property
    def badge(self) -> tuple[str, str]:
        """(label, tone) of the store's one status badge: it never says green while the store
        cannot sync."""
        if self.lapsed and self.store.status is StoreStatus.ACTIVE:
            return self.shown.not_syncing, "error"
        return self.shown.status[self.store.status]

    @cached_property
    def connection(self) -> tuple[str, str]:
        return self.shown.connection[self.state]

    @property
    def seller_shown(self) -> str | None:
        """"Example Outfitters (A3FH4EXAMPLE)" for a connected store."""
        s = self.store
        if not (self.state is ConnectionState.CONNECTED and s.seller_id):
            return None
        return self.shown.gettext("%(name)s (%(seller)s)",
                                  name=s.amazon_store_name or s.seller_id, seller=s.seller_id)

    @cached_property
    def days_left(self) -> int | None:
        return authorizations.days_left(self.store)

    @cached_property
    def renewal_level(self) -> str | None:
        days = self.days_left  # None unless connected: no thresholds to read then
        return None if days is None else authorizations.warning_level(days)

    @property
    def renewal_tone(self) -> str:
        return self.renewal_level or "muted"

    @property
    def connect_label(self) -> str | None:
        """The card's Amazon button: connect, renew (lapsed or due), or none."""
        if self.state is ConnectionState.NOT_CONNECTED:
            return self.shown.connect
        if self.lapsed or self.renewal_level is not None:
            return self.shown.renew
        return None

    @property
    def renew_is_primary(self) -> bool:
        """Renewal is the main action only when it is due (a warning or worse) or lapsed."""
        return self.lapsed or self.renewal_level in ("warning", "error")

    @property
    def status_action(self) -> str | None:
        """activate | deactivate | None: an Incomplete store has neither."""
        if self.store.status is StoreStatus.ACTIVE:
            return "deactivate"
        if self.store.status is StoreStatus.INACTIVE and self.state is ConnectionState.CONNECTED:
            return "activate"
        return None

    @property
    def health_problem(self) -> tuple[str, str] | None:
        """(message, level) of the last live check when it failed on a connected store (a lapse
        shows as the connection state instead); operator problems say they are theirs."""
        code = self.store.health_code
        if not self.store.is_connected or code in (None, "ok"):
            return None
        try:
            failure = Failure(code, **authorizations.failure_details(self.store))
        except KeyError:
            return None
        if failure.audience == OPERATOR:
            return _("For the administrator: %(message)s", message=failure.message), "error"
        return failure.message, "warning"

    @property
    def shows_last_verified(self) -> bool:
        return self.store.is_connected and self.store.last_verified_at is not None


def present(stores: list[Store], counts: dict | None = None) -> list[StorePresenter]:
    """The stores' presenters; `counts` when the stores' own query read them (stores.page)."""
    websites = {w.id: w for w in plugin_state().host.websites()}
    if counts is None:
        counts = card_counts([s.id for s in stores])
    shown = _Shown()
    cards = []
    for store in stores:
        n = counts.get(store.id)
        cards.append(StorePresenter(
            store, websites.get(store.website_id), marketplaces.get(store.marketplace_code),
            # (matched, listed): the excluded products are not listed; None before a match.
            (n.matched, n.items - n.excluded) if n and n.items else None,
            orders_attention=n.attention if n else 0,
            offers_active=(n.active or None) if n else None, shown=shown))
    return cards


def present_one(store: Store) -> StorePresenter:
    (presenter,) = present([store])
    return presenter


def attempt_banner(attempt, store: Store | None) -> tuple[str, str] | None:
    """(level, message) telling how a connect attempt ended, naming its store; None while it
    is open or when a newer attempt took over."""
    outcome = attempts.effective_outcome(attempt)
    if outcome in (None, AttemptOutcome.SUPERSEDED, AttemptOutcome.PROCESSING):
        return None
    name = store.name if store is not None else None
    detail = attempts.details(attempt)
    if outcome == AttemptOutcome.CONNECTED:
        message = _("“%(name)s” is connected as %(shown)s (%(seller)s).", name=name,
                    shown=detail.get("shown"), seller=attempt.seller_id)
        if detail.get("others"):
            message = sentences(message, _("The same authorization now serves %(stores)s too.",
                                           stores=_(", ").join(
                                               _("“%(name)s”", name=n) for n in detail["others"])))
        if detail.get("others_hidden"):
            message = sentences(message, ngettext(
                "It also serves %(num)d store of the same seller account that another admin "
                "manages.", "It also serves %(num)d stores of the same seller account that "
                "other admins manage.", int(detail["others_hidden"])))
        return "success", message
    if outcome == AttemptOutcome.RENEWED:
        until = detail.get("until")
        day = dates.formatters()[0](_parse_iso(until)) if until else ""
        return "success", _("Authorization of “%(name)s” renewed: connected as %(shown)s "
                            "(%(seller)s) until %(until)s.", name=name,
                            shown=detail.get("shown"), seller=attempt.seller_id, until=day)
    if outcome == AttemptOutcome.CANCELLED:
        return "info", _("Connecting “%(name)s” was cancelled; nothing changed.", name=name)
    if outcome == AttemptOutcome.EXPIRED:
        return "warning", sentences(
            _("No answer came back from Amazon for “%(name)s” within 10 minutes; nothing "
              "changed.", name=name), _region_hint(store),
            _("Then click Connect store to try again."))
    if outcome == AttemptOutcome.INTERRUPTED:
        return "error", _("Connecting “%(name)s” was interrupted before it finished; nothing "
                          "changed. Try again.", name=name)
    try:
        reason = Failure(outcome, **{k: v for k, v in detail.items()
                                     if isinstance(v, str)}).message
    except KeyError:
        reason = _("Amazon did not accept the connection.")
    if name is None:
        return "error", reason
    return "error", _("“%(name)s” was not connected: %(reason)s", name=name, reason=reason)


#: How long the waiting card waits before it says what may have gone wrong at Amazon.
HINT_AFTER_SECONDS = 120


def waiting_hint(attempt, store: Store) -> str | None:
    """After a couple of minutes without an answer: Amazon shows some errors only in its own
    tab and never sends the seller back (MD4010, signing in with another region's account), so
    the card names the likely cause, the store's region and what to do."""
    started = attempt.started_at
    if started.tzinfo is None:
        started = started.replace(tzinfo=timezone.utc)
    if (utcnow() - started).total_seconds() < HINT_AFTER_SECONDS:
        return None
    return sentences(_("Still no answer from Amazon."), _region_hint(store),
                     _("Then click Reopen Seller Central, or Cancel."))


def _region_hint(store: Store | None) -> str:
    market = marketplaces.get(store.marketplace_code) if store is not None else None
    if store is None or market is None:
        return _("If Seller Central showed an error such as MD4010, you signed in with a seller "
                 "account of another region: sign in with the account registered for the "
                 "store's marketplace. Amazon does not send such errors back here.")
    return _("If Seller Central showed an error such as MD4010, you signed in with a seller "
             "account of another region: “%(name)s” sells in %(country)s, so sign in to Seller "
             "Central for %(region)s with the seller account registered there. Amazon does not "
             "send such errors back here.", name=store.name, country=_(market.country),
             region=_(market.region_name))


def _parse_iso(value: str):
    return datetime.fromisoformat(value)
