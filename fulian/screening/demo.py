"""Demo staff screening: three invented people at one office's children's centre, through the services.

Names and ID numbers are fictitious (the ID numbers carry valid check digits). Called by the demo
loader on an empty database; a second call adds nothing (the workers are found by ID number).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fulian.orgs.models import Organisation
from fulian.screening.models import ChildrenRoleKind, ChildrenWorker, WorkerKind
from fulian.screening.services import role_assign, screening_record, worker_register
from fulian.security.blind import blind_index

WORKERS = [
    # (name, ID number, phone, kind, days since the check, result, decision, role)
    ("周慧敏", "340705198803120028", "13605621001", WorkerKind.STAFF, 350, "no_record", "hire", None),
    (
        "吴晓燕",
        "340705199207150049",
        "13605621002",
        WorkerKind.VOLUNTEER,
        20,
        "no_record",
        "hire",
        ChildrenRoleKind.MANAGER,
    ),
    ("郑志强", "340706199509230032", "", WorkerKind.VOLUNTEER, 40, "record", "not_hire", None),
]


def load_screening_demo(organisation: Organisation, actor: Any = None) -> list[ChildrenWorker]:
    """One worker due for re-check within 30 days (checked about 11.5 months ago), one recently
    checked with a children's centre role, one volunteer whose check found a record (not hired, no role).

    `actor` must be None or a user who may create screening records for `organisation`."""
    today = timezone.localdate()
    centre = organisation.name.removesuffix("妇联") + "儿童之家"
    workers = []
    for name, id_number, phone, kind, days, result, decision, role in WORKERS:
        existing = ChildrenWorker.objects.filter(
            organisation=organisation, id_number_index=blind_index("id_number", id_number)
        ).first()
        if existing is not None:
            workers.append(existing)
            continue
        worker = worker_register(
            actor=actor, organisation=organisation, name=name, id_number=id_number, phone=phone, kind=kind,
            centre=centre,
        )  # fmt: skip
        checked_on = today - dt.timedelta(days=days)
        screening_record(
            actor=actor, worker=worker, authorised=True, authorised_on=checked_on - dt.timedelta(days=2),
            checked_on=checked_on, channel="police", result=result, decision=decision,
        )  # fmt: skip
        if role is not None:
            role_assign(actor=actor, worker=worker, role=role, assigned_on=checked_on + dt.timedelta(days=3))
        workers.append(worker)
    return workers
