"""Every configuration key the plugin reads, with its default.

`init_app` copies these into ``app.config`` with ``setdefault``, so a host sets only what it
changes. This module is the one place that documents them.
"""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    #: Where the blueprint is mounted in the host admin.
    "ASC_URL_PREFIX": "/admin/amazon",
    #: Force the plugin's language ("en", "zh_Hant"); None follows the host's Flask-Babel, or
    #: the browser's Accept-Language when the host has no Flask-Babel.
    "ASC_LOCALE": None,
    #: The host platform's name, used in labels ("{platform} Website to use for Amazon Listing").
    "ASC_PLATFORM_NAME": "Commerce",
    #: Fernet keys (urlsafe base64, 32 bytes) encrypting refresh tokens at rest; newest first.
    #: A list or a comma-separated string. Connect, token use and the worker need it (unless
    #: ASC_ALLOW_EPHEMERAL_KEY); the app starts without it (see readiness.py).
    "ASC_ENCRYPTION_KEYS": None,
    #: Testing/demo only: without keys, use a random key that lives as long as the process.
    "ASC_ALLOW_EPHEMERAL_KEY": False,
    #: Marketplace country codes offered when adding a store (the seed's four by default).
    "ASC_ENABLED_MARKETPLACES": ("US", "CA", "MX", "UK"),
    #: Cards per page on the Amazon Sales Channel home.
    "ASC_STORES_PER_PAGE": 24,
    #: LWA client id of the SP-API app ("amzn1.application-oa2-client.…").
    "ASC_AMAZON_CLIENT_ID": None,
    #: LWA client secret of the SP-API app. Amazon makes you rotate it every 180 days.
    "ASC_AMAZON_CLIENT_SECRET": None,
    #: SP-API application id ("amzn1.sellerapps.app.…"), sent as application_id on consent.
    "ASC_AMAZON_APPLICATION_ID": None,
    #: True while the app is a Draft: adds version=beta to consent URLs (else Amazon says MD1000).
    "ASC_AMAZON_DRAFT_APP": False,
    #: Redirect URI registered on the app. None: this blueprint's callback URL, built only in
    #: debug/testing or with SERVER_NAME (never from a request's Host header); else Connect
    #: refuses, saying so.
    "ASC_AMAZON_REDIRECT_URI": None,
    #: Country code -> Seller Central base URL, overriding the marketplace table.
    "ASC_AMAZON_SELLER_CENTRAL_URLS": {},
    #: Login with Amazon token endpoint.
    "ASC_AMAZON_TOKEN_URL": "https://api.amazon.com/auth/o2/token",
    #: Region (NA, EU, FE) -> SP-API base URL, overriding the marketplace table.
    "ASC_AMAZON_SPAPI_ENDPOINTS": {},
    #: Seconds before a call to Amazon (token endpoint, Sellers API) is given up.
    "ASC_AMAZON_HTTP_TIMEOUT": 10,
    #: Name and version sent in the SP-API user-agent header.
    "ASC_AMAZON_USER_AGENT": "asc_plugin/{version} (Language=Python)",
    #: Seconds an OAuth state stays valid (Amazon asks for short-lived; at most 600).
    "ASC_OAUTH_STATE_MAX_AGE": 600,
    #: Days an authorization lasts before the seller must renew it (Amazon: 365).
    "ASC_AUTHORIZATION_DAYS": 365,
    #: Redact Amazon's codes and OAuth states from Werkzeug's and gunicorn's access logs.
    "ASC_REDACT_ACCESS_LOGS": True,
    #: Largest request body the plugin's routes accept, in bytes (a clear message beyond it).
    "ASC_MAX_REQUEST_BYTES": 64 * 1024,
    #: Time zone for dates and times when the host has no Flask-Babel timezone selector.
    "ASC_TIMEZONE": "UTC",
    #: Demos and tests only: a callable returning "now" (aware, UTC); None is the real clock.
    #: The demo sets it to the sandbox's clock, so moving that clock moves every countdown.
    "ASC_CLOCK": None,
    #: Renewal thresholds in days, largest first: inside the first, notices are informational;
    #: inside the second, warnings; inside the third and later, errors (and the CLI exits 1).
    "ASC_RENEWAL_WARNING_DAYS": (30, 14, 7, 1),
    #: Where "Match with Amazon catalog" jobs run: "huey" (an embedded Huey queue in a SQLite
    #: file, ASC_HUEY_PATH; ``flask asc worker`` consumes it), a ``huey.Huey`` instance the host
    #: already runs, or a callable ``enqueue(job_id)`` handing the job to the host's own queue
    #: (RQ, Celery): its task calls ``asc_plugin.jobs.run_match_job(job_id)`` in an app context.
    "ASC_JOB_QUEUE": "huey",
    #: The embedded Huey's SQLite file; None is asc_jobs.sqlite3 in the app's instance folder.
    "ASC_HUEY_PATH": None,
    #: Seconds a worker holds a match job without reporting progress before another may take it
    #: over (a worker that died). Progress renews it every batch.
    "ASC_JOB_LEASE_SECONDS": 60,
    #: A product's catalog match is redone after this many days even if its id did not change.
    "ASC_MATCH_MAX_AGE_DAYS": 30,
    #: Amazon's rate limit for searchCatalogItems per seller and app: requests per second. The
    #: plugin stays a little under it and follows the x-amzn-RateLimit-Limit header when lower.
    "ASC_CATALOG_RATE": 2.0,
    #: First back-off after Amazon answers 429, in seconds; it doubles (with jitter) on each
    #: 429 in a row, up to a minute.
    "ASC_CATALOG_BACKOFF_SECONDS": 1.0,
    #: Times a catalog request is asked again after a transient fault (5xx, a timeout, a body
    #: that is not JSON), with the same jittered, doubling back-off; then the match pauses
    #: (finished batches kept; Match again resumes it).
    "ASC_CATALOG_RETRIES": 3,
    #: Order import (Orders API v2026-01-01): each search starts this many seconds before the
    #: last one ended, so an order Amazon dated late is not missed (imports are idempotent).
    "ASC_ORDERS_OVERLAP_SECONDS": 300,
    #: Longest wait for Amazon's searchOrders rate (0.0056/s, burst 20) inside one run; beyond
    #: it the run stops where it is and the next one continues.
    "ASC_ORDERS_MAX_WAIT_SECONDS": 30,
    #: Amazon's usage plans, per seller and app (the plugin stays a little under them).
    "ASC_ORDERS_SEARCH_RATE": 0.0056,
    "ASC_ORDERS_SEARCH_BURST": 20,
    "ASC_ORDERS_GET_RATE": 0.5,
    "ASC_ORDERS_GET_BURST": 30,
    #: First back-off after a 429 from the Orders API, in seconds (doubles, with jitter).
    "ASC_ORDERS_BACKOFF_SECONDS": 5.0,
    #: Minutes between the embedded Huey's order imports (every connected store).
    "ASC_ORDERS_IMPORT_MINUTES": 5,
    #: Amazon's Listings Items limit per seller and app (all listings operations together):
    #: requests per second (burst 5). The plugin stays a little under it.
    "ASC_LISTINGS_RATE": 5.0,
    #: A publish with more offers to send than this goes through one JSON_LISTINGS_FEED
    #: (25,000 offers a feed) instead of one putListingsItem per offer.
    "ASC_FEED_THRESHOLD": 1000,
    #: Seconds between two getFeed calls while a feed is processed.
    "ASC_FEED_POLL_SECONDS": 15.0,
    #: Where offers jobs go when ASC_JOB_QUEUE is a callable (RQ, Celery): a callable
    #: ``enqueue(job_id)`` whose task calls ``asc_plugin.jobs.run_offer_job`` in an app context.
    #: None: the same Huey queue as match jobs.
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
