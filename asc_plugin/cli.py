"""`flask asc ...`: database migrations, the settings check, the authorization check for cron,
key rotation, matching, the job worker and the local sandbox.

The commands speak the process's language (LANG / LC_ALL, or ASC_LOCALE) and never call the
host's locale selector, which usually needs a request. Each command commits its own work.
Exit codes: 0 all is well, 1 something needs attention (named in the output), 2 usage errors.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from wcwidth import wcswidth
from werkzeug.serving import make_server

from . import jobs, readiness
from .errors import MESSAGES, Failure, KeyMismatch, SettingsMissing
from .i18n import _, ngettext
from .migrations import current, host_filter_problem, upgrade
from .models import MatchPhase, OfferJob, OfferKind, OfferStatus, OrderStatus, Store
from .persistence import commit
from .presenters import check_note, connection_label
from .services import authorizations, listing_settings, matching, offers, orders, sync
from .state import plugin_state

if TYPE_CHECKING:  # the Amazon clients load requests: only the commands that call Amazon do
    from .amazon import sellers

asc_cli = AppGroup("asc", help="Amazon Sales Channel.")


def _require(needed) -> None:
    """Commands that need Amazon settings refuse without them, naming what to set (exit 1)."""
    lacking = readiness.missing(current_app, needed)
    if lacking:
        click.echo(SettingsMissing(lacking).message, err=True)
        for key in lacking:
            click.echo("  " + readiness.describe(key), err=True)
        raise SystemExit(1)


def _require_stores(store_ids) -> None:
    """--store ids that name no store are a mistake, not an empty success (exit 1)."""


    if not store_ids:
        return
    known = set(plugin_state().session.scalars(sa.select(Store.id).where(Store.id.in_(store_ids))))
    unknown = [str(i) for i in store_ids if i not in known]
    if unknown:
        click.echo(ngettext("No store has the id %(ids)s.", "No stores have the ids %(ids)s.",
                            len(unknown), ids=", ".join(unknown)), err=True)
        raise SystemExit(1)


@asc_cli.command("check-config")
def check_config():
    """Say which settings the Amazon side still needs (exit 1 while any is missing).

    The host runs without them; Connect, token use and the job worker refuse until they are
    set. Handy in a deployment's checks and CI.
    """
    lacking = readiness.missing(current_app)
    if not lacking:
        click.echo(_("Every setting the Amazon Sales Channel needs is set."))
        return
    click.echo(_("Set these in the app's config (or as FLASK_-prefixed environment variables "
                 "if the app reads them):"), err=True)
    for key in lacking:
        click.echo("  " + readiness.describe(key), err=True)
    raise SystemExit(1)


@asc_cli.group("db")
def db_group():
    """Apply or inspect the plugin's database migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Create or upgrade the plugin's tables (asc_*) to REVISION (default: head)."""
    problem = host_filter_problem(current_app)
    if problem:
        click.secho(_("Warning: %(problem)s", problem=problem), fg="yellow", err=True)
    upgrade(revision)
    click.echo(_("Amazon Sales Channel tables are at %(revision)s.", revision=revision))


@db_group.command("current")
def db_current():
    """Show the plugin's migration revision."""
    click.echo(current() or _("not migrated"))


@asc_cli.command("check-authorizations")
@click.option("--store", "store_ids", type=int, multiple=True,
              help="Check only this store (repeatable).")
