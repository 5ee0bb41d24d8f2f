"""What the chaos tests break things with: a private Redis that can be restarted, Celery workers
that can be killed with SIGKILL, PostgreSQL connections that can be cut, and a publisher for the
private broker.

The Redis is a redis-server of the test's own on a port from 6390 up, never the machine's shared
one: restarting that, or restoring every unacknowledged message in it (which a short visibility
timeout does), would disturb everyone else using it.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
from celery import Celery
from django.db import connection

PROJECT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")


def wait_for(check, *, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return bool(check())


def free_port(first: int = 6390, last: int = 6499) -> int:
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port between {first} and {last} for a private Redis.")


class PrivateRedis:
    """redis-server on 127.0.0.1:<port> with an append-only file synced on every write, so a
    restart keeps the queues, as a broker's Redis in production should."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        command += ["--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", ""]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - redis-server, our arguments
        if not wait_for(self.ping, timeout=10):
            raise RuntimeError(f"The private redis-server on port {self.port} did not start.")

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): Redis finishes its append-only file and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self, *, down_for: float) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


class Broker:
    """Publishes the engine's tasks to a queue on the private Redis, as the web process would."""

    def __init__(self, url: str, queue: str):
        self.queue = queue
        self.app = Celery("chaos", broker=url, set_as_current=False)
        self.app.conf.broker_connection_retry_on_startup = True

    def send(self, task: str, **kwargs) -> None:
        self.app.send_task(f"messaging.tasks.{task}", kwargs=kwargs, queue=self.queue)

    def state(self) -> dict:
        """What the broker holds, for a test's failure message: waiting and unacknowledged
        messages, and how long the lock on restoring the unacknowledged ones still has to run."""
        try:
            with self.app.connection_for_write() as connection:
                client = connection.default_channel.client
                return {
                    "waiting": client.llen(self.queue),
                    "unacknowledged": client.hlen("unacked"),
                    "restore_lock_ttl": client.ttl("unacked_mutex"),
                }
        except Exception as exc:  # noqa: BLE001 - a diagnostic must not hide the failure it explains
            return {"unreadable": repr(exc)}

    def close(self) -> None:
        self.app.close()


# The engine's timings, shortened in the worker so a test sees in seconds what production sees in
# minutes. sending.SEND_BATCH and fanout.FANOUT_BATCH are bound as default arguments, hence the
# __kwdefaults__: smaller batches mean a kill lands inside a fan-out and inside a send batch.
WORKER_SCRIPT = """
import django
django.setup()
from datetime import timedelta
from messaging.delivery import fanout
from messaging.delivery import sending
sending.LEASE = timedelta(seconds={lease})
sending.BACKOFF_BASE_SECONDS = {backoff_base}
sending.send_ranges.__kwdefaults__["batch_size"] = {send_batch}
fanout.alert_fan_out.__kwdefaults__["batch_size"] = {fanout_batch}
from pact_portal.celery import app, worker_queues
app.conf.broker_transport_options = {{
    "visibility_timeout": {visibility_timeout},
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # The restore runs under a Redis lock that outlives a worker killed while holding it; kombu's
    # 300-second default then stops every restore for five minutes, longer than a test waits.
    "unacked_mutex_expire": {visibility_timeout},
}}
# The test publishes to its own queue; the worker's own tasks go on the class queues (prefixed).
app.worker_main(["worker", "-Q", {queue!r} + "," + worker_queues(), "-n", {name!r}, "-c", "1", "-l", {log_level!r},
                 "--without-gossip", "--without-mingle", "--without-heartbeat"])
"""


class Worker:
    """One Celery worker (a prefork main process and its pool child) in a process group of its
    own, so SIGKILL takes the whole worker at once, as a lost machine or container would."""

    def __init__(self, *, name: str, queue: str, env: dict, timings: dict):
        self.name = f"{name}@chaos"
        self.application_name = f"chaos-{queue}-{name}"
        log_level = os.environ.get("CHAOS_WORKER_LOG_LEVEL", "error")
        self.script = WORKER_SCRIPT.format(queue=queue, name=self.name, log_level=log_level, **timings)
        # PGAPPNAME tags the worker's PostgreSQL connections, so only they are cut.
        self.env = {**env, "PGAPPNAME": self.application_name}
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", self.script], cwd=PROJECT, env=self.env, start_new_session=True
        )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9 of the main process and its pool child together."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown of the main process, which stops its pool; SIGKILL if it takes long."""
        if not self.alive:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.kill()


class Fleet:
    """The workers of one test: started, killed and replaced in turn."""

    def __init__(self, *, queue: str, env: dict, timings: dict):
        self.queue, self.env, self.timings = queue, env, timings
        self.workers: list[Worker] = []
        self.started = 0
        self.killed = 0

    def start(self, count: int = 1) -> list[Worker]:
        started = []
        for _ in range(count):
            self.started += 1
            worker = Worker(name=f"w{self.started}", queue=self.queue, env=self.env, timings=self.timings)
            self.workers.append(worker.start())
            started.append(worker)
        return started

    @staticmethod
    def ready(broker: "Broker", workers: list[Worker], timeout: float = 90) -> bool:
        """Whether every one of `workers` answered a ping within `timeout` seconds."""
        names = {worker.name for worker in workers}

        def answered() -> bool:
            replies = broker.app.control.ping(destination=sorted(names), timeout=0.5)
            return {name for reply in replies for name in reply} >= names

        return wait_for(answered, timeout=timeout, interval=0)

    def live(self) -> list[Worker]:
        return [worker for worker in self.workers if worker.alive]

    def kill(self, worker: Worker) -> None:
        worker.kill()
        self.killed += 1

    def application_names(self) -> list[str]:
        return [worker.application_name for worker in self.workers]

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


def connections_of(application_names, *, running: str = "") -> list[str]:
    """The application names among `application_names` with a connection open (running a
    statement that holds `running`, if given: the audit trail's context goes in front of a task's
    statements as `SELECT set_config(…);`, so a statement no longer starts with its own words)."""
    sql = "SELECT application_name FROM pg_stat_activity WHERE application_name = ANY(%s)"
    params: list = [list(application_names)]
    if running:
        sql += " AND state = 'active' AND query LIKE %s"
        params.append("%" + running.replace("%", r"\%") + "%")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [name for (name,) in cursor.fetchall()]


def terminate_connections(application_names) -> int:
    """pg_terminate_backend on every connection the named workers have open; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ANY(%s)",
            [list(application_names)],
        )
        return cursor.fetchone()[0]


def database_url() -> str:
    """The test database, for a worker in another process."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
