"""One store's rows filtered by status, searched and paged from the query string: the listing
preview's products and the offers view read the same ``status``, ``q`` and ``page``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import request

from ..htmx import query_int
from ..state import plugin_state

PER_PAGE = 50
#: Longer searches are cut; a page number beyond PAGE_MAX is page 1.
QUERY_MAX = 100
PAGE_MAX = 999_999


@dataclass(frozen=True)
class Results:
    rows: list[Any]
    status: str | None
    query: str
    number: int
    pages: int
    total: int


def status_of(value: str | None, statuses: Collection[str]) -> str | None:
    return value if value in statuses else None


def search_text(value: str | None) -> str:
    return (value or "").strip()[:QUERY_MAX]


def results(model: Any, store_id: int, statuses: Collection[str], searched: tuple[Any, ...],
            order_by: Any) -> Results:
    """This request's page of ``model`` rows of the store: its status filter (one of
    ``statuses``) and its search (in the ``searched`` columns, LIKE wildcards taken literally)."""
    status = status_of(request.args.get("status"), statuses)
    text = search_text(request.args.get("q"))
    query = sa.select(model).where(model.store_id == store_id)
    if status:
        query = query.where(model.status == status)
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(*(column.ilike(like, escape="\\") for column in searched)))
    session = plugin_state().session
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    number = min(max(1, query_int("page", 1, max=PAGE_MAX)), pages)
    rows = list(session.scalars(query.order_by(order_by).limit(PER_PAGE)
                                .offset((number - 1) * PER_PAGE)))
    return Results(rows, status, text, number, pages, total)