def check_authorizations(store_ids):
    """Check every store's Amazon authorization live (for a daily cron).

    Proves each connected store's authorization with a refresh-token grant and the Sellers API,
    marks stores whose authorization lapsed, sends the signals, prints a table, and exits 1 while
    any store needs attention: revoked or expired (reported on every run until renewed), refused
    for an app-side reason, unreachable, or close to its yearly renewal.
    """

    _require_stores(store_ids)
    to_check = authorizations.stores_to_check(list(store_ids))
    if to_check:
        _require(("ASC_ENCRYPTION_KEYS", "ASC_AMAZON_CLIENT_ID", "ASC_AMAZON_CLIENT_SECRET"))
    rows, attention = [], []
    participations: dict[tuple[str, str], list[sellers.Participation]] = {}
    for store in to_check:
        result = authorizations.check(store, participations=participations)
        commit()  # each store is its own unit of work
        days = "—" if result.days_left is None else str(result.days_left)
        rows.append((store.name, store.marketplace_code, connection_label(store), days,
                     check_note(result)))
        if result.needs_attention:
            attention.append(result)
    if not rows:
        click.echo(_("No store is connected to Amazon."))
        return
    headers = (_("Store"), _("Market"), _("State"), _("Days left"), _("Note"))
    for line in _table(headers, rows, right=(3,)):
        click.echo(line)
    for result in attention:  # what to do, and whose move it is
        if result.failure is not None:
            who = _("operator") if result.audience == "operator" else _("seller")
            click.echo(f"- {result.store.name} ({who}): {result.failure.message}")
        else:
            click.echo("- " + _("%(name)s: renew the authorization in the store's dashboard "
                                "before it expires (%(days)d days left).",
                                name=result.store.name, days=result.days_left))
    if attention:
        click.echo(ngettext("%(num)d store needs attention.", "%(num)d stores need attention.",
                            len(attention)), err=True)
        raise SystemExit(1)


def _table(headers, rows, *, right=()):
    """Columns aligned by display width, so Chinese text lines up with Latin text."""
    def width(text):
        return max(wcswidth(text), 0)

    widths = [max(width(str(r[i])) for r in (headers, *rows)) for i in range(len(headers))]
    for row in (headers, *rows):
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - width(str(cell)))
            cells.append(pad + str(cell) if i in right else str(cell) + pad)
        yield "  ".join(cells).rstrip()


@asc_cli.command("rotate-keys")
def rotate_keys():
    """Re-encrypt every stored token under the first key of ASC_ENCRYPTION_KEYS.

    Put a new key first, keep the old ones after it, run this, then drop the old keys. A store
    whose tokens no configured key opens is named, left as it is, and makes the exit code 1.
    """


    _require(("ASC_ENCRYPTION_KEYS",))
    cipher = plugin_state().cipher
    count, unreadable = 0, []
    for store in plugin_state().session.scalars(sa.select(Store).where(
            Store.refresh_token_encrypted.is_not(None)).order_by(Store.id)).unique():
        try:
            if store.refresh_token_encrypted is None:  # the query leaves them out
                continue
            refresh = cipher.rotate(store.refresh_token_encrypted)
            access = (cipher.rotate(store.access_token_encrypted)
                      if store.access_token_encrypted else None)
        except KeyMismatch as failure:
            unreadable.append(store.name)
            click.echo(f"{store.name}: {failure.message}", err=True)
            continue
        store.refresh_token_encrypted, store.access_token_encrypted = refresh, access
        count += 1
    commit()
    click.echo(ngettext("Re-encrypted the tokens of %(num)d store under the newest key.",
                        "Re-encrypted the tokens of %(num)d stores under the newest key.", count))
    if unreadable:
        raise SystemExit(1)


@asc_cli.command("match-catalog")
@click.option("--store", "store_ids", type=int, multiple=True,
              help="Match only this store (repeatable).")
def match_catalog(store_ids):
    """Match connected stores' products with Amazon's catalog, here and now (for cron).

    Runs each store's match job in this process, continuing one that stopped (a worker died)
    rather than starting over, prints progress and a summary, and exits 1 when a store could
    not be matched (its authorization, the app's access, or Amazon unavailable: named below).
    A store whose job another worker is running is reported and left to it.
    """



    _require_stores(store_ids)
    query = sa.select(Store).order_by(Store.id)
    if store_ids:
        query = query.where(Store.id.in_(store_ids))
    stores = [s for s in plugin_state().session.scalars(query).unique() if s.is_connected]
    if not stores:
        click.echo(_("No store is connected to Amazon."))
        return
    failed = []
    for store in stores:
        job, _created = matching.request_run(store, requested_by="flask asc match-catalog")
        commit()
        shown = {"at": 0.0, "phase": None}

        def report(job, store=store, shown=shown):
            if time.monotonic() - shown["at"] < 2 and job.phase == shown["phase"]:
                return
            shown.update(at=time.monotonic(), phase=job.phase)
            done, of = matching.progress(job)
            phase = _("reading products") if job.phase == MatchPhase.EVALUATE else _("matching")
            click.echo(f"{store.name}: {phase} {done}/{of}")

        outcome = matching.run(job.id, on_progress=report)
        plugin_state().session.expire_all()
        if outcome == "busy":
            click.echo(_("%(name)s: another worker is matching this store; left to it.",
                         name=store.name))
            continue
        job = plugin_state().session.get_one(type(job), job.id)
        if job.status == "done":
            click.echo(f"{store.name}: {matching.summary(matching.status_counts(store))}")
        else:
            failed.append(store.name)
            reason = Failure(job.error_code).message if job.error_code in MESSAGES else ""
            click.echo(_("%(name)s could not be matched: %(reason)s", name=store.name,
                         reason=reason), err=True)
    if failed:
        click.echo(ngettext("%(num)d store could not be matched.",
                            "%(num)d stores could not be matched.", len(failed)), err=True)
        raise SystemExit(1)


