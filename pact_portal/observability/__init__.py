"""Running it for real: error reports (Sentry), JSON logs with a request id, Prometheus metrics and
the readiness probe. docs/observability.md says what is exported and which alerts to set."""
