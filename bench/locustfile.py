"""One page hammered by `make bench`: GET $BENCH_PATH as fast as the server answers.

Started by `bench/run.py` once per page (locust headless, 8 users); the session cookie of
the role is in $BENCH_COOKIE (empty for a visitor)."""

import os

from locust import FastHttpUser, constant, task

PATH = os.environ.get("BENCH_PATH", "/healthz")
COOKIE = os.environ.get("BENCH_COOKIE", "")


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        headers = {"Cookie": COOKIE} if COOKIE else {}
        with self.client.get(PATH, headers=headers, name=PATH, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
