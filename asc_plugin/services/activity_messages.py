"""What each activity event says, rendered when it is read, in the reader's language.

An entry stores its event and parameters (JSON), never translated text: a job on a worker
whose ``LANG`` is English and an admin reading in Traditional Chinese must not disagree. This
module is the one place that maps an event to its message; entries written before events carried
parameters (and events this module does not know) show their stored ``message`` as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from .. import dates
from ..errors import Failure
from ..i18n import N_, gettext, ngettext
from ..models import ActivityEvent
from . import matching, offers, orders
from .rules import Condition, describe

#: event -> message id, rendered with the entry's parameters.
TEMPLATES: dict[str, str] = {
    ActivityEvent.STORE_CREATED: N_("Store “%(name)s” was added."),
    ActivityEvent.MAPPING_CHANGED: N_("Product ID mapping set to %(type)s ← %(attribute)s."),
    ActivityEvent.AUTHORIZATION_REVOKED: N_(
        "Amazon no longer accepts this store's authorization (it expired or was removed in "
        "Seller Central › Manage Your Apps). Renew the authorization to reconnect."),
    ActivityEvent.MATCH_STARTED: N_("Matching with Amazon's catalog started."),
    ActivityEvent.MATCH_CHOSEN: N_("%(sku)s: ASIN %(asin)s chosen among %(count)s matches."),
    ActivityEvent.ORDER_CANCELLED: N_(
        "Amazon cancelled order %(order)s; the shop's order %(host)s was cancelled too."),
    ActivityEvent.OFFER_END_REQUESTED: N_(
        "%(sku)s: ending the offer on Amazon (ASIN %(asin)s) was requested."),
    ActivityEvent.MATCH_CHOICE_UNDONE: N_(
        "%(sku)s: the chosen ASIN %(asin)s was set aside; choose again among %(count)s matches."),
}
#: Events with variants: the variant's parameter value -> message id.
VARIANTS: dict[str, tuple[str, dict]] = {
    ActivityEvent.OFFERS_STARTED: ("kind", {
        "dry_run": N_("Checking the offers with Amazon (nothing is published) started."),
        "publish": N_("Publishing offers to Amazon started.")}),
    ActivityEvent.OFFER_ENDED: ("zero", {
        False: N_("%(sku)s: the offer on Amazon (ASIN %(asin)s) was ended."),
        True: N_("%(sku)s: the offer on Amazon (ASIN %(asin)s) was set to quantity 0.")}),
    ActivityEvent.STATUS_CHANGED: ("active", {
        True: N_("Store activated."),
        False: N_("Store deactivated: settings are kept, nothing syncs.")}),
    ActivityEvent.CONNECT_STARTED: ("kind", {
        "connect": N_("Connection to Amazon Seller Central started."),
        "renewal": N_("Renewal of the Amazon authorization started."),
        "login_uri": N_("Renewal started from Amazon Seller Central (Manage Your Apps).")}),
}
#: Messages that only name who acted, shown in the actor's place.
ACTORS = {"system": N_("system")}


def params_of(entry) -> dict:
    """The entry's parameters ({} for old entries or a damaged value: it never fails a page)."""
    if not entry.params:
        return {}
    try:
        value = json.loads(entry.params)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def text(entry) -> str:
    """The entry's line, in the language of whoever reads it now."""
    params = params_of(entry)
    render = _RENDERERS.get(entry.event)
    try:
        if render is not None:
            return render(params)
        if entry.event in TEMPLATES:
            return gettext(TEMPLATES[entry.event], **params)
        if entry.event in VARIANTS:
            key, messages = VARIANTS[entry.event]
            return gettext(messages[params[key]], **params)
    except (KeyError, TypeError, ValueError):
        pass  # parameters this version does not know how to read: the stored text, if any
    return entry.message or ""


def actor(entry) -> str:
    """Who acted: an admin's name as written, "system" in the reader's language."""
    return gettext(ACTORS[entry.admin]) if entry.admin in ACTORS else entry.admin


def details(entry) -> list[str]:
    """Lines for support, e.g. Amazon's request id (Amazon's support asks for it)."""
    request_id = params_of(entry).get("request_id")
    if isinstance(request_id, str) and request_id:
        return [gettext("Amazon request id: %(id)s", id=request_id)]
    return []


def _failure(params: dict) -> str:
    return Failure(params["failure"], **params.get("details", {})).message


def _connected(params: dict) -> str:
    if params.get("until"):
        until = dates.formatters()[0](datetime.fromisoformat(params["until"]))
        return gettext("Authorization renewed: connected as %(shown)s (%(seller)s) until "
                       "%(until)s.", shown=params["shown"], seller=params["seller"], until=until)
    return gettext("Connected as %(shown)s (%(seller)s).", shown=params["shown"],
                   seller=params["seller"])


