"""`make bench`: benchmarks that print their figures. Each later issue adds its own script
under bench/ and registers it in SCRIPTS below."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_foundation.py",
    "bench_registrations.py",
    "bench_credentials.py",
    "bench_badge_json.py",
    "bench_library.py",
    "bench_network.py",
    "bench_steering.py",
    "bench_servers.py",
    "bench_load.py",
    "bench_faults.py",
    "bench_outbox_cost.py",
    "bench_backup.py",
]


def main() -> int:
    failures = 0
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        failures += subprocess.call([sys.executable, str(HERE / script)]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
