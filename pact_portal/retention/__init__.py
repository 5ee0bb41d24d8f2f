"""How long personal data is kept, and the nightly job that lets the rest go.

The schedule is settings.RETENTION (days per rule); docs/data-protection.md is the data map it
implements. Every rule keeps what the divisional returns count (reports.selectors): deliveries stay
as rows and lose only their provider details, members past the schedule are anonymised in place
with their sign-up and channel dates kept, and issues keep everything but the reporter's contact
details and photo.
"""
