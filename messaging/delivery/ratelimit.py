"""Provider rate limits, shared by every worker: one token bucket per channel.

With Redis (REDIS_URL) the bucket lives in Redis and a Lua script refills and takes from it
atomically, using Redis's clock, so any number of workers on any number of machines together stay
under MESSAGING_RATE_LIMITS (messages per second per channel), by MESSAGING_RATE_HEADROOM. The
embedded default has one process, so an in-process bucket does the same job there.

A bucket holds at most half a second's worth of tokens (BURST_SECONDS): a burst after a quiet
spell uses at most half of what the provider's own bucket holds, leaving the other half to absorb
messages that the network and the workers bunch up on the way.
"""

import threading
import time
from functools import cache

from django.conf import settings

from messaging.delivery.channels.base import TransientSendError

TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= wanted then
  tokens = tokens - wanted
else
  wait = (wanted - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
return tostring(wait)
"""


BURST_SECONDS = 0.5


class ProviderRateLimited(TransientSendError):
    """The provider itself answered "too many requests" (HTTP 429): retried after its Retry-After."""


def rate_for(channel: str) -> float:
    """Messages per second the engine sends on `channel`: the provider's limit less the headroom
    (MESSAGING_RATE_HEADROOM); 0 means no limit."""
    limit = float(getattr(settings, "MESSAGING_RATE_LIMITS", {}).get(channel) or 0)
    return limit * float(getattr(settings, "MESSAGING_RATE_HEADROOM", 1.0))


class LocalBucket:
    """The same algorithm in one process (the embedded default, without Redis)."""

    def __init__(self, *, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, key: str, *, rate: float, capacity: float, wanted: float = 1) -> float:
        with self._lock:
            now = self._clock()
            tokens, at = self._state.get(key, (capacity, now))
            tokens = min(capacity, tokens + max(0.0, now - at) * rate)
            wait = 0.0
            if tokens >= wanted:
                tokens -= wanted
            else:
                wait = (wanted - tokens) / rate
            self._state[key] = (tokens, now)
            return wait


class RedisBucket:
    def __init__(self, url: str):
        import redis

        self._client = redis.Redis.from_url(url)
        self._script = self._client.register_script(TAKE_SCRIPT)

    def take(self, key: str, *, rate: float, capacity: float, wanted: float = 1) -> float:
        return float(self._script(keys=[key], args=[rate, capacity, wanted]))


@cache
def _bucket_for(url: str):
    return RedisBucket(url) if url else LocalBucket()


def bucket():
    return _bucket_for(getattr(settings, "REDIS_URL", ""))


def _key(channel: str) -> str:
    # The cache's prefix keeps parallel deployments (and CI runs) sharing a Redis apart.
    prefix = settings.CACHES.get("default", {}).get("KEY_PREFIX", "pact")
    return f"{prefix}:messaging:ratelimit:{channel}"


def take(channel: str) -> float:
    """Take one token for `channel`: 0.0 when taken, otherwise seconds to wait before asking again."""
    rate = rate_for(channel)
    if rate <= 0:
        return 0.0
    return bucket().take(_key(channel), rate=rate, capacity=max(1.0, rate * BURST_SECONDS), wanted=1)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def acquire(channel: str) -> float:
    """Block until one message may go on `channel`; returns the seconds spent waiting."""
    waited = 0.0
    while (wait := take(channel)) > 0:
        _sleep(wait)
        waited += wait
    return waited
