"""`flask asc ...` commands: database migrations and the authorization check for cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .i18n import _, ngettext

asc_cli = AppGroup("asc", help="Amazon Sales Channel.")


@asc_cli.group("db")
def db_group():
    """Apply or inspect the plugin's database migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Create or upgrade the plugin's tables (asc_*) to REVISION (default: head)."""
    from .migrations import upgrade

    upgrade(revision)
    click.echo(_("Amazon Sales Channel tables are at %(revision)s.", revision=revision))


@db_group.command("current")
def db_current():
    """Show the plugin's migration revision."""
    from .migrations import current

    click.echo(current() or "not migrated")


@asc_cli.command("check-authorizations")
def check_authorizations():
    """Check every connected store's Amazon authorization (for cron).

    Refreshes each store's access token through Login with Amazon (which tells a revoked or
    expired authorization), marks stores whose authorization lapsed, sends the signals, prints
    a table, and exits 1 when any store needs attention (revoked, expired, unreachable, or
    expiring within 7 days).
    """
    from .services.authorizations import check_all

    results = check_all()
    if not results:
        click.echo(_("No connected stores."))
        return
    headers = (_("Store"), _("Market"), _("State"), _("Days left"), _("Note"))
    width = max(len(headers[0]), *(len(r.store_name) for r in results))
    click.echo(f"{headers[0]:<{width}}  {headers[1]:<6}  {headers[2]:<13}  {headers[3]:>9}  "
               f"{headers[4]}")
    for r in results:
        days = "—" if r.days_left is None else str(r.days_left)
        click.echo(f"{r.store_name:<{width}}  {r.marketplace:<6}  {r.state:<13}  {days:>9}  "
                   f"{r.note}")
    attention = [r for r in results if r.needs_attention]
    if attention:
        click.echo(ngettext("%(num)d store needs attention.", "%(num)d stores need attention.",
                            len(attention)), err=True)
        raise SystemExit(1)


@asc_cli.command("rotate-keys")
def rotate_keys():
    """Re-encrypt every stored token under the first key of ASC_ENCRYPTION_KEYS.

    Put a new key first, keep the old ones after it, run this, then drop the old keys.
    """
    import sqlalchemy as sa

    from .extension import state
    from .models import Store

    session = state().session
    cipher = state().cipher
    count = 0
    for store in session.scalars(sa.select(Store).where(
            Store.refresh_token_encrypted.is_not(None))).unique():
        store.refresh_token_encrypted = cipher.rotate(store.refresh_token_encrypted)
        if store.access_token_encrypted:
            store.access_token_encrypted = cipher.rotate(store.access_token_encrypted)
        count += 1
    session.commit()
    click.echo(ngettext("Re-encrypted the tokens of %(num)d store under the newest key.",
                        "Re-encrypted the tokens of %(num)d stores under the newest key.", count))
