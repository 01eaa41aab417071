"""`manage.py run_worker --queue mail`: the consumer of one worker queue (core/queues.py).

Same options as huey's `run_huey` (--workers, --no-periodic, …); `run_huey` itself stays
the consumer of the `default` queue.
"""

from __future__ import annotations

import logging

from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "Run the consumer of one task queue: default, mail, booking or reports."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        from essaim.core.queues import QUEUES

        parser.add_argument("--queue", choices=sorted(QUEUES), default="default")

    def handle(self, *args, **options):
        from essaim.core.queues import QUEUES, queue_config

        queue = options.pop("queue")
        consumer_options = dict(queue_config(queue).get("consumer", {}))
        consumer_options.update({k: v for k, v in options.items() if v is not None and k in ConsumerConfig._fields})
        # Every tasks.py, so that the tasks of this queue are registered whatever app declares them.
        autodiscover_modules("tasks")
        config = ConsumerConfig(**consumer_options)
        config.validate()
        logger = logging.getLogger("huey")
        if not logger.handlers:
            config.setup_logger(logger)
        QUEUES[queue].create_consumer(**config.values).run()
