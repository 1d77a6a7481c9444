"""The site served as a deployment serves it: `collectstatic`, `migrate`, gunicorn, `DEBUG` off.

Django's test server runs in the test's own process with `DEBUG` on and the static files from
their sources; some faults only show on the real build (a stylesheet refused for its integrity
hash, SQLite refusing simultaneous writers). `ServedSite` builds the site in a folder of its own
with a fresh SQLite database and serves it with gunicorn on a free loopback port.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

# What the environment of the test run must not pass on: the served site has its own database
# and runs tasks in-process (no broker).
_NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_FILE_PATH")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedSite:
    def __init__(self, root: Path, **env: str):
        self.root = root
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        self.env.update(
            DEBUG="0",
            SECRET_KEY="served-site-" + "k" * 50,
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}",
            STATIC_ROOT=str(root / "static"),
            MEDIA_ROOT=str(root / "media"),
            EMAIL_URL="consolemail://",
            # Plain HTTP on loopback: production's HTTPS redirect and secure cookies stay off.
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
        )
        self.env.update(env)
        self._server = None

    def manage(self, *args: str) -> str:
        """Run a management command against the served site's database; its output."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.stdout

    def build(self) -> None:
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("migrate", "--noinput", "-v0")

    def start(self, *, workers: int = 1, threads: int = 1) -> None:
        self._server = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "programme.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Waiting for the server to listen, bounded: not waiting for time to pass.
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError as error:
                if self._server.poll() is not None:
                    stderr = self._server.stderr.read().decode()
                    raise RuntimeError(f"gunicorn stopped: {stderr}") from error
                time.sleep(0.05)
        raise RuntimeError("gunicorn did not start listening")

    def stop(self) -> str:
        """Stop the server; what it wrote on its error output (tracebacks of 500s)."""
        if self._server is None:
            return ""
        self._server.terminate()
        _, errors = self._server.communicate(timeout=20)
        return errors.decode()