@asc_cli.command("import-orders")
@click.option("--store", "store_ids", type=int, multiple=True,
              help="Import only this store's orders (repeatable).")
def import_orders(store_ids):
    """Import connected stores' new Amazon orders into the shop, here and now (for cron).

    Searches each store's marketplace for merchant-fulfilled orders Amazon moved out of Pending
    since the last run, hands each new one to the shop once, passes cancellations on, prints
    progress and a summary, and exits 1 naming the stores that need attention (orders the shop
    could not take, or an import that could not run). A store another worker is importing is
    left to it.
    """

    stores = orders.connected_stores(store_ids)
    if not stores:
        click.echo(_("No store is connected to Amazon."))
        return
    if not orders.supports_orders():
        click.echo(_("This shop does not import orders: its host does not implement "
                     "import_order (see the host contract in the documentation, "
                     "docs/host.md)."), err=True)
        raise SystemExit(1)
    attention = []
    for store in stores:
        name = store.name

        def report(counts, name=name):
            done = sum(counts[status] for status in OrderStatus)
            if done and done % 100 == 0:
                click.echo(_("%(name)s: %(num)d orders so far", name=name, num=done))

        result = orders.run(store.id, on_progress=report)
        commit()
        store = plugin_state().session.get_one(type(store), store.id)
        if result.outcome == "busy":
            click.echo(_("%(name)s: another worker is importing this store's orders; left to it.",
                         name=name))
            continue
        line = orders.summary(result.counts)
        if result.outcome == "paused":
            line += " " + _("Amazon's rate limit paused the import; the next run continues.")
        click.echo(f"{name}: {line}")
        waiting = orders.counts(store).get(OrderStatus.NEEDS_ATTENTION, 0)
        if result.failure is not None:
            attention.append(name)
            click.echo(_("%(name)s: %(reason)s", name=name, reason=result.failure.message),
                       err=True)
        elif waiting:
            attention.append(name)
            click.echo(ngettext("%(name)s: %(num)d order needs attention (see the store's "
                                "dashboard).", "%(name)s: %(num)d orders need attention (see "
                                "the store's dashboard).", waiting, name=name), err=True)
    if attention:
        click.echo(_("Stores needing attention: %(names)s", names=", ".join(attention)),
                   err=True)
        raise SystemExit(1)


@asc_cli.command("sync")
@click.option("--store", "store_ids", type=int, multiple=True,
              help="Sync only this store (repeatable).")
