"""The one way a view finds the store in its URL: missing and not-yours look the same (404)."""

from __future__ import annotations

from werkzeug.exceptions import NotFound

from ..i18n import _
from ..models import Store
from ..services import stores


class StoreNotFound(NotFound):
    """A store id that does not (or no longer) exist, or that this admin may not manage."""


def store_or_404(store_id: int) -> Store:
    store = stores.get(store_id)
    if store is None or not stores.may_manage(store):
        raise StoreNotFound(_("This store does not exist (any more)."))
    return store
