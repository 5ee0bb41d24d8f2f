import hmac
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from pact_portal.observability import heartbeats
from pact_portal.observability.metrics import exposition

LOOPBACK = {"127.0.0.1", "::1"}
# A request relayed by a proxy on the same machine arrives from 127.0.0.1 too: with any of these it
# came from somewhere else, and only the token lets it in.
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def metrics_allowed(request) -> bool:
    """From this machine, or with `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time)."""
    expected = getattr(settings, "METRICS_TOKEN", "")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if expected and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode()):
        return True
    local = request.META.get("REMOTE_ADDR") in LOOPBACK
    return local and not any(request.headers.get(name) for name in FORWARDING_HEADERS)


@login_not_required
@never_cache
@require_safe
def metrics(request):
    """Prometheus text format; 404 to anyone else, so its existence is not advertised."""
    if not metrics_allowed(request):
        raise Http404
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure means "not ready", whatever the driver raised
        return f"error: {exc.__class__.__name__}"


def _cache() -> str:
    try:
        cache.set("readyz", "ok", timeout=5)
        return "ok" if cache.get("readyz") == "ok" else "error: value not read back"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def broker_configured() -> bool:
    from pact_portal.celery import app

    return bool(settings.CELERY_BROKER_URL) and not app.conf.task_always_eager


def _broker() -> str:
    from pact_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=settings.READYZ_BROKER_TIMEOUT)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _beat() -> tuple[dict, bool]:
    """Beat's last heartbeat (its most recent successful job), and whether that is recent enough:
    always, unless READYZ_BEAT_MAX_AGE_SECONDS asks readiness to depend on it."""
    stamps = [stamp for stamp in heartbeats.heartbeats().values() if stamp]
    age = round(time.time() - max(stamps), 1) if stamps else None
    limit = settings.READYZ_BEAT_MAX_AGE_SECONDS
    fresh = not limit or (age is not None and age <= limit)
    return {"last_heartbeat_age_seconds": age, "status": "ok" if fresh else "stale"}, fresh


@login_not_required
@never_cache
@require_safe
def readyz(request):
    """Readiness: what /healthz checks, plus the Celery broker and beat's last heartbeat (when a
    broker is configured: the embedded default runs tasks in-process and has no beat). 503 with
    the failed checks named."""
    checks: dict = {"database": _database(), "cache": _cache()}
    failed = [name for name, value in checks.items() if value != "ok"]
    if broker_configured():
        checks["broker"] = _broker()
        if checks["broker"] != "ok":
            failed.append("broker")
        try:
            checks["beat"], fresh = _beat()
        except Exception as exc:
            checks["beat"], fresh = {"status": f"error: {exc.__class__.__name__}"}, False
        if not fresh:
            failed.append("beat")
    else:
        checks["broker"] = "not configured"
    body = {"status": "error" if failed else "ok", **checks, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)
