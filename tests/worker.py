"""A real Celery worker for tests: a subprocess on the real Redis and the test database.

A test asks for `celery_worker` (and carries the markers `worker`, `redis` and `postgres`):
a worker is started on a queue of its own, the in-process Celery app publishes to that
queue on the real broker (eager mode off), and mail the worker sends is written as files
the test reads with `worker.delivered()`. Waiting is polling for an effect with a
deadline (`wait_for`), never sleeping for time to pass.
"""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from email import message_from_string
from email.policy import default as email_policy
from pathlib import Path

import pytest
import redis
from django.db import connection

from programme.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parent.parent
START_DEADLINE = 30.0


def wait_for(predicate, *, timeout: float = 30.0, what: str = "the effect"):
    """Poll `predicate` until it is truthy or the deadline passes; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)  # a polling interval, not a wait for time to pass


@contextlib.contextmanager
def celery_publishing(*, broker_url: str, queue: str | None = None, eager: bool = False):
    """Point the in-process Celery app at `broker_url` (and `queue`), restoring it after."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_default_queue, conf.task_always_eager)

    def reset_pools():
        # The app caches its connection and producer pools for the old broker URL (kombu
        # keeps them per URL, shared, so they are dropped here, not closed).
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url = broker_url
    if queue is not None:
        conf.task_default_queue = queue
    conf.task_always_eager = eager
    reset_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.task_default_queue, conf.task_always_eager = saved
        reset_pools()


def _database_url() -> str:
    # pytest-django has renamed the connection's database to the test one (test_<name>).
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(self, *, queue: str, mail_dir: Path, log_path: Path, process):
        self.queue = queue
        self.mail_dir = mail_dir
        self.log_path = log_path
        self.process = process

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def delivered(self) -> list:
        """The mails the worker handed to the file backend, as `email.message.Message`s."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            # The file backend separates messages with a line of 79 dashes.
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    messages.append(message_from_string(chunk.strip() + "\n", policy=email_policy))
        return messages

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real worker on a queue of its own, against REDIS_URL and the test database."""
    redis_url = os.environ["REDIS_URL"]
    queue = f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "tests-only-secret-key"),
        "PYTHONUNBUFFERED": "1",
    }
    celery = Path(sys.executable).with_name("celery")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "programme",
                "worker",
                "-P",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = Worker(queue=queue, mail_dir=mail_dir, log_path=log_path, process=process)
    try:
        wait_for(
            lambda: process.poll() is not None or " ready." in worker.log(),
            timeout=START_DEADLINE,
            what="the Celery worker to start",
        )
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited at start:\n{worker.log()}")
        with celery_publishing(broker_url=redis_url, queue=queue, eager=False):
            yield worker
    finally:
        worker.stop()
        redis.Redis.from_url(redis_url).delete(queue, f"_kombu.binding.{queue}")
        print(worker.log())  # pytest shows it when the test failed
