"""The cache backend: Django's Redis cache, which a Redis outage turns into a cache that
holds nothing, instead of an error on every page that reads a cached fragment.

The cache only ever holds what can be computed again (rendered fragments, their versions,
filter forms): when Redis does not answer, a read is a miss, a write is skipped, and the
page is rendered from the database, as `tests/security/test_faults.py` checks. The outage
is logged once per call, so monitoring sees it.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class TolerantRedisCache(RedisCache):
    """`RedisCache` whose reads miss and whose writes are skipped while Redis is down."""

    def _tolerate(self, operation: str, default, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except UNREACHABLE:
            logger.warning("Cache unreachable (%s): served without the cache", operation)
            return default

    def get(self, key, default=None, version=None):
        return self._tolerate("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._tolerate("get_many", {}, super().get_many, keys, version)

    def add(self, key, value, timeout=None, version=None):
        return self._tolerate("add", False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        return self._tolerate("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._tolerate("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._tolerate("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._tolerate("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._tolerate("delete_many", None, super().delete_many, keys, version)

    def has_key(self, key, version=None):
        return self._tolerate("has_key", False, super().has_key, key, version)

    def clear(self):
        return self._tolerate("clear", False, super().clear)
