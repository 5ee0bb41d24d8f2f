"""Reads for priorities, one module per part of the product: `intake` (the triage queue),
`records` (boards, the EPIC record, the briefing page) and `public` (what residents see)."""
