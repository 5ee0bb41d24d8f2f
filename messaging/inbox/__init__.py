"""Replies to alerts: the inbound email and text webhooks, trigger words, the teams' inboxes, and
bounce recovery (a dead email address replaced by asking the member by text)."""
