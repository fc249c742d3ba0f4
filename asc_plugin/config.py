"""Every configuration key the plugin reads, with its default.

`init_app` copies these into ``app.config`` with ``setdefault``, so a host sets only what it
changes. This module is the one place that documents them.
"""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    #: Where the blueprint is mounted in the host admin.
    "ASC_URL_PREFIX": "/admin/amazon",
    #: Force the plugin's language (``"en"``, ``"zh_Hant"``); None follows the host's Flask-Babel
    #: locale, or the browser's Accept-Language when the host has no Flask-Babel, and the process's
    #: locale (``LANG``) in the CLI.
    "ASC_LOCALE": None,
    #: The host platform's name, used in labels ("{platform} Website to use for Amazon Listing").
    "ASC_PLATFORM_NAME": "Commerce",
    #: Fernet keys (urlsafe base64, 32 bytes) encrypting refresh and access tokens at rest, newest
    #: first: a list or a comma-separated string. Required outside debug/testing for Connect, token
    #: use and the worker, unless ASC_ALLOW_EPHEMERAL_KEY (the app still starts without one, warns
    #: once, and ``flask asc check-config`` names it; see readiness.py). Add a new key in front to
    #: rotate.
    "ASC_ENCRYPTION_KEYS": None,
    #: Demos and tests only: without keys, use a random key that lives as long as the process (debug
    #: and testing do this by themselves, with a loud warning in the log).
    "ASC_ALLOW_EPHEMERAL_KEY": False,
    #: Marketplace country codes offered when adding a store (the seed's four by default). The full
    #: table is in asc_plugin/marketplaces.py; countries whose Seller Central host is unconfirmed
    #: need an ASC_AMAZON_SELLER_CENTRAL_URLS entry.
    "ASC_ENABLED_MARKETPLACES": ("US", "CA", "MX", "UK"),
    #: Cards per page on the Amazon Sales Channel home.
    "ASC_STORES_PER_PAGE": 24,
    #: LWA client id of the SP-API app ("amzn1.application-oa2-client.…").
    "ASC_AMAZON_CLIENT_ID": None,
    #: LWA client secret of the SP-API app. Amazon makes you rotate it every 180 days.
    "ASC_AMAZON_CLIENT_SECRET": None,
    #: SP-API application id ("amzn1.sellerapps.app.…"), sent as ``application_id`` on consent.
    "ASC_AMAZON_APPLICATION_ID": None,
    #: True while the app is a Draft: adds ``version=beta`` to consent URLs (else Amazon answers
    #: MD1000).
    "ASC_AMAZON_DRAFT_APP": False,
    #: The redirect URI registered on the app. None: this blueprint's callback URL, built only in
    #: debug/testing or with SERVER_NAME (never from a request's Host header); else Connect refuses,
    #: saying so (the app still starts without it).
    "ASC_AMAZON_REDIRECT_URI": None,
    #: Country code -> Seller Central base URL, overriding the marketplace table.
    "ASC_AMAZON_SELLER_CENTRAL_URLS": {},
    #: Login with Amazon token endpoint.
    "ASC_AMAZON_TOKEN_URL": "https://api.amazon.com/auth/o2/token",
    #: Region (NA, EU, FE) -> SP-API base URL, overriding the marketplace table.
    "ASC_AMAZON_SPAPI_ENDPOINTS": {},
    #: Seconds before a call to Amazon (token endpoint, SP-API) is given up.
    "ASC_AMAZON_HTTP_TIMEOUT": 10,
    #: The SP-API user-agent header (Amazon's format: ``AppName/version (Language=…)``, at most 500
    #: characters).
    "ASC_AMAZON_USER_AGENT": "asc_plugin/{version} (Language=Python)",
    #: Seconds a connect attempt (its OAuth state) stays valid (Amazon asks for short-lived; at most
    #: 600).
    "ASC_OAUTH_STATE_MAX_AGE": 600,
    #: Days an authorization lasts before the seller must renew it (Amazon: 365).
    "ASC_AUTHORIZATION_DAYS": 365,
    #: Redact Amazon's one-time codes and OAuth states from Werkzeug's and gunicorn's access logs
    #: (``asc_plugin.logs.RedactSecrets`` for other servers).
    "ASC_REDACT_ACCESS_LOGS": True,
    #: Largest request body the plugin's routes accept, in bytes; beyond it the merchant gets a
    #: clear message (413).
    "ASC_MAX_REQUEST_BYTES": 64 * 1024,
    #: Time zone for dates and times when the host has no Flask-Babel timezone selector.
    "ASC_TIMEZONE": "UTC",
    #: Demos and tests only: a callable returning "now" (aware, UTC); None is the real clock. The
    #: demo sets it to the sandbox's clock, so moving that clock moves every countdown.
    "ASC_CLOCK": None,
    #: Renewal thresholds in days, largest first: inside the first, notices are informational;
    #: inside the second, warnings; inside the third and later, errors (and ``check-authorizations``
    #: exits 1). ``authorization_expiring`` is sent on each.
    "ASC_RENEWAL_WARNING_DAYS": (30, 14, 7, 1),
    #: Where "Match with Amazon catalog" jobs run: "huey" (an embedded Huey queue in a SQLite file,
    #: ASC_HUEY_PATH; ``flask asc worker`` consumes it), a ``huey.Huey`` instance the host already
    #: runs, or a callable ``enqueue(job_id)`` handing the job to the host's own queue (RQ, Celery):
    #: its task calls ``asc_plugin.jobs.run_match_job(job_id)`` in an app context.
    "ASC_JOB_QUEUE": "huey",
    #: The embedded Huey's SQLite file; None is asc_jobs.sqlite3 in the app's instance folder.
    "ASC_HUEY_PATH": None,
    #: Seconds a worker holds a match job without reporting progress before another may take it over
    #: (a worker that died). Every step renews it.
    "ASC_JOB_LEASE_SECONDS": 60,
    #: A product's catalog match is asked again after this many days even if its identifier did not
    #: change.
    "ASC_MATCH_MAX_AGE_DAYS": 30,
    #: Amazon's rate limit for searchCatalogItems per seller and app, in requests per second. The
    #: plugin sends at 95 % of it, or of a lower x-amzn-RateLimit-Limit header.
    "ASC_CATALOG_RATE": 2.0,
    #: First back-off after Amazon answers 429, in seconds; it doubles (with jitter) on each 429 in
    #: a row, up to a minute.
    "ASC_CATALOG_BACKOFF_SECONDS": 1.0,
    #: Times a catalog request is asked again after a transient fault (5xx, a timeout, a body that
    #: is not JSON), with the same jittered, doubling back-off; then the match pauses (finished
    #: batches kept; Match again resumes it).
    "ASC_CATALOG_RETRIES": 3,
    #: Order import (Orders API v2026-01-01): each search starts this many seconds before the last
    #: one ended, so an order Amazon dated late is not missed (imports are idempotent, so the
    #: overlap only catches late-dated updates).
    "ASC_ORDERS_OVERLAP_SECONDS": 300,
    #: Longest wait for Amazon's searchOrders rate inside one run; beyond it the run stops where it
    #: is and the next one continues.
    "ASC_ORDERS_MAX_WAIT_SECONDS": 30,
    #: Amazon's searchOrders rate per seller and app, in requests per second (sent at 95 % of it, or
    #: of a lower x-amzn-RateLimit-Limit).
    "ASC_ORDERS_SEARCH_RATE": 0.0056,
    #: Amazon's searchOrders burst per seller and app.
    "ASC_ORDERS_SEARCH_BURST": 20,
    #: Amazon's getOrder rate per seller and app (*Import again*), in requests per second.
    "ASC_ORDERS_GET_RATE": 0.5,
    #: Amazon's getOrder burst per seller and app.
    "ASC_ORDERS_GET_BURST": 30,
    #: First back-off after a 429 from the Orders API, in seconds (doubles, with jitter).
    "ASC_ORDERS_BACKOFF_SECONDS": 5.0,
    #: Minutes between order imports on the embedded Huey's scheduler (every connected store;
    #: RQ/Celery hosts schedule ``asc_plugin.jobs.import_orders()`` themselves).
    "ASC_ORDERS_IMPORT_MINUTES": 5,
    #: Amazon's Listings Items rate per seller and app (all listings operations together, burst 5),
    #: in requests per second; restrictions and definitions scale with it. The plugin sends at 95 %
    #: of it.
    "ASC_LISTINGS_RATE": 5.0,
    #: A publish with more offers to send than this goes through one JSON_LISTINGS_FEED (25,000
    #: offers a feed) instead of one putListingsItem per offer.
    "ASC_FEED_THRESHOLD": 1000,
    #: Seconds between two getFeed calls while Amazon processes a feed.
    "ASC_FEED_POLL_SECONDS": 15.0,
    #: Where offers jobs go when ASC_JOB_QUEUE is a callable (RQ, Celery): a callable
    #: ``enqueue(job_id)`` whose task calls ``asc_plugin.jobs.run_offer_job(job_id)`` in an app
    #: context. None: the same Huey queue as match jobs.
    "ASC_OFFER_JOB_QUEUE": None,
    #: Minutes between the embedded Huey's price and quantity syncs (every connected store).
    "ASC_SYNC_MINUTES": 5,
    #: Minutes between full reconciles: every live offer's price and quantity recomputed, for
    #: changes the host never announced.
    "ASC_SYNC_RECONCILE_MINUTES": 60,
}


def apply_defaults(config) -> None:
    """Fill missing ASC_* keys; a host's own values always win."""
    for key, value in DEFAULTS.items():
        config.setdefault(key, value)
