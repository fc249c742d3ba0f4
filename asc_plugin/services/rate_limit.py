"""Amazon's per-seller rate limits as token buckets in the database, shared by every worker.

Amazon counts requests per selling partner and app, whatever process sends them, so the bucket
lives in a row (``asc_rate_bucket``) that a worker locks while it takes a token: two workers of
one seller never overrun the limit together. The rate the bucket refills at is the smaller of
ours and the one Amazon states in ``x-amzn-RateLimit-Limit``, times a safety margin; a 429
blocks the bucket for a back-off with jitter.

Time here is the real clock (``time.time()``), never ``ASC_CLOCK``: buckets are shared across
processes and measure seconds, not calendar days.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..models import RateBucket
from ..persistence import own_session, rowcount

#: Share of Amazon's stated rate we use: a little under it, so clocks and network jitter never
#: push a request over.
SAFETY = 0.95
#: Longest single wait before the bucket is looked at again.
MAX_WAIT = 5.0


@dataclass(frozen=True)
class Limit:
    """Amazon's documented limit for one operation: requests per second and burst."""

    rate: float
    burst: float


def acquire(key: str, limit: Limit, *, sleep: Callable[[float], None] = time.sleep) -> float:
    """Wait until a request may be sent under ``key``'s bucket, take its token; returns the
    seconds waited."""
    waited = 0.0
    while True:
        wait = _take(key, limit)
        if wait <= 0:
            return waited
        wait = min(wait, MAX_WAIT)
        sleep(wait)
        waited += wait


def observe(key: str, limit: Limit, stated_rate: float | None) -> None:
    """Follow the rate Amazon states for the operation (lower or back up to ours)."""
    if stated_rate is None:
        return
    rate = _rate(limit, stated_rate)
    with own_session() as session:
        session.execute(sa.update(RateBucket).where(RateBucket.key == key,
                                                    RateBucket.rate != rate).values(rate=rate))


def back_off(key: str, attempt: int, *, base: float = 1.0, cap: float = 60.0) -> float:
    """After a 429: no request under ``key`` for an exponential, jittered while; returns it."""
    delay = min(cap, base * 2 ** max(0, attempt - 1)) * random.uniform(1.0, 1.5)
    now = time.time()
    with own_session() as session:
        session.execute(sa.update(RateBucket).where(RateBucket.key == key).values(
            tokens=0.0, refilled_at=now,
            blocked_until=sa.func.max(RateBucket.blocked_until, now + delay)
            if session.get_bind().dialect.name == "sqlite"
            else sa.func.greatest(RateBucket.blocked_until, now + delay)))
    return delay


def _rate(limit: Limit, stated: float | None) -> float:
    return min(limit.rate, stated if stated is not None else limit.rate) * SAFETY


def _take(key: str, limit: Limit) -> float:
    """Take a token if one is there (0.0), else the seconds until one will be."""
    with own_session() as session:
        # An UPDATE first takes the write lock before the read, on every database (SQLite's
        # deferred transactions would otherwise let two workers read the same tokens).
        touched = rowcount(session.execute(
            sa.update(RateBucket).where(RateBucket.key == key).values(tokens=RateBucket.tokens)))
        now = time.time()
        if not touched:
            try:
                session.add(RateBucket(key=key, tokens=limit.burst - 1, rate=_rate(limit, None),
                                       burst=limit.burst, refilled_at=now, blocked_until=0.0))
                session.flush()
            except IntegrityError:  # another worker made it first: look again
                session.rollback()
                return 0.01
            return 0.0
        bucket = session.get_one(RateBucket, key, populate_existing=True)  # touched above
        bucket.burst = limit.burst
        bucket.tokens = min(limit.burst,
                            bucket.tokens + max(0.0, now - bucket.refilled_at) * bucket.rate)
        bucket.refilled_at = now
        if now < bucket.blocked_until:
            return bucket.blocked_until - now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / bucket.rate


def acquire_within(key: str, limit: Limit, max_wait: float, *,
                   sleep: Callable[[float], None] = time.sleep) -> bool:
    """Like :func:`acquire`, but give up (False, no token taken) when the wait would pass
    ``max_wait`` seconds: slow operations (searchOrders: one request every 3 minutes) end a
    run and leave the rest to the next one instead of holding a worker."""
    waited = 0.0
    while True:
        wait = _take(key, limit)
        if wait <= 0:
            return True
        if waited + wait > max_wait:
            return False
        wait = min(wait, MAX_WAIT)
        sleep(wait)
        waited += wait
