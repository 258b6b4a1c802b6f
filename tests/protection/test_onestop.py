"""One-stop questioning and assistance: the rules of a session, assistance items, and the
checklist steps they complete; overdue steps raised once."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.cases.models import Case, CaseEvent
from fulian.protection.models import Assistance, OneStopSession, OneStopSite, ProtocolItem, Step
from fulian.protection.services import assistance_record, escalate_protocol, report_record, session_record
from tests.factories import login_verified, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(orgs):
    return OneStopSite.objects.create(organisation=orgs["city"], name="市一站式询问救助中心", address="长江路1号")


@pytest.fixture
def girl_case(orgs, owner):
    now = timezone.now()
    report = report_record(
        actor=owner, organisation=orgs["county"], sector="school", reporting_unit="某小学", situation="2",
        child_age=12, child_sex="F", discovered_at=now - dt.timedelta(hours=4), reported_at=now - dt.timedelta(hours=2),
        police_unit="某派出所",
    )  # fmt: skip
    return report.case


def _session(**extra):
    data = {
        "held_at": timezone.now() - dt.timedelta(hours=1),
        "participants": ["police", "guardian", "doctor", "psychologist"],
        "female_officer": True,
        "rights_notified": True,
    }
    data.update(extra)
    return data


def test_a_session_completes_the_one_stop_step_and_is_audited(girl_case, owner, site):
    session = session_record(actor=owner, case=girl_case, site=site, **_session(recording_reference="LX-2026-01"))
    step = ProtocolItem.objects.get(case=girl_case, step=Step.ONE_STOP)
    assert step.done_at is not None
    assert step.done_by == owner
    assert session.participant_labels()[0] == "公安民警"
    assert CaseEvent.objects.filter(case=girl_case, kind="one_stop").exists()
    assert AuditEvent.objects.filter(action="one_stop.record", target_id=str(girl_case.pk)).exists()


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"female_officer": None}, "female_officer", "女童"),
        ({"female_officer": False}, "no_female_officer_reason", "必须说明原因"),
        ({"interviews": 2}, "repeat_reason", "再次询问必须记录理由"),
        ({"interviews": 11}, "interviews", "1 到 10"),
        ({"participants": ["doctor", "guardian"]}, "participants", "公安民警或检察官"),
        ({"participants": ["police", "doctor"]}, "participants", "合适成年人"),
        ({"participants": ["police", "guardian", "uncle"]}, "participants", "无法识别"),
        ({"held_at": timezone.now() + dt.timedelta(days=1)}, "held_at", "晚于现在"),
    ],
)
def test_bad_sessions_are_refused_and_nothing_is_saved(girl_case, owner, site, extra, field, message):
    with pytest.raises(ValidationError) as raised:
        session_record(actor=owner, case=girl_case, site=site, **_session(**extra))
    assert message in " ".join(raised.value.message_dict[field])
    assert not OneStopSession.objects.exists()
    assert ProtocolItem.objects.get(case=girl_case, step=Step.ONE_STOP).done_at is None


def test_a_second_interview_needs_a_reason(girl_case, owner, site):
    session_record(actor=owner, case=girl_case, site=site, **_session())
    with pytest.raises(ValidationError) as raised:
        session_record(actor=owner, case=girl_case, site=site, **_session())
    assert "再次询问" in " ".join(raised.value.message_dict["repeat_reason"])
    session_record(actor=owner, case=girl_case, site=site, **_session(repeat_reason="首次询问后发现新的涉案人员"))
    assert OneStopSession.objects.filter(case=girl_case).count() == 2


def test_without_a_woman_present_the_reason_is_recorded(girl_case, owner, site):
    session = session_record(
        actor=owner,
        case=girl_case,
        site=site,
        **_session(female_officer=False, no_female_officer_reason="夜间紧急取证"),
    )
    assert session.no_female_officer_reason == "夜间紧急取证"


def test_a_boys_session_does_not_ask_about_a_woman_officer(orgs, owner, site):
    case = make_case(orgs["county"], owner, helped={"name": "小明", "sex": "M", "age": 10})
    session_record(actor=owner, case=case, site=site, **_session(female_officer=None))
    assert OneStopSession.objects.filter(case=case).exists()


def test_an_inactive_site_or_a_closed_case_is_refused(girl_case, owner, site):
    site.active = False
    site.save()
    with pytest.raises(ValidationError) as raised:
        session_record(actor=owner, case=girl_case, site=site, **_session())
    assert "停用" in " ".join(raised.value.message_dict["site"])
    Case.objects.filter(pk=girl_case.pk).update(status="closed")
    girl_case.refresh_from_db()
    with pytest.raises(ValidationError, match="已结案"):
        assistance_record(
            actor=owner, case=girl_case, kind="legal", provider="法援中心", provided_on=timezone.localdate()
        )


def test_the_outsider_cannot_record(girl_case, outsider, site):
    with pytest.raises(PermissionDenied):
        session_record(actor=outsider, case=girl_case, site=site, **_session())
    with pytest.raises(PermissionDenied):
        assistance_record(
            actor=outsider, case=girl_case, kind="legal", provider="法援中心", provided_on=timezone.localdate()
        )


@pytest.mark.parametrize(
    ("kind", "step"),
    [("legal", Step.LEGAL_AID), ("psychological", Step.PSYCHOLOGICAL), ("judicial", Step.RELIEF),
     ("placement", Step.RELIEF), ("schooling", Step.SCHOOL)],
)  # fmt: skip
def test_assistance_completes_its_checklist_step(girl_case, owner, kind, step):
    assistance_record(
        actor=owner,
        case=girl_case,
        kind=kind,
        provider="某单位",
        provided_on=timezone.localdate(),
        amount=Decimal("3000"),
    )
    assert ProtocolItem.objects.get(case=girl_case, step=step).done_at is not None


def test_training_completes_no_step(girl_case, owner):
    before = ProtocolItem.objects.filter(case=girl_case, done_at__isnull=False).count()
    assistance_record(actor=owner, case=girl_case, kind="training", provider="某学校", provided_on=timezone.localdate())
    assert ProtocolItem.objects.filter(case=girl_case, done_at__isnull=False).count() == before


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"kind": "cash"}, "kind", "救助类型"),
        ({"provider": "  "}, "provider", "提供救助的单位"),
        ({"amount": Decimal("-1")}, "amount", "金额"),
        ({"amount": Decimal("1000000.01")}, "amount", "金额"),
        ({"provided_on": timezone.localdate() + dt.timedelta(days=1)}, "provided_on", "晚于今天"),
    ],
)
def test_bad_assistance_is_refused(girl_case, owner, extra, field, message):
    data: dict[str, Any] = {"kind": "judicial", "provider": "市检察院", "provided_on": timezone.localdate(),
                            "amount": Decimal("5000")}  # fmt: skip
    data.update(extra)
    with pytest.raises(ValidationError) as raised:
        assistance_record(actor=owner, case=girl_case, **data)
    assert message in " ".join(raised.value.message_dict[field])
    assert not Assistance.objects.exists()


def test_an_overdue_step_is_raised_exactly_once(girl_case):
    opened = timezone.localdate(girl_case.opened_at)
    # The one-stop step is due three days after opening: on the due day it is not late yet.
    assert escalate_protocol(today=opened + dt.timedelta(days=3)) == 0
    raised = escalate_protocol(today=opened + dt.timedelta(days=4))
    assert raised == 2  # the one-stop session and psychological support, both due on day 3
    assert escalate_protocol(today=opened + dt.timedelta(days=4)) == 0
    assert CaseEvent.objects.filter(case=girl_case, kind="protocol_overdue").count() == 2


def test_a_done_step_is_never_raised(girl_case, owner, site):
    session_record(actor=owner, case=girl_case, site=site, **_session())
    escalate_protocol(today=timezone.localdate(girl_case.opened_at) + dt.timedelta(days=4))
    assert not ProtocolItem.objects.filter(case=girl_case, step=Step.ONE_STOP, escalated_at__isnull=False).exists()


# --- over HTTP ---------------------------------------------------------------------------------------


def test_the_session_form_shows_chinese_errors_and_saves_once(client, girl_case, owner, site):
    login_verified(client, owner)
    url = f"/admin/protection/reports/case/{girl_case.pk}/session/"
    held = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    token = str(uuid.uuid4())
    post = {"site": site.pk, "held_at": held, "participants": ["police", "guardian"], "female_officer": "unknown",
            "interviews": "1", "once": token}  # fmt: skip
    response = client.post(url, post)
    assert response.status_code == 200
    assert "女童" in response.content.decode()
    post["female_officer"] = "true"
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 302  # the double click
    assert OneStopSession.objects.count() == 1
    page = client.get(f"/admin/cases/{girl_case.pk}/").content.decode()
    assert "市一站式询问救助中心" in page


def test_the_outsider_gets_404_on_the_forms(client, girl_case, outsider):
    login_verified(client, outsider)
    assert client.get(f"/admin/protection/reports/case/{girl_case.pk}/session/").status_code == 404
    assert client.get(f"/admin/protection/reports/case/{girl_case.pk}/assistance/").status_code == 404


def test_my_work_lists_late_steps_for_the_supervisor(client, girl_case, colleague):
    ProtocolItem.objects.filter(case=girl_case, step=Step.ONE_STOP).update(
        due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    escalate_protocol()
    login_verified(client, colleague)
    page = client.get("/admin/mywork/").content.decode()
    assert "办理流程超期" in page
    assert girl_case.number in page
