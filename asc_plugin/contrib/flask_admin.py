"""The Amazon Sales Channel as a Flask-Admin menu entry, with every plugin page in its layout.

::

    admin.add_view(AmazonSalesChannelView(name="Amazon Sales Channel", category="Marketing"))
    AmazonSalesChannel(app, db=db, host=ShopHost())

The menu entry links straight to the plugin's home and is shown as active on every plugin page;
the pages render through this view, so they sit in Flask-Admin's layout (brand, menu, theme,
title). Access is the host's one decision, ``Host.can_access()``: it hides the menu entry and
guards every plugin route alike.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
from werkzeug.wrappers import Response

from ..state import plugin_state

__all__ = ["AmazonSalesChannelView"]


class AmazonSalesChannelView(BaseView):
    """Flask-Admin's menu entry for the plugin; its pages render in Flask-Admin's layout.
    ``kwargs`` go to Flask-Admin's ``BaseView`` (``menu_icon_type``, ``menu_class_name``, …)."""

    def __init__(self, name: str = "Amazon Sales Channel", category: str | None = None,
                 endpoint: str = "asc_admin", **kwargs: Any) -> None:
        super().__init__(name=name, category=category, endpoint=endpoint, **kwargs)

    @expose("/")
    def index(self) -> Response:
        return redirect(url_for("asc.home"))

    def get_url(self, endpoint: str, **kwargs: Any) -> str:
        """The menu links to the plugin's home itself, not to a redirect."""
        if endpoint == f"{self.endpoint}.index":
            return url_for("asc.home", **kwargs)
        return str(super().get_url(endpoint, **kwargs))

    def is_accessible(self) -> bool:
        return bool(plugin_state().host.can_access())

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        return plugin_state().host.unauthorized()
