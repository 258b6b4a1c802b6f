"""The task worker: runs queued django-tasks jobs and the periodic upkeep.

Periodic upkeep (scheduled publishing, flushing live view counts to the database,
reading the edge server's hit log, pruning finished task rows) runs in a side thread
of the same process, so a deployment has one worker service to run, not two.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from fulian.core import upkeep

logger = logging.getLogger(__name__)


class Scheduler(threading.Thread):
    def __init__(self, jobs: list[tuple[float, Callable[[], Any]]]) -> None:
        super().__init__(name="upkeep", daemon=True)
        self.jobs = jobs
        self.next_run = [0.0] * len(jobs)
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            now = time.monotonic()
            for i, (interval, job) in enumerate(self.jobs):
                if now >= self.next_run[i]:
                    self.next_run[i] = now + interval
                    close_old_connections()
                    try:
                        job()
                    except Exception:
                        # One failing job must not stop the others; it is retried next interval.
                        logger.exception("upkeep job %s failed", getattr(job, "__name__", job))
            self.stopping.wait(1.0)


class Command(BaseCommand):
    help = "运行后台任务进程（任务队列与定时维护）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="只运行一轮定时维护后退出（用于测试和运维）。")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = upkeep.periodic_jobs()
        if options["once"]:
            for _interval, job in jobs:
                job()
            return
        scheduler = Scheduler(jobs)
        scheduler.start()
        try:
            # The worker logs each task at INFO; follow LOG_LEVEL so a quiet deployment stays quiet.
            verbosity = 1 if logging.getLogger().getEffectiveLevel() <= logging.INFO else 0
            call_command("db_worker", interval=1, startup_delay=False, verbosity=verbosity)
        finally:
            scheduler.stopping.set()
