"""`make run`: the web server, one worker per task queue (with its periodic jobs) and a
local ProConnect stand-in, as processes that stop together on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from essaim.core.queues import QUEUES


class Command(BaseCommand):
    help = "Run the development web server, the Huey worker and the local ProConnect issuer together."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--proconnect-port", default="8010")

    def handle(self, *args, host, port, proconnect_port, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "devserver is for development; production runs an app server and run_worker per queue "
                "(docs/DEPLOYMENT.md)."
            )
        python = sys.executable
        commands = {"web": [python, "manage.py", "runserver", f"{host}:{port}"]}
        # One consumer per queue (essaim/core/queues.py), each with its queue's periodic jobs.
        for queue in QUEUES:
            commands[f"worker-{queue}"] = [python, "manage.py", "run_worker", "--queue", queue, "--workers", "1"]
        if settings.PROCONNECT_DOMAIN.startswith(f"http://127.0.0.1:{proconnect_port}"):
            commands["proconnect"] = [
                python,
                "-m",
                "essaim.accounts.fake_proconnect",
                "--port",
                str(proconnect_port),
            ]
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"Essaim: http://{host}:{port}/  (Ctrl-C to stop)"))
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit {process.returncode}); stopping the others.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
