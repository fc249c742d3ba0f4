"""Full plugin pages inside the host's layout.

A page extends ``asc/layout.html``, which extends the host's base template
(``Host.base_template``) — or, when the host mounts
:class:`asc_plugin.contrib.flask_admin.AmazonSalesChannelView` in Flask-Admin, Flask-Admin's own
layout, rendered through that view so its menu, title and theme are the admin's.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from ..htmx import wants_fragment
from ..state import plugin_state

FLASK_ADMIN_BASE = "asc/flask_admin_base.html"
#: A dialog's fragment as a page of its own (``fragment``, ``title``).
DIALOG_PAGE = "asc/dialog_page.html"
#: Where htmx swaps a dialog's fragment.
DIALOG_BODY = "asc-dialog-body"


def page(template: str, **context: Any) -> str:
    view = flask_admin_view()
    if view is not None:
        return view.render(template, asc_host_base=FLASK_ADMIN_BASE,
                           asc_title_suffix=f" - {view.admin.name}", **context)
    return render_template(template, asc_host_base=plugin_state().host.base_template, **context)


def page_or_fragment(page_template: str, fragment: str, target: str, *, status: int = 200,
                     **context: Any) -> tuple[str, int]:
    """The one way a view answers "part of a page, or the page": ``fragment`` alone when htmx
    asks for it, to swap into the element with id ``target``
    (:func:`asc_plugin.htmx.wants_fragment`); else ``page_template``, which includes that same
    fragment (as Contact.app's pages do).

    Both see ``partial`` (true for the fragment alone) and ``fragment`` (its name). ``status``
    is the page's: a fragment is always 200, since htmx swaps no 4xx answer by default.
    """
    if wants_fragment(target):
        return render_template(fragment, partial=True, fragment=fragment, **context), 200
    return page(page_template, partial=False, fragment=fragment, **context), status


def dialog(fragment: str, title: str, **context: Any) -> tuple[str, int]:
    """A dialog's content: into the page's dialog for htmx, else on a page of its own."""
    return page_or_fragment(DIALOG_PAGE, fragment, DIALOG_BODY, title=title, **context)


def flask_admin_view():
    """The host's AmazonSalesChannelView, if it mounted one (looked up once per app)."""
    lazy = plugin_state().lazy
    if "flask_admin_view" not in lazy:
        lazy["flask_admin_view"] = _find_flask_admin_view()
    return lazy["flask_admin_view"]


def _find_flask_admin_view():
    admins = current_app.extensions.get("admin") or []
    if not admins:
        return None
    from ..contrib.flask_admin import AmazonSalesChannelView  # optional: Flask-Admin

    for admin in admins:
        for view in getattr(admin, "_views", ()):
            if isinstance(view, AmazonSalesChannelView):
                return view
    return None
