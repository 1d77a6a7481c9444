"""`make bench`: the whole bench at two sizes, a tenth of the national programme and the
national programme (issue 16), then each page's median side by side.

For each size: `manage.py generate_bench_data` with its sizes, then `bench/run.py`, whose
figures go to `bench/last-<size>.json`. Exits 1 when a run failed (a page that served
nothing, or with errors). `BENCH_SIZES=national` (or `small`) runs one size only.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import report  # noqa: E402

SIZES = {
    "1,000": {
        "proposals": 1_000,
        "jurors": 300,
        "evaluations": 3_000,
        "cohorts": 10,
        "laureates": 100,
        "reports": 600,
        "drafts": 1_000,
    },
    "10,000": {},  # the defaults of demo.bench.Sizes: the national programme
}
NAMES = {"small": "1,000", "national": "10,000"}


def main() -> int:
    wanted = [NAMES[n] for n in os.environ.get("BENCH_SIZES", "small,national").split(",")]
    code, done = 0, []
    for name in wanted:
        print(f"\n=== {name} proposals ===", flush=True)
        options = [f"--{k}={v}" for k, v in SIZES[name].items()]
        env = {**os.environ, "DEBUG": "1"}
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "generate_bench_data", *options],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        target = BASE_DIR / "bench" / f"last-{name.replace(',', '')}.json"
        run = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.run"],
            cwd=BASE_DIR,
            env={**os.environ, "BENCH_JSON": str(target)},
            check=False,
        )
        code = code or run.returncode
        if target.exists():
            done.append((name, json.loads(target.read_text())))
    if len(done) > 1:
        print("\n" + "\n".join(report.compare(done)))
    return 1 if code else 0


if __name__ == "__main__":
    sys.exit(main())
