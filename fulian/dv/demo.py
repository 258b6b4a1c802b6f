"""Demo domestic-violence measures (all invented), made through the real services so they are on the
timeline and in the audit trail like real work. Called by the demo loader for an existing DV case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fulian.cases.models import Case, PartyRole


def load_dv_demo(case: Case, actor: Any) -> None:
    """A warning letter (delivered to both parties, the committee told, one follow-up visit) and two
    protection orders: one applied for urgently by the federation 30 hours ago and not yet ruled on
    (its ruling is overdue), one granted about five months and twenty days ago for six months (it
    expires within two weeks). Then the reminders run, so both show on the timeline and "my work"."""
    from fulian.cases import services as cases
    from fulian.dv import services as dv
    from fulian.dv.models import BehalfReason, Measure, Outcome

    if case.warning_letters.exists() or case.protection_orders.exists():
        return
    victim = case.parties.filter(role=PartyRole.HELPED).order_by("pk").first()
    if victim is None:
        victim = cases.party_add(actor=actor, case=case, role=PartyRole.HELPED, name="陈晓梅", sex="F", age=36)
    abuser = case.parties.filter(role=PartyRole.ALLEGED).order_by("pk").first()
    if abuser is None:
        abuser = cases.party_add(
            actor=actor, case=case, role=PartyRole.ALLEGED, name="王大强", relationship="丈夫", sex="M", age=39
        )
    now = timezone.now()
    today = timezone.localdate(now)

    letter = dv.letter_record(
        actor=actor, case=case, number=f"铜公（天）告字〔{today.year}〕017号", police_unit="铜陵市公安局铜官分局天井湖派出所",
        issued_on=today - dt.timedelta(days=5), abuser=abuser, victim=victim,
        facts="被申请人酒后殴打申请人，致面部及手臂软组织挫伤，派出所出警后出具告诫书。",
        delivered_to_abuser_on=today - dt.timedelta(days=5), delivered_to_victim_on=today - dt.timedelta(days=4),
        committee_notified_on=today - dt.timedelta(days=4),
    )  # fmt: skip
    dv.visit_record(
        actor=actor, letter=letter, visited_on=today - dt.timedelta(days=2), visited_by="天井湖派出所、天井湖社区居委会",
        findings="入户查访，被申请人表示不再动手；申请人反映仍有言语威胁。", abuse_stopped=False,
    )  # fmt: skip

    # Urgent, applied for by the federation on the victim's behalf (she is afraid to apply herself).
    dv.order_apply(
        actor=actor, case=case, applicant=victim, respondent=abuser, court="铜陵市铜官区人民法院",
        applied_at=now - dt.timedelta(hours=30), urgent=True, on_behalf=True, behalf_reason=BehalfReason.COERCION,
        measures_requested=[Measure.NO_VIOLENCE, Measure.NO_CONTACT, Measure.MOVE_OUT],
        facts="被申请人长期酒后殴打申请人，公安机关已出具告诫书，但其仍以言语威胁，申请人因恐惧不敢自行申请。",
    )  # fmt: skip

    # An earlier order, granted for six months, now close to its expiry.
    ruled_on = dv.add_months(today, -dv.ORDER_MONTHS) + dt.timedelta(days=10)
    ruled_at = timezone.make_aware(dt.datetime.combine(ruled_on, dt.time(10, 0)))
    earlier = dv.order_apply(
        actor=actor, case=case, applicant=victim, respondent=abuser, court="铜陵市铜官区人民法院",
        applied_at=ruled_at - dt.timedelta(hours=48), urgent=False,
        measures_requested=[Measure.NO_VIOLENCE, Measure.NO_CONTACT],
        facts="被申请人多次殴打申请人。",
    )  # fmt: skip
    dv.order_rule(
        actor=actor, order=earlier, ruled_at=ruled_at, outcome=Outcome.GRANTED, ruling_number=f"（{ruled_on.year}）皖0705民保令3号",
        measures_granted=[Measure.NO_VIOLENCE, Measure.NO_CONTACT], valid_until=dv.latest_valid_until(ruled_on),
    )  # fmt: skip
    dv.order_alerts()
