from __future__ import annotations

import pytest
from django.core.management import call_command

from fulian.core import upkeep


@pytest.mark.django_db
def test_one_round_of_upkeep_runs_every_job(channel, tmp_path, settings):
    settings.EDGE_HIT_LOG = str(tmp_path / "hits.log")
    call_command("run_worker", once=True)


def test_the_worker_runs_the_jobs_the_portal_needs():
    names = {job.__name__ for _interval, job in upkeep.periodic_jobs()}
    assert {"publish_scheduled_pages", "flush_view_counts", "ingest_edge_hits", "prune_task_results"} <= names
