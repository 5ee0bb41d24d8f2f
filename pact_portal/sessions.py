"""Sessions kept in the database with a copy in the cache, as Django's cached_db, but never failing
a request because the cache does not answer: Django's own already reads and saves past a cache
error; here checking a new key and signing out do too (the database row is what counts)."""

import logging

from django.contrib.sessions.backends import cached_db

from pact_portal import generations

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def exists(self, session_key):
        if generations.cache_usable():
            try:
                return super().exists(session_key)
            except generations.CACHE_ERRORS:
                generations.cache_failed("session exists")
        return cached_db.DBStore.exists(self, session_key)

    def load(self):
        if generations.cache_usable():
            return super().load()
        return cached_db.DBStore.load(self)

    def save(self, must_create=False):
        if generations.cache_usable():
            return super().save(must_create)
        return cached_db.DBStore.save(self, must_create)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except generations.CACHE_ERRORS:
            # The database row is gone, so the session has ended; the cache's copy would outlive
            # it only until the cache forgets it, and the browser's cookie was cleared with it.
            generations.cache_failed("session delete")