def sync_command(store_ids):
    """Send Amazon the prices and quantities that changed in the shop, here and now (for cron).

    Recomputes each changed offer with the store's listing settings, sends only what differs
    from what Amazon last accepted (per offer, or one feed above ASC_FEED_THRESHOLD), prints
    progress and a summary, and exits 1 naming the stores that need attention (updates Amazon
    refused, or a sync that could not run). A store another worker is syncing is left to it.
    """

    stores = sync.connected_stores(store_ids)
    if not stores:
        click.echo(_("No store is connected to Amazon."))
        return
    attention = []
    for store in stores:
        name = store.name

        def report(result, name=name):
            if result.sent and result.sent % 100 == 0:
                click.echo(_("%(name)s: %(num)d updates so far", name=name, num=result.sent))

        result = sync.run(store.id, on_progress=report)
        commit()
        if result.outcome == "busy":
            click.echo(_("%(name)s: another worker is syncing this store; left to it.",
                         name=name))
            continue
        click.echo(f"{name}: {sync.summary(result)}")
        if result.failure is not None:
            attention.append(name)
            click.echo(_("%(name)s: %(reason)s", name=name, reason=result.failure.message),
                       err=True)
        elif result.refused:
            attention.append(name)
            for refusal in result.refusals[:5]:
                first = (refusal["issues"] or [{}])[0]
                click.echo(_("%(name)s: Amazon refused %(sku)s: %(reason)s", name=name,
                             sku=refusal["sku"], reason=first.get("message", "")), err=True)
    if attention:
        click.echo(_("Stores needing attention: %(names)s", names=", ".join(attention)),
                   err=True)
        raise SystemExit(1)


def _offer_stores(store_ids):


    query = sa.select(Store).order_by(Store.id)
    if store_ids:
        query = query.where(Store.id.in_(store_ids))
    return [s for s in plugin_state().session.scalars(query).unique() if s.is_connected]


def _run_offers(store, kind: str) -> tuple[str, str | None]:
    """Run one store's offers job here, printing progress; (status, error message)."""


    job, _created = offers.request_run(store, kind=kind, requested_by=f"flask asc {kind}")
    commit()
    shown = {"at": 0.0}

    def report(job, store=store, shown=shown):
        if time.monotonic() - shown["at"] < 2:
            return
        shown["at"] = time.monotonic()
        done, of = offers.progress(job)
        click.echo(f"{store.name}: {job.phase} {done}/{of}")

    outcome = offers.run(job.id, on_progress=report)
    plugin_state().session.expire_all()
    if outcome == "busy":
        return "busy", None
    job = plugin_state().session.get_one(OfferJob, job.id)
    reason = Failure(job.error_code).message if job.error_code in MESSAGES else None
    return job.status, reason


@asc_cli.command("publish")
@click.option("--store", "store_ids", type=int, multiple=True,
              help="Publish only this store (repeatable).")
@click.option("--dry-run", is_flag=True,
              help="Only ask Amazon to validate the offers (VALIDATION_PREVIEW); send nothing.")
def publish(store_ids, dry_run):
    """Offer connected stores' matched products on Amazon with their listing settings.

    Runs each store's offers job here (continuing one a dead worker left), ends the offers of
    products that left the listing, prints progress and Amazon's verdict per status, and exits
    1 naming the stores that need attention (no settings, refused, Amazon unavailable).
    """
    stores = _offer_stores(store_ids)
    if not stores:
        click.echo(_("No store is connected to Amazon."))
        return
    attention = []
    for store in stores:
        if listing_settings.of(store) is None:
            attention.append(store.name)
            click.echo(_("%(name)s: save the listing settings on the store's dashboard first.",
                         name=store.name), err=True)
            continue
        status, reason = _run_offers(store, OfferKind.DRY_RUN if dry_run else OfferKind.PUBLISH)
        if status == "busy":
            click.echo(_("%(name)s: another worker is publishing this store; left to it.",
                         name=store.name))
        elif status != "done":
            attention.append(store.name)
            click.echo(_("%(name)s could not be published: %(reason)s", name=store.name,
                         reason=reason or ""), err=True)
        else:
            click.echo(f"{store.name}: {offers.summary(offers.status_counts(store))}")
    if attention:
        click.echo(ngettext("%(num)d store needs attention: %(names)s",
                            "%(num)d stores need attention: %(names)s", len(attention),
                            names=", ".join(attention)), err=True)
        raise SystemExit(1)


@asc_cli.command("listing-status")
@click.option("--store", "store_ids", type=int, multiple=True,
              help="Only this store (repeatable).")
