"""What residents see of meetings: `views` (public pages and iCalendar feeds) and `urls` (at the site
root, in the `meetings` namespace)."""
