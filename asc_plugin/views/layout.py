"""Full plugin pages inside the host's layout.

A page extends ``asc/layout.html``, which extends the host's base template
(``Host.base_template``) — or, when the host mounts
:class:`asc_plugin.contrib.flask_admin.AmazonSalesChannelView` in Flask-Admin, Flask-Admin's own
layout, rendered through that view so its menu, title and theme are the admin's.
"""

from __future__ import annotations

from flask import current_app, render_template

from ..state import plugin_state

FLASK_ADMIN_BASE = "asc/flask_admin_base.html"


def page(template: str, **context) -> str:
    view = flask_admin_view()
    if view is not None:
        return view.render(template, asc_host_base=FLASK_ADMIN_BASE,
                           asc_title_suffix=f" - {view.admin.name}", **context)
    return render_template(template, asc_host_base=plugin_state().host.base_template, **context)


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
    from ..contrib.flask_admin import AmazonSalesChannelView

    for admin in admins:
        for view in getattr(admin, "_views", ()):
            if isinstance(view, AmazonSalesChannelView):
                return view
    return None