def listing_status(store_ids):
    """Read every store's offers back from Amazon (searchListingsItems) and print the counts
    per status; exits 1 naming the stores with offers that have errors, are suppressed or
    need approval, or that could not be read."""
    stores = _offer_stores(store_ids)
    if not stores:
        click.echo(_("No store is connected to Amazon."))
        return
    rows, attention = [], []
    for store in stores:
        status, reason = _run_offers(store, OfferKind.STATUS)
        counts = offers.status_counts(store)
        rows.append((store.name, *(f"{counts.get(k, 0):,}" for k in (
            OfferStatus.ACTIVE, OfferStatus.SUBMITTED, OfferStatus.INACTIVE, OfferStatus.ERRORS,
            OfferStatus.SUPPRESSED, OfferStatus.APPROVAL, OfferStatus.ENDED))))
        if status not in ("done", "busy"):
            attention.append(store.name)
            click.echo(f"{store.name}: {reason or ''}", err=True)
        elif any(counts.get(status) for status in (OfferStatus.ERRORS, OfferStatus.SUPPRESSED,
                                                   OfferStatus.APPROVAL)):
            attention.append(store.name)
    headers = (_("Store"), _("Active"), _("Submitted"), _("Inactive"), _("Has errors"),
               _("Suppressed"), _("Needs approval"), _("Ended"))
    for line in _table(headers, rows, right=tuple(range(1, 8))):
        click.echo(line)
    if attention:
        click.echo(ngettext("%(num)d store needs attention: %(names)s",
                            "%(num)d stores need attention: %(names)s", len(attention),
                            names=", ".join(attention)), err=True)
        raise SystemExit(1)


@asc_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker(workers):
    """Run the embedded job queue's consumer (Huey): match jobs started from the admin.

    Not needed when ASC_JOB_QUEUE hands jobs to the host's own queue. Stop it with Ctrl-C;
    a job it was running is taken over by the next worker once its lease runs out.
    """
    _require(("ASC_ENCRYPTION_KEYS", "ASC_AMAZON_CLIENT_ID", "ASC_AMAZON_CLIENT_SECRET"))
    huey = jobs.huey_for(current_app)
    jobs.resume_stalled()
    click.echo(_("Amazon Sales Channel worker: %(num)d threads, queue %(name)s.",
                 num=workers, name=getattr(huey.storage, "filename", huey.name)))
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                         check_worker_health=True).run()


@asc_cli.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to serve on.")
@click.option("--port", type=click.IntRange(0, 65535), default=5001, show_default=True,
              help="Port to serve on (0: a free one).")
@click.option("--admin-url", default=None,
              help="Where this admin is served (e.g. http://127.0.0.1:5000), when "
                   "ASC_AMAZON_REDIRECT_URI is not set.")
def sandbox(host, port, admin_url):
    """Serve the local sandbox Amazon (Seller Central, Login with Amazon, SP-API) for this app.

    The sandbox registers this app's redirect URI (ASC_AMAZON_REDIRECT_URI, or --admin-url plus
    the plugin's prefix) and its Login URI, then prints the settings that point the app at it.
    For development and staging only: never set them on a production admin.
    """
    # lazy: mounting never loads the sandbox
    from .sandbox import create_sandbox_app, sandbox_config_for

    prefix = current_app.config["ASC_URL_PREFIX"].rstrip("/")
    redirect = current_app.config["ASC_AMAZON_REDIRECT_URI"] or (
        f"{admin_url.rstrip('/')}{prefix}/connect/callback" if admin_url else None)
    if not redirect:
        raise click.UsageError(_("Give --admin-url (where this admin is served) or set "
                                 "ASC_AMAZON_REDIRECT_URI."))
    login = redirect[: -len("/callback")] + "/login" if redirect.endswith("/callback") else None
    app = create_sandbox_app(redirect_uris=[redirect], login_uri=login)
    server = make_server(host, port, app, threaded=True)
    url = f"http://{host}:{server.server_port}"
    click.echo(_("Sandbox Amazon on %(url)s (sign in as seller@example.com / sandbox, 2FA code "
                 "123456), for the redirect URI %(redirect)s.", url=url, redirect=redirect))
    click.echo(_("Put these in the app's config and restart it (Ctrl-C stops the sandbox):"))
    for key, value in {**sandbox_config_for(url), "ASC_AMAZON_REDIRECT_URI": redirect}.items():
        click.echo(f"{key} = {value!r}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
