"""The demo force's In the Know: about 20,000 members and eighteen months of alerts.

Everything here is SYNTHETIC. Membership is deliberately skewed the way an opt-in scheme skews
until officers go out and sign up the households it misses (why Lancashire's officers targeted
under-represented households, per its engagement strategy): older, more affluent, suburban and
rural wards (Ribble Valley, Fylde, Wyre …) are over-represented and the inner-town wards
(Daneshouse with Stoneyholme, Bank Hall, Bastwell …) under-represented. A ward's take-up is its district's
factor times a lower one for the inner-town wards named below; the factors are invented, only
the ward and district names are real. About 8% of members were signed up in the field by their
neighbourhood's officers, more of them in the inner-town wards, as Lancashire did to redress it.

Alerts come from neighbourhood teams (some reminding people of a demo PACT meeting or reporting
on a demo priority), chief inspectors for their division, and HQ force-wide with the
communications office's approval. Deliveries are worked out alert by alert in time order, so a
member only gets what was sent while they were subscribed, and unsubscribes are attributed to
the last alert the member received.

Deterministic for a given `today` (every random stream is seeded from a fixed string), except
the secrets and references (delivery tokens, confirmation nonces, UUIDs): those stay random. Idempotent: a force that
already has subscribers or alerts is left alone. Written in bulk (COPY on PostgreSQL, executemany
on SQLite), so the ~100,000 rows add about five seconds to seed_demo.
"""
