"""Run pip-audit on the installed dependencies and say plainly what it could check.

pip-audit prints "No known vulnerabilities found" even when the package index answered none of
its questions (each dependency is then only "skipped"). This reads its JSON report instead:
- a known vulnerability fails (exit 1), listed with its fix versions;
- a dependency that could not be checked is named, with the reason, as NOT verified;
  with --strict that fails too (exit 1), without it the audit passes but says so.
pip-audit reaches the package index through its own client; nothing else is contacted here.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "pip-audit.json"
        command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off"]
        command += ["--skip-editable", "--format", "json", "--output", str(report)]
        # Its own summary says "No known vulnerabilities found" even when it checked nothing:
        # it is kept for when pip-audit fails without a report.
        finished = subprocess.run(command, check=False, capture_output=True, text=True)  # noqa: S603
        if not report.exists():
            print(finished.stdout + finished.stderr)
            print(f"pip-audit failed (exit {finished.returncode}) and wrote no report.")
            return 1
        dependencies = json.loads(report.read_text())["dependencies"]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    checked = len(dependencies) - len(skipped)
    print(f"pip-audit checked {checked} of {len(dependencies)} installed dependencies.")
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            print(f"VULNERABLE: {dependency['name']} {dependency['version']}: {vuln['id']} "
                  f"(fixed in {fixes})")  # fmt: skip
    if skipped and not checked:
        print(
            f"NOT VERIFIED: pip-audit could check none of the {len(skipped)} dependencies "
            f"(e.g. {skipped[0]['skip_reason']!r}). Their vulnerabilities are unknown."
        )
    elif skipped:
        print(f"NOT VERIFIED: {len(skipped)} dependencies could not be checked:")
        for dependency in skipped:
            print(f"  {dependency['name']}: {dependency['skip_reason']}")
    if vulnerable:
        return 1
    if skipped:
        return 1 if strict else 0
    print("No known vulnerability in any checked dependency.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
