"""Panels of the store dashboard that htmx swaps on their own (Amazon orders, price and quantity
sync). Each is one fragment with three uses: swapped in place by htmx, a page of its own for a
browser without JavaScript, and the answer to its own actions (the panel again, or back to the
dashboard at the panel, with a banner either way)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template

from ..models import Store
from ..presenters import present_one
from .banners import answer
from .layout import page_or_fragment
from .urls import store_urls

#: A panel as a page of its own: breadcrumbs to the dashboard, then the panel (``fragment``).
PAGE = "asc/store_panel.html"


@dataclass(frozen=True)
class Panel:
    #: Its element is ``#asc-<name>``, its heading ``#asc-<name>-title``.
    name: str
    template: str
    #: The page's title and last breadcrumb, in the reader's language.
    title: Callable[[], str]
    #: What the template needs beside ``store`` and ``card``.
    context: Callable[[Store], dict[str, Any]]

    @property
    def element_id(self) -> str:
        return f"asc-{self.name}"

    def _context(self, store: Store) -> dict[str, Any]:
        return {"store": store, "card": present_one(store), **self.context(store)}

    def render(self, store: Store) -> str:
        return render_template(self.template, **self._context(store))

    def show(self, store: Store) -> tuple[str, int]:
        """GET: the panel for htmx, else its page."""
        return page_or_fragment(PAGE, self.template, self.element_id, title=self.title(),
                                **self._context(store))

    def done(self, store: Store, level: str, message: str):
        """The answer to one of the panel's actions (see :func:`.banners.answer`)."""
        back = f"{store_urls(store.id)['dashboard']}#{self.element_id}-title"
        return answer(lambda: self.render(store), back, level, message, about=store)
