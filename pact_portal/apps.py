from django.apps import AppConfig


class PactPortalConfig(AppConfig):
    """The project package as an app, so project-wide rules are applied once every model is loaded."""

    name = "pact_portal"
    verbose_name = "PACT Portal"

    def ready(self):
        from pact_portal import text

        text.install_model_validators()
        self._observe()
        self._route_reads()

    def _route_reads(self):
        """With a read replica, each request and task notes its own writes, so the router never
        sends it to a copy older than them (pact_portal.databases.routers)."""
        from celery import signals as celery_signals
        from django.core.signals import request_started
        from django.db import connections
        from django.db.backends.signals import connection_created

        from pact_portal.databases import routers

        if not routers.replica_configured():
            return
        connection_created.connect(routers.install, dispatch_uid="pact-replica-writes")
        for connection in connections.all(initialized_only=True):
            routers.install(connection=connection)
        request_started.connect(routers.writes_forget, dispatch_uid="pact-replica-request")
        celery_signals.task_prerun.connect(routers.writes_forget, dispatch_uid="pact-replica-task", weak=False)

    def _observe(self):
        """Hooks for logs, metrics and beat heartbeats (pact_portal.observability): signals, so
        every query, task and beat job is covered without each one saying so."""
        from celery import signals as celery_signals
        from django.db.backends.signals import connection_created

        from pact_portal.observability import heartbeats, logs, metrics

        connection_created.connect(metrics.db_timer_install, dispatch_uid="pact-db-timer")
        celery_signals.task_prerun.connect(logs.task_started, dispatch_uid="pact-log-task-start", weak=False)
        celery_signals.task_postrun.connect(logs.task_finished, dispatch_uid="pact-log-task-end", weak=False)
        celery_signals.task_success.connect(heartbeats.task_succeeded, dispatch_uid="pact-beat-heartbeat", weak=False)
