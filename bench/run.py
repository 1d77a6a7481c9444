"""`make bench`: measure the pages, the ranking, the reminder scan and the mail worker.

Run after `manage.py generate_bench_data` (the Makefile does both). It:

1. counts each page's queries (Django's test client, signed in as the page's role) and
   keeps the slowest queries for their plans;
2. serves the site with gunicorn (2 workers) and drives each page with locust (headless,
   8 users, `BENCH_SECONDS` seconds each), from separate processes;
3. times the stored ranking of the 10,000-proposal call (whole-call recompute, one
   evaluation's line), before the pages so that they read it current; the assignment of a synthetic
   10,000 x 300 call (k = 3), the reminder scan over the drafts, and
   the delivery of those reminders by a real Celery worker to a local SMTP sink
   (aiosmtpd) when `REDIS_URL` is set;
4. prints one table and writes the figures to bench/last.json and the plans of the five
   heaviest queries to bench/plans.txt (neither committed).
"""

import csv
import http.client
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT = BASE_DIR / "bench"
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
USERS = int(os.environ.get("BENCH_USERS", "8"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "8025"))
QUEUE = "portal-bench"

# The server runs as in production (DEBUG off), over plain HTTP on the loopback.
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": os.environ.get(
        "SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789"
    ),
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    "CELERY_QUEUE": QUEUE,
    "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
}
for key, value in SERVER_ENV.items():
    os.environ.setdefault(key, value)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
sys.path.insert(0, str(BASE_DIR))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import report  # noqa: E402
from bench.pages import PAGES, path_of, targets  # noqa: E402
from demo import bench as benchdata  # noqa: E402


def sessions() -> dict[str, str]:
    """A signed-in session per role, as the cookie header the load generator sends."""
    from importlib import import_module

    from django.contrib.auth import get_user_model

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    users = get_user_model().objects
    cookies = {"anonymous": ""}
    for role, email in (("staff", benchdata.STAFF_EMAIL), ("juror", benchdata.JUROR_EMAIL)):
        user = users.get(email=email)
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = next(
            b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend")
        )
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    return cookies


def count_queries(path: str, cookie: str) -> tuple[int, int, list[dict]]:
    """(status, queries, captured queries) of one request after a warm-up request."""
    client = Client()
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    return response.status_code, len(captured), captured.captured_queries


def wait_port(port: int, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)  # polling for the server to listen
    raise SystemExit(f"nothing listens on port {port} after {deadline:.0f} s")


