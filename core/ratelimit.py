"""A small fixed-window rate limit counted in Django's cache.

    from core.ratelimit import hit

    if not hit(f"profile-email:{member.pk}", limit=3, period_seconds=3600):
        ...  # over the limit: refuse with a French message, keep what was typed

Each call counts one event for ``key`` in the current window of ``period_seconds``
(windows start at multiples of the period since the epoch) and returns False once
``limit`` events were already counted in it. Refused calls count too, so hammering
does not open the next slot sooner. In production the cache is Redis, shared by every
worker (``CACHE_URL``); locally and in tests it is the process's memory (the tests clear
it before each test). A cache outage never blocks a member: the call is then allowed.
"""

from __future__ import annotations

import time

from django.core.cache import cache

KEY_PREFIX = "ratelimit"


def hit(key: str, *, limit: int, period_seconds: int) -> bool:
    """Count one event for ``key``; False when the window already holds ``limit`` events."""
    window = int(time.time() // period_seconds)
    cache_key = f"{KEY_PREFIX}:{key}:{period_seconds}:{window}"
    try:
        # add() only creates the counter; incr() is atomic on Redis and in local memory.
        cache.add(cache_key, 0, timeout=period_seconds + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=period_seconds + 1)
            count = 1
    except Exception:  # a rate limit must not turn a cache outage into a 500
        return True
    return count <= limit
