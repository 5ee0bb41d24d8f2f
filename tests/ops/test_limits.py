"""Nothing the portal waits on can hold a worker for ever: mail has a timeout, every task a time limit."""

from django.conf import settings

from pact_portal.celery import app


def _project_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def _limits(task) -> tuple[int | None, int | None]:
    soft = task.soft_time_limit if task.soft_time_limit is not None else app.conf.task_soft_time_limit
    hard = task.time_limit if task.time_limit is not None else app.conf.task_time_limit
    return soft, hard


def test_every_task_has_a_soft_and_a_hard_time_limit_under_the_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    tasks = _project_tasks()
    assert "messaging.tasks.alert_fan_out_task" in tasks and "accounts.tasks.password_reset_email_task" in tasks
    unlimited = {
        name: limits
        for name, task in tasks.items()
        if None in (limits := _limits(task)) or not limits[0] < limits[1] < visibility
    }
    assert unlimited == {}


def test_the_fan_out_and_the_sends_have_longer_limits_than_the_rest():
    tasks = _project_tasks()
    default = (app.conf.task_soft_time_limit, app.conf.task_time_limit)
    for name in ("messaging.tasks.alert_fan_out_task", "messaging.tasks.deliveries_send_task"):
        soft, hard = _limits(tasks[name])
        assert soft > default[0] and hard > default[1]
    assert _limits(tasks["accounts.tasks.password_reset_email_task"]) == default


def test_sending_mail_gives_up_on_a_silent_server():
    assert settings.EMAIL_TIMEOUT == 10
