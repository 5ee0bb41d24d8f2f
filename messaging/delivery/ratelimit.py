"""Provider rate limits, shared by every worker: one token bucket per channel, with precedence.

With Redis (REDIS_URL) the bucket lives in Redis and a Lua script refills and takes from it
atomically, using Redis's clock, so any number of workers on any number of machines together stay
under MESSAGING_RATE_LIMITS (messages per second per channel), by MESSAGING_RATE_HEADROOM. The
embedded default has one process, so an in-process bucket does the same job there.

A bucket holds at most half a second's worth of tokens (BURST_SECONDS): a burst after a quiet
spell uses at most half of what the provider's own bucket holds, leaving the other half to absorb
messages that the network and the workers bunch up on the way.

Precedence: every send has a class (messaging.delivery.routing: emergency, alerts, bulk, in that
order). Each take announces its class's demand in a key that lives DEMAND_SECONDS, renewed by
every take. While a class above yours has announced demand you take nothing, and ask again within
YIELD_SECONDS: an emergency released while a bulk send holds the whole limit finds the bucket
refilling for it alone, and the bulk send resumes by itself once the emergency's senders have
stopped asking for DEMAND_SECONDS. Nothing is held by a sender that dies: its demand just expires.
The price: an emergency that sends slower than the limit leaves the rest unused while it lasts,
which is what "bulk waits for the emergency" means, and emergencies are rare and short.
"""

import threading
import time
from functools import cache

from django.conf import settings

from messaging.delivery.channels.base import TransientSendError
from messaging.delivery.routing import ALERTS, SEND_CLASSES

# KEYS[1] the bucket, KEYS[2] the taker's own demand, KEYS[3..] the demand of the classes above it.
TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local demand_ms = tonumber(ARGV[4])
local yield_ms = tonumber(ARGV[5])
redis.call('SET', KEYS[2], '1', 'PX', demand_ms)
for i = 3, #KEYS do
  local left = redis.call('PTTL', KEYS[i])
  if left > 0 then
    return tostring(math.min(left, yield_ms) / 1000)
  end
end
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
# How long a class's demand outlives its last take: longer than the gap between two sends of a
# busy sender (a provider call and a commit), short enough that bulk resumes soon after.
DEMAND_SECONDS = 1.0
# How soon a sender that gave way asks again: how late, at most, bulk resumes after the demand lapses.
YIELD_SECONDS = 0.1


class ProviderRateLimited(TransientSendError):
    """The provider itself answered "too many requests" (HTTP 429): retried after its Retry-After."""


def rate_for(channel: str) -> float:
    """Messages per second the engine sends on `channel`: the provider's limit less the headroom
    (MESSAGING_RATE_HEADROOM); 0 means no limit."""
    limit = float(getattr(settings, "MESSAGING_RATE_LIMITS", {}).get(channel) or 0)
    return limit * float(getattr(settings, "MESSAGING_RATE_HEADROOM", 1.0))


def _level(send_class: str) -> int:
    # An unknown class sends as an ordinary alert: never ahead of an emergency, never starved by bulk.
    return SEND_CLASSES.index(send_class) if send_class in SEND_CLASSES else SEND_CLASSES.index(ALERTS)


class LocalBucket:
    """The same algorithm in one process (the embedded default, without Redis)."""

    def __init__(self, *, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}
        self._demand: dict[tuple[str, int], float] = {}

    def take(
        self, key: str, *, rate: float, capacity: float, wanted: float = 1, level: int = 1, demand_seconds=None
    ) -> float:
        with self._lock:
            now = self._clock()
            self._demand[(key, level)] = now + (DEMAND_SECONDS if demand_seconds is None else demand_seconds)
            left = max((self._demand.get((key, higher), now) - now for higher in range(level)), default=0.0)
            if left > 0:
                return min(left, YIELD_SECONDS)
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

    def take(
        self, key: str, *, rate: float, capacity: float, wanted: float = 1, level: int = 1, demand_seconds=None
    ) -> float:
        demand_ms = max(1, int(1000 * (DEMAND_SECONDS if demand_seconds is None else demand_seconds)))
        keys = [key, f"{key}:demand:{level}", *(f"{key}:demand:{higher}" for higher in range(level))]
        yield_ms = max(1, int(1000 * YIELD_SECONDS))
        return float(self._script(keys=keys, args=[rate, capacity, wanted, demand_ms, yield_ms]))


@cache
def _bucket_for(url: str):
    return RedisBucket(url) if url else LocalBucket()


def bucket():
    return _bucket_for(getattr(settings, "REDIS_URL", ""))


def _key(channel: str) -> str:
    # The cache's prefix keeps parallel deployments (and CI runs) sharing a Redis apart.
    prefix = settings.CACHES.get("default", {}).get("KEY_PREFIX", "pact")
    return f"{prefix}:messaging:ratelimit:{channel}"


def take(channel: str, *, send_class: str = ALERTS) -> float:
    """Take one token for `channel`: 0.0 when taken, otherwise seconds to wait before asking again."""
    rate = rate_for(channel)
    if rate <= 0:
        return 0.0
    capacity = max(1.0, rate * BURST_SECONDS)
    return bucket().take(_key(channel), rate=rate, capacity=capacity, wanted=1, level=_level(send_class))


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def acquire(channel: str, *, send_class: str = ALERTS) -> float:
    """Block until one message of `send_class` may go on `channel`; returns the seconds spent waiting."""
    waited = 0.0
    while (wait := take(channel, send_class=send_class)) > 0:
        _sleep(wait)
        waited += wait
    return waited
