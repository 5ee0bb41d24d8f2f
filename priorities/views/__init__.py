"""Views for priorities: `intake` (raising and triaging issues), `records` (the EPIC record and
boards, for staff and partners) and `public` (our priorities, following)."""
