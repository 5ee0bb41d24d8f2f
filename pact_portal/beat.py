"""The Celery beat schedule: the one place every periodic job is declared.

Each entry carries a comment saying why it runs when it runs. The foundation has no periodic
work yet (django-axes expires lockouts on its own); apps add their entries here as they gain it:
the daily priorities digest, the monthly return drafts, ...
"""

BEAT_SCHEDULE: dict[str, dict] = {}
