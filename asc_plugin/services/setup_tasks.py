"""Pre-setup tasks ("Learning and Preparation"): what to prepare before selling on Amazon."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..i18n import N_
from ..models import SetupTaskDone
from ..persistence import savepoint
from ..state import plugin_state


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    detail: str


TASKS: tuple[Task, ...] = (
    Task("selling_plan", N_("Professional selling plan"),
         N_("Your Amazon seller account is on the Professional selling plan, which third-party "
         "apps need for SP-API access.")),
    Task("primary_user", N_("Primary Seller Central user"),
         N_("You can sign in to Seller Central as the primary user (the email or phone the seller "
         "account was created with): only that user can authorize the connection.")),
    Task("account_settings", N_("Return, tax and shipping settings"),
         N_("Your return, tax and shipping settings are complete in Seller Central.")),
    Task("uk_vat", N_("VAT for the United Kingdom"),
         N_("If you sell in the UK, your VAT registration is set up in Seller Central.")),
    Task("matching_attributes", N_("Attributes for matching"),
         N_("Your products carry an attribute Amazon can match on: ASIN, EAN, ISBN, UPC or GCID.")),
    Task("currency", N_("Currency"),
         N_("The website you list from has the marketplace's currency available.")),
    Task("condition_attribute", N_("Condition attribute"),
         N_("Products have an amazon_condition attribute (New, Used, …) for listings.")),
)


def done_keys(admin_id: str) -> set[str]:
    rows = plugin_state().session.scalars(
        sa.select(SetupTaskDone.task).where(SetupTaskDone.admin_id == admin_id)
    )
    return set(rows)


def set_done(admin_id: str, key: str, done: bool) -> None:
    if key not in {t.key for t in TASKS}:
        raise KeyError(key)
    session = plugin_state().session
    existing = session.get(SetupTaskDone, (admin_id, key))
    try:
        with savepoint():
            if done and existing is None:
                session.add(SetupTaskDone(admin_id=admin_id, task=key))
            elif not done and existing is not None:
                session.delete(existing)
            session.flush()
    except IntegrityError:  # a double click got there first: the task is done either way
        pass
