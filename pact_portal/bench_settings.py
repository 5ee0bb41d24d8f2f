"""Settings for `manage.py bench_web` only: the production settings plus one bare view to
compare against. Never used to serve the portal."""

from pact_portal.settings import *  # noqa: F403 - the bench measures the real configuration

ROOT_URLCONF = "pact_portal.bench_urls"