def _authorization_shared(params: dict) -> str:


    until = dates.formatters()[0](datetime.fromisoformat(params["until"]))
    return gettext("Authorization replaced through another store of the same Amazon seller "
                   "account: connected as %(shown)s (%(seller)s) until %(until)s.",
                   shown=params["shown"], seller=params["seller"], until=until)


def _disconnected(params: dict) -> str:
    if params.get("seller"):
        return gettext("Disconnected from Amazon seller %(seller)s; stored tokens deleted.",
                       seller=params["seller"])
    return gettext("Disconnected from Amazon; stored tokens deleted.")


def _settings_changed(params: dict) -> str:
    sentences = []
    for change in params["changes"]:
        if change["field"] == "name":
            sentences.append(gettext("Changed the name from “%(old)s” to “%(new)s”.",
                                     old=change["old"], new=change["new"]))
        elif change["field"] == "contact_email":
            sentences.append(gettext("Changed the contact email."))
    return " ".join(sentences)


def _match_finished(params: dict) -> str:
    return matching.summary(params["counts"])


def _match_stopped(params: dict) -> str:
    return gettext("Matching with Amazon's catalog stopped: %(reason)s",
                   reason=_failure(params))


def _match_paused(params: dict) -> str:
    return gettext("Matching with Amazon's catalog paused: %(reason)s", reason=_failure(params))


def _orders_imported(params: dict) -> str:
    return orders.summary(params["counts"])


def _orders_stopped(params: dict) -> str:
    return gettext("Importing Amazon orders stopped: %(reason)s", reason=_failure(params))


def _order_needs_attention(params: dict) -> str:
    return gettext("Amazon order %(order)s needs attention: %(reason)s", order=params["order"],
                   reason=orders.reason_text(params["reason"]))


def _offers_published(params: dict) -> str:
    return offers.summary(params["counts"])


def _offers_stopped(params: dict) -> str:
    return gettext("Publishing offers to Amazon stopped: %(reason)s", reason=_failure(params))


def _sync_sent(params: dict) -> str:
    return ngettext("Amazon accepted %(num)s price or quantity update.",
                    "Amazon accepted %(num)s price or quantity updates.", params["sent"])


def _sync_refused(params: dict) -> str:
    return ngettext("Amazon accepted %(num)s price or quantity update and refused %(refused)s "
                    "(%(skus)s); see the offers page for Amazon's reasons.",
                    "Amazon accepted %(num)s price or quantity updates and refused %(refused)s "
                    "(%(skus)s); see the offers page for Amazon's reasons.", params["sent"],
                    refused=params["refused"], skus=", ".join(params["skus"]))


def _sync_stopped(params: dict) -> str:
    return gettext("Price and quantity sync stopped: %(reason)s", reason=_failure(params))


def _rule_changed(params: dict) -> str:
    conditions = [Condition(*c) for c in params["conditions"]]
    return gettext("Listing rule saved. %(rule)s",
                   rule=describe(conditions, params["match"], params["enabled"]))


_RENDERERS: dict[str, Callable[[dict], str]] = {
    ActivityEvent.CONNECT_FAILED: _failure,
    ActivityEvent.TOKEN_REFUSED: _failure,
    ActivityEvent.AUTHORIZATION_EXPIRED: _failure,
    ActivityEvent.CONNECTED: _connected,
    ActivityEvent.AUTHORIZATION_SHARED: _authorization_shared,
    ActivityEvent.DISCONNECTED: _disconnected,
    ActivityEvent.SETTINGS_CHANGED: _settings_changed,
    ActivityEvent.MATCH_FINISHED: _match_finished,
    ActivityEvent.MATCH_FAILED: _match_stopped,
    ActivityEvent.MATCH_PAUSED: _match_paused,
    ActivityEvent.RULE_CHANGED: _rule_changed,
    ActivityEvent.ORDERS_IMPORTED: _orders_imported,
    ActivityEvent.OFFERS_PUBLISHED: _offers_published,
    ActivityEvent.OFFERS_FAILED: _offers_stopped,
    ActivityEvent.ORDERS_FAILED: _orders_stopped,
    ActivityEvent.ORDER_NEEDS_ATTENTION: _order_needs_attention,
    ActivityEvent.SYNC_SENT: _sync_sent,
    ActivityEvent.SYNC_REFUSED: _sync_refused,
    ActivityEvent.SYNC_FAILED: _sync_stopped,
}
