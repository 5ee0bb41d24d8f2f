"""Engagement analytics for a neighbourhood, a division or the force: `selectors` (the figures, read
from the replica), `views` and `urls` (the `analytics` namespace)."""
