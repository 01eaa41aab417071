"""`manage.py run_worker --queue mail`: the consumer of one worker queue (core/queues.py).

Same options as huey's `run_huey` (--workers, --no-periodic, …); `run_huey` itself stays
the consumer of the `default` queue. `--queue all` starts one consumer process per queue and
stays in front of them (a small machine, the benches): a signal it gets is passed on, and
children die with it even when it is killed outright (Linux parent-death signal).
A consumer with periodic tasks also runs the outbox relay of its queue (core/outbox.py).
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
from typing import Any

from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "Run the consumer of one task queue: default, mail, booking or reports."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        from essaim.core.queues import QUEUES

        parser.add_argument("--queue", choices=[*sorted(QUEUES), "all"], default="default")

    def handle(self, *args, **options):
        from essaim.core.queues import QUEUES, queue_config

        queue = options.pop("queue")
        if queue == "all":
            return self._supervise(sorted(QUEUES), passthrough=sys.argv[2:])
        consumer_options = dict(queue_config(queue).get("consumer", {}))
        consumer_options.update({k: v for k, v in options.items() if v is not None and k in ConsumerConfig._fields})
        # Every tasks.py, so that the tasks of this queue are registered whatever app declares them.
        autodiscover_modules("tasks")
        config = ConsumerConfig(**consumer_options)
        config.validate()
        logger = logging.getLogger("huey")
        if not logger.handlers:
            config.setup_logger(logger)
        if config.periodic:
            # The consumer that runs the queue's periodic tasks (one per queue) also relays
            # the outbox messages nobody holds (core/outbox.py).
            from essaim.core.outbox import start_relay_thread

            start_relay_thread(queues=[queue])
        QUEUES[queue].create_consumer(**config.values).run()

    def _supervise(self, queues: list[str], *, passthrough: list[str]) -> None:
        args = [a for a in passthrough if not a.startswith("--queue")]
        if "all" in args:  # "--queue all" given as two words
            args.remove("all")
        children = [
            subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
                [sys.executable, sys.argv[0], "run_worker", "--queue", name, *args], preexec_fn=_die_with_parent
            )
            for name in queues
        ]

        def forward(signum: int, _frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, forward)
        codes = [child.wait() for child in children]
        if any(codes):
            sys.exit(max(codes))


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervising process dies, however it dies."""
    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
