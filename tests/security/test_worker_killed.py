"""A Celery worker killed in the middle of a send loses nothing and sends nothing twice.

What happens, step by step (settings: `CELERY_TASK_ACKS_LATE`,
`CELERY_TASK_REJECT_ON_WORKER_LOST`, the reminder ledger's claim):

1. The scan writes the ledger rows and queues one send task per person.
2. The worker takes the task (not acknowledged yet: acks late), claims the rows with one
   conditional UPDATE (pending -> sending, with its token), and dies inside the mail
   backend, before the mail leaves and before the rows are marked sent.
3. The task message stays unacknowledged in Redis; Redis hands it back only after its
   visibility timeout (one hour by default). Until then the rows stay "sending": no other
   task may claim them, so nothing goes twice.
4. The next scan after `STALE_CLAIM_AFTER` (15 minutes, longer than any task may run) puts
   the rows back to pending and queues them again; a live worker sends them: one mail.
5. When Redis finally redelivers the old message, its task finds the rows sent and claims
   nothing: still one mail.

The one window left is a death after the mail server accepted the mail and before the
rows are marked sent: then step 4 sends it again (at least once, never lost). Since the
ledger is marked in bulk (`programme.reminders.LEDGER_FLUSH`, issue 16), that window holds
the mails of one batch, sent within a second or so. The test kills the worker before the
mail leaves.
"""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from calls.enums import CallState
from programme.delivery import STALE_CLAIM_AFTER
from programme.enums import ReminderState
from programme.models import Reminder
from programme.reminders import scan_reminders
from programme.tasks import send_reminders
from tests import factories
from tests.cohorts.conftest import draft_with_team
from tests.worker import (
    BASE_DIR,
    START_DEADLINE,
    Worker,
    _database_url,
    celery_publishing,
    wait_for,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def start_worker(folder: Path, queue: str, **env) -> Worker:
    folder.mkdir()
    (folder / "mail").mkdir()
    log_path = folder / "worker.log"
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_FILE_PATH": str(folder / "mail"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "tests-only-secret-key"),
        "PYTHONUNBUFFERED": "1",
        **env,
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
                f"{queue}-{folder.name}@%h",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = Worker(queue=queue, mail_dir=folder / "mail", log_path=log_path, process=process)
    wait_for(
        lambda: process.poll() is not None or " ready." in worker.log(),
        timeout=START_DEADLINE,
        what="the Celery worker to start",
    )
    assert process.poll() is None, worker.log()
    return worker


def states() -> set[str]:
    return set(Reminder.objects.values_list("state", flat=True))


def test_a_worker_killed_while_sending_loses_nothing_and_sends_nothing_twice(tmp_path):
    redis_url = os.environ["REDIS_URL"]
    queue = f"test-kill-{uuid.uuid4().hex[:10]}"
    now = timezone.now()  # the worker reads the real clock
    call = factories.CallFactory(
        state=CallState.PUBLISHED,
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=3),
    )
    draft = draft_with_team(call, title="Registre des digues")
    workers = []
    try:
        with celery_publishing(broker_url=redis_url, queue=queue, eager=False):
            doomed = start_worker(
                tmp_path / "doomed",
                queue,
                DJANGO_SETTINGS_MODULE="tests.security.worker_kill_settings",
                KILL_MARKER=str(tmp_path / "killed"),
            )
            workers.append(doomed)

            assert scan_reminders(now=now).queued_recipients == 1
            wait_for(lambda: doomed.process.poll() is not None, what="the worker to die")
            assert doomed.process.returncode == 137
            assert (tmp_path / "killed").exists()
            # Claimed, not sent, and nobody else may take it while the claim holds.
            assert states() == {ReminderState.SENDING}
            assert doomed.delivered() == []
            assert scan_reminders(now=now + timedelta(minutes=5)).queued_reminders == 0

            rescuer = start_worker(tmp_path / "rescuer", queue)
            workers.append(rescuer)
            later = now + STALE_CLAIM_AFTER + timedelta(minutes=1)
            assert scan_reminders(now=later).queued_reminders == 1
            wait_for(lambda: states() == {ReminderState.SENT}, what="the ledger to say sent")
            [delivered] = wait_for(rescuer.delivered, what="the mail")
            assert delivered["To"] == draft.created_by.email

            # Redis gives the dead worker's message back (after its visibility timeout):
            # the same task again sends nothing.
            reminder = Reminder.objects.get()
            result = send_reminders.delay(
                recipient_id=reminder.recipient_id, reminder_ids=[reminder.pk]
            )
            wait_for(
                lambda: (
                    f"Task programme.tasks.send_reminders[{result.id}] succeeded" in rescuer.log()
                ),
                what="the redelivered task to run",
            )
            assert len(rescuer.delivered()) == 1
            assert doomed.delivered() == []
            assert states() == {ReminderState.SENT}
    finally:
        for worker in workers:
            worker.stop()
        connection = redis.Redis.from_url(redis_url)
        connection.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        # The dead worker's unacknowledged message, which Redis would restore in an hour.
        for tag, payload in connection.hgetall("unacked").items():
            if queue.encode() in payload:
                connection.hdel("unacked", tag)
                connection.zrem("unacked_index", tag)
        for worker in workers:
            print(worker.log())