def serve():
    command = [
        str(BIN / "gunicorn"),
        "programme.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=os.environ.copy())  # noqa: S603
    wait_port(PORT)
    return server


def drive(path: str, cookie: str, name: str) -> dict:
    """Run locust headless against one path; its figures from the CSV stats."""
    prefix = OUT / "out" / name
    prefix.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "BENCH_PATH": path, "BENCH_COOKIE": cookie}
    subprocess.run(  # noqa: S603
        [
            os.environ.get("BENCH_LOCUST", str(BIN / "locust")),
            "-f",
            str(OUT / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(USERS),
            "--run-time",
            f"{SECONDS}s",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
            "--only-summary",
            # Users finish the request they have in flight before locust stops: nothing of
            # this page is still being served when the next one starts.
            "--stop-timeout",
            "120",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=BASE_DIR,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with open(f"{prefix}_stats.csv", newline="") as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    except (OSError, StopIteration):  # locust did not run or wrote nothing
        return {"requests": 0, "failures": 0}

    def number(key: str) -> float:
        try:
            return float(row[key])
        except (KeyError, ValueError):  # "N/A" when no request completed
            return float("nan")

    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "median_ms": number("50%"),
        "p95_ms": number("95%"),
        "rps": number("Requests/s"),
        "bytes": number("Average Content Size"),
    }


def drain(deadline: float = 120.0) -> float:
    """Wait until both workers answer the bare view at once (nothing of the previous page
    still in their hands); the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        answered = []

        def probe(answered=answered):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
                conn.request("GET", "/healthz")
                answered.append(conn.getresponse().status == 200)
                conn.close()
            except OSError:
                answered.append(False)

        probes = [threading.Thread(target=probe) for _ in range(2)]
        for t in probes:
            t.start()
        for t in probes:
            t.join()
        if all(answered):
            return time.monotonic() - started
        time.sleep(0.5)  # polling the server until its workers are free
    return time.monotonic() - started


def busy_now(seconds: float = 2.0) -> float:
    """The share of the machine's CPU busy over `seconds` (our server idle meanwhile)."""
    try:
        before = report.cpu_sample(Path("/proc/stat").read_text())
        time.sleep(seconds)  # the sampling window
        after = report.cpu_sample(Path("/proc/stat").read_text())
    except OSError:
        return float("nan")
    return report.busy_fraction(before, after)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def warm_up(path: str, cookie: str, times: int = 4) -> None:
    """A few requests first, so that each worker has imported and connected before timing."""
    for _ in range(times):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        conn.getresponse().read()
        conn.close()


def first_and_last_byte(path: str) -> dict:
    """Time to the first byte of the body and to the last, for a streamed export."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read(1)
    first = time.perf_counter() - started
    size = 1 + len(response.read())
    last = time.perf_counter() - started
    conn.close()
    return {"first_byte_ms": first * 1000, "last_byte_ms": last * 1000, "bytes": size}


class _RolledBack(Exception):
    pass


def time_ranking() -> dict:
    """The stored ranking of the 10,000-proposal call (projects.services.rankings): the
    whole-call recompute (what `manage.py recompute_ranking` and the refresh task run; target
    ≤ 1 s), of which the computation from scratch alone, and the refresh of one proposal's
    line in the transaction of an evaluation (target ≤ 50 ms), rolled back. Every other call
    is computed too, so that the pages measured next read a current ranking."""
    from django.db import transaction
    from django.utils import timezone

    from calls.models import Call
    from projects.models import Evaluation
    from projects.queries import ranking
    from projects.services import rankings

    for other in Call.objects.filter(proposals__isnull=False).distinct():
        rankings.refresh(other, now=timezone.now(), force=True)
    call = Call.objects.get(slug=benchdata.RANKING_CALL)
    recompute = []
    for _ in range(3):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            rankings.refresh(call, now=timezone.now(), force=True)
        recompute.append(time.perf_counter() - started)
    computing = []
    for _ in range(3):
        started = time.perf_counter()
        rows = ranking.call_ranking(call)
        computing.append(time.perf_counter() - started)
    evaluations = list(
        Evaluation.objects.filter(assignment__juror__call=call, state="submitted")
        .order_by("pk")
        .values_list("assignment__proposal_id", flat=True)[:: max(1, len(rows) // 10)][:10]
    )
    one = []
    for proposal_id in evaluations:
        started = time.perf_counter()
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as one_captured:
                rankings.changed(call, [proposal_id])
                one.append(time.perf_counter() - started)
                raise _RolledBack
        except _RolledBack:
            pass
    one.sort()
    return {
        "proposals": len(rows),
        "recompute_seconds": min(recompute),
        "recompute_queries": len(captured),
        "compute_seconds": min(computing),
        "one_ms": one[len(one) // 2] * 1000 if one else None,
        "one_max_ms": one[-1] * 1000 if one else None,
        "one_queries": len(one_captured) if one else None,
    }


def time_assignment(k: int = 3) -> dict:
    """The min-cost-flow assignment of a synthetic 10,000 x 300 call (target: under 30 s)."""
    from projects.services.assignment import assign

    instance = benchdata.assignment_instance()
    started = time.perf_counter()
    result = assign(**instance, k=k)
    return {
        "proposals": len(instance["proposals"]),
        "jurors": len(instance["jurors"]),
        "k": k,
        "seconds": time.perf_counter() - started,
        "spread": result.spread,
        "cost": result.cost,
    }


class Sink:
    """A local SMTP server that accepts and counts every message (aiosmtpd)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.count = 0
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=SMTP_PORT)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.count += 1
        return "250 OK"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def reminders() -> dict:
    """Time the scan over the drafts, then the worker's delivery of what it queued."""
    from programme.enums import ReminderState
    from programme.models import Reminder
    from programme.reminders import scan_reminders

    Reminder.objects.filter(recipient__email__endswith="@" + benchdata.DOMAIN).delete()
    bench_rows = Reminder.objects.filter(recipient__email__endswith="@" + benchdata.DOMAIN)
    result = {}
    with Sink() as sink:
        worker = None
        if os.environ.get("REDIS_URL"):
            import redis

            redis.Redis.from_url(os.environ["REDIS_URL"]).delete(QUEUE)
            log = open(OUT / "out" / "worker.log", "w")  # noqa: SIM115 (closed below)
            worker = subprocess.Popen(  # noqa: S603
                [
                    str(BIN / "celery"),
                    "-A",
                    "programme",
                    "worker",
                    "-Q",
                    QUEUE,
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "WARNING",
                    "--without-mingle",
                    "--without-gossip",
                ],
                cwd=BASE_DIR,
                env=os.environ.copy(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            time.sleep(5)  # the worker's start-up, so that it is not counted in the rate
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            scan = scan_reminders(now=timezone.now())
        result["scan_seconds"] = time.perf_counter() - started
        result["scan_queries"] = len(captured)
        result["owed"] = scan.queued_reminders
        if worker is not None:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                done = bench_rows.exclude(state=ReminderState.PENDING).exclude(
                    state=ReminderState.SENDING
                )
                if done.count() >= scan.queued_reminders:
                    break
                time.sleep(0.2)  # polling the ledger for the worker's progress
            elapsed = time.perf_counter() - started - result["scan_seconds"]
            sent = bench_rows.filter(state=ReminderState.SENT).count()
            result.update(
                sent=sent,
                mails=sink.count,
                send_seconds=elapsed,
                per_second=sent / elapsed if elapsed else 0,
            )
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
        else:
            result["sent"] = bench_rows.filter(state=ReminderState.SENT).count()
            result["note"] = "no REDIS_URL: tasks ran in-process during the scan"
    return result


def explain(captured: list[tuple[str, dict]], n: int = 5) -> list[dict]:
    """The plans of the n slowest distinct queries seen while counting."""
    seen, heaviest = set(), []
    for label, query in sorted(captured, key=lambda item: -float(item[1]["time"])):
        sql = query["sql"]
        if sql in seen or not sql.lstrip().upper().startswith("SELECT"):
            continue
        seen.add(sql)
        heaviest.append((label, query))
        if len(heaviest) == n:
            break
    plans = []
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        for label, query in heaviest:
            cursor.execute(prefix + query["sql"].replace("%", "%%"))
            lines = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
            seq = [line.strip() for line in lines if "Seq Scan on projects_proposal" in line]
            plans.append(
                {
                    "page": label,
                    "ms": float(query["time"]) * 1000,
                    "sql": query["sql"],
                    "plan": lines,
                    "key": (seq[0] if seq else lines[0].strip()) if lines else "",
                    "seq_scan_on_proposals": bool(seq),
                }
            )
    return plans


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "database": f"{connection.vendor} {version}",
        "when": timezone.now().isoformat(timespec="seconds"),
    }


def main() -> int:
    started = time.perf_counter()
    load_start = load()
    values = targets()
    cookies = sessions()
    print(f"{len(PAGES)} pages, {USERS} users, {SECONDS} s each, gunicorn 2 workers", flush=True)

    ranking = time_ranking()  # first: it leaves every call's stored ranking current
    print("  ranking timed", flush=True)
    rows, captured = [], []
    for page in PAGES:
        path = path_of(page, values)
        row = {"page": page.label, "url_name": page.url_name, "path": path}
        if path is None:
            row["absent"] = True
            rows.append(row)
            continue
        status, queries, seen = count_queries(path, cookies[page.role])
        row.update(status=status, queries=queries)
        captured.extend((page.label, q) for q in seen)
        rows.append(row)

    server = serve() if not os.environ.get("BENCH_SKIP_PAGES") else None
    export = None
    try:
        for i, row in enumerate(rows):
            if row.get("absent") or server is None:
                continue
            page = PAGES[i]
            row["drain_seconds"] = drain()
            row["busy_before"] = busy_now()
            warm_up(row["path"], cookies[page.role])
            row.update(drive(row["path"], cookies[page.role], f"page-{i:02d}"))
            why = report.problems(row)
            print(
                f"  {row['page']}: {row['requests']} requests"
                + (f" — {report.FAIL}: {', '.join(why)}" if why else ""),
                flush=True,
            )
        csv_page = next((r for r in rows if r["url_name"] == "cohorts:csv" and r.get("path")), None)
        if csv_page and server:
            drain()
            export = first_and_last_byte(csv_page["path"])
    finally:
        if server:
            server.terminate()
            server.wait(30)

    floor = next((r for r in rows if PAGES[rows.index(r)].floor and "rps" in r), None)
    for row in rows:
        if floor and "rps" in row:
            row["ratio"] = row["rps"] / floor["rps"] if floor["rps"] else 0

    assignment = time_assignment()
    print("  assignment timed", flush=True)
    reminder = reminders()
    print("  reminders timed", flush=True)
    plans = explain(captured)
    info = machine()
    figures = {
        "machine": info,
        "load_start": load_start,
        "load_end": load(),
        "users": USERS,
        "seconds": SECONDS,
        "pages": rows,
        "export": export,
        "ranking": ranking,
        "assignment": assignment,
        "reminders": reminder,
        "plans": [{k: v for k, v in p.items() if k != "plan"} for p in plans],
        "total_seconds": time.perf_counter() - started,
    }
    result = Path(os.environ.get("BENCH_JSON", str(OUT / "last.json")))
    result.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    with open(OUT / "plans.txt", "w") as handle:
        for p in plans:
            handle.write(f"-- {p['page']} ({p['ms']:.1f} ms)\n{p['sql']}\n")
            handle.write("\n".join(p["plan"]) + "\n\n")
    print()
    print("\n".join(report.lines(figures)))
    print("\nplans of the five heaviest queries (bench/plans.txt):")
    for p in figures["plans"]:
        print(f"  {p['page']} ({p['ms']:.1f} ms): {p['key']}")
    print(f"\nbench ran in {figures['total_seconds'] / 60:.1f} min")
    return report.exit_code(figures)


if __name__ == "__main__":
    sys.exit(main())
