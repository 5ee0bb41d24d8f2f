from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dataprotection"
    verbose_name = "Data protection"

    def ready(self):
        from celery import signals

        from dataprotection.audit import tasks_context

        signals.task_prerun.connect(tasks_context.task_context_enter, dispatch_uid="audit-task-enter", weak=False)
        signals.task_postrun.connect(tasks_context.task_context_exit, dispatch_uid="audit-task-exit", weak=False)
