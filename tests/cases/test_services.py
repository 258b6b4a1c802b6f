"""Casework through its services: numbers, duplicates, workflow and approvals, consent, referrals, deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.cases import services as s
from fulian.cases.models import Case, CaseEvent, ConsentPurpose, PartyRole, Referral, ReferralStatus, Status
from fulian.hotline.models import Contact
from fulian.security.access import EditConflict, visible
from tests.factories import make_case, make_contact

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _kinds(case):
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


def test_numbers_count_per_office_and_year(orgs, owner, colleague):
    first = make_case(orgs["county"], owner)
    second = make_case(orgs["county"], owner)
    year = TODAY().year
    assert first.number == f"铜妇维〔{year}〕0001号"
    assert second.number == f"铜妇维〔{year}〕0002号"
    orgs["city"].case_prefix = "铜市妇维"
    orgs["city"].save()
    assert make_case(orgs["city"], colleague).number == f"铜市妇维〔{year}〕0001号"


def test_opening_from_a_contact_links_it_and_sets_up_the_assessment(orgs, owner):
    contact = make_contact(orgs["county"], owner, risk_minor=True)
    case = make_case(orgs["county"], owner, contacts=[contact])
    contact.refresh_from_db()
    assert contact.case == case
    assert contact.outcome == "case"
    assert case.minor_involved
    task = case.tasks.get()
    assert task.kind == "assessment"
    assert task.assignee == owner
    assert _kinds(case) == ["open"]
    assert AuditEvent.objects.filter(action="case.open", target_id=str(case.pk)).exists()
    with pytest.raises(ValidationError, match="已关联"):
        make_case(orgs["county"], owner, contacts=[Contact.objects.get(pk=contact.pk)])


def test_nobody_opens_a_case_outside_their_scope_or_for_a_member_unit(orgs, owner, outsider, liaison):
    with pytest.raises(PermissionDenied):
        make_case(orgs["county"], outsider)
    with pytest.raises(PermissionDenied):
        make_case(orgs["county"], liaison)
    with pytest.raises(ValidationError):
        make_case(orgs["police"], None)


def test_an_open_case_for_the_same_phone_or_id_number_is_found_first(orgs, owner, outsider):
    case = make_case(
        orgs["county"], owner, helped={"name": "陈晓梅", "phone": "139-0562-1234", "id_number": "340702199001011239"}
    )
    assert list(s.open_duplicates(owner, phone="13905621234")) == [case]
    assert list(s.open_duplicates(owner, id_number="340702199001011239")) == [case]
    assert not s.open_duplicates(outsider, phone="13905621234").exists()  # not in their scope
    assert not s.open_duplicates(owner, phone="13800000000").exists()


def _to_planned(case, owner, colleague):
    s.case_assess(actor=owner, case=case, version=case.version, assessment="风险较高")
    s.case_submit_plan(actor=owner, case=case, version=case.version, plan="法律援助、心理疏导")
    s.case_decide(actor=colleague, case=case, version=case.version, approve=True)


def test_the_workflow_with_approvals_and_reopen(orgs, owner, colleague):
    case = make_case(orgs["county"], owner)
    with pytest.raises(ValidationError):
        s.case_submit_plan(actor=owner, case=case, version=case.version, plan="x")  # not assessed yet
    s.case_assess(actor=owner, case=case, version=case.version, assessment="风险较高")
    assert case.tasks.get().done_at is not None
    s.case_submit_plan(actor=owner, case=case, version=case.version, plan="法律援助")
    with pytest.raises(PermissionDenied):
        s.case_decide(actor=owner, case=case, version=case.version, approve=True)  # caseworkers do not approve
    with pytest.raises(ValidationError, match="理由"):
        s.case_decide(actor=colleague, case=case, version=case.version, approve=False)
    s.case_decide(actor=colleague, case=case, version=case.version, approve=True)
    assert case.status == Status.PLANNED
    s.service_add(actor=owner, case=case, kind="legal_aid", provider="市法律援助中心", delivered_on=TODAY())
    case.refresh_from_db()
    assert case.status == Status.IN_SERVICE
    s.case_advance(actor=owner, case=case, version=case.version, to=Status.FOLLOW_UP)
    s.case_request_close(actor=owner, case=case, version=case.version, reason="问题已解决")
    s.case_decide(actor=colleague, case=case, version=case.version, approve=True)
    assert case.status == Status.CLOSED
    assert case.closed_at is not None
    s.case_reopen(actor=owner, case=case, version=case.version, reason="再次受到威胁")
    assert case.status == Status.IN_SERVICE
    assert _kinds(case) == [
        "open", "assess", "submit_plan", "approve", "service", "status", "request_close", "approve", "reopen",
    ]  # fmt: skip


def test_a_stale_version_is_refused_and_nothing_is_overwritten(orgs, owner, colleague):
    case = make_case(orgs["county"], owner)
    seen = case.version
    s.case_update(actor=owner, case=case, version=seen, summary="第一人修改")
    stale = Case.objects.get(pk=case.pk)
    with pytest.raises(EditConflict):
        s.case_update(actor=colleague, case=stale, version=seen, summary="第二人修改")
    assert Case.objects.get(pk=case.pk).summary == "第一人修改"


def test_transfer_up_to_the_city_and_back_down(orgs, owner, colleague, outsider):
    case = make_case(orgs["county"], owner)
    with pytest.raises(ValidationError):
        s.case_transfer(actor=owner, case=case, version=case.version, organisation=orgs["sibling"], reason="x")
    s.case_transfer(actor=owner, case=case, version=case.version, organisation=orgs["city"], reason="重大案件")
    assert case.organisation == orgs["city"]
    assert case.caseworker is None
    assert not visible(owner, Case).filter(pk=case.pk).exists()  # the county no longer sees it
    s.case_transfer(actor=colleague, case=case, version=case.version, organisation=orgs["sibling"], reason="属地")
    assert visible(outsider, Case).filter(pk=case.pk).exists()


def test_consent_blocks_a_referral_unless_a_supervisor_overrides_with_a_reason(orgs, owner, colleague):
    case = make_case(orgs["county"], owner)
    deadline = TODAY() + dt.timedelta(days=7)
    with pytest.raises(ValidationError, match="尚未同意"):
        s.referral_send(actor=owner, case=case, member_unit=orgs["police"], request="请依法处理", deadline=deadline)
    with pytest.raises(ValidationError, match="分管领导"):
        s.referral_send(
            actor=owner, case=case, member_unit=orgs["police"], request="请依法处理", deadline=deadline,
            override_reason="情况紧急",
        )  # fmt: skip
    referral = s.referral_send(
        actor=colleague, case=case, member_unit=orgs["police"], request="请依法处理", deadline=deadline,
        override_reason="当事人处于紧急危险中",
    )  # fmt: skip
    assert referral.override_by == colleague
    assert AuditEvent.objects.filter(action="referral.consent_override", target_id=str(referral.pk)).exists()
    # With consent recorded, the caseworker refers without anyone's override.
    s.consent_record(actor=owner, case=case, purpose=ConsentPurpose.SHARE, member_unit=orgs["police"])
    plain = s.referral_send(actor=owner, case=case, member_unit=orgs["police"], request="请协查", deadline=deadline)
    assert plain.consent_override == ""
    # A withdrawn consent no longer covers the unit.
    s.consent_withdraw(actor=owner, consent=case.consents.get())
    assert not s.consent_covers(case, orgs["police"])


def test_a_child_under_14_needs_the_guardian_s_consent(orgs, owner):
    case = make_case(orgs["county"], owner, helped={"name": "小雨", "age": 11, "sex": "F"})
    assert case.minor_involved
    with pytest.raises(ValidationError, match="监护人"):
        s.consent_record(actor=owner, case=case, purpose=ConsentPurpose.SHARE, member_unit=orgs["police"])
    with pytest.raises(ValidationError, match="监护人姓名"):
        s.consent_record(
            actor=owner, case=case, purpose=ConsentPurpose.SHARE, member_unit=orgs["police"], given_by="guardian"
        )
    s.consent_record(
        actor=owner, case=case, purpose=ConsentPurpose.SHARE, member_unit=orgs["police"], given_by="guardian",
        guardian_name="张某",
    )  # fmt: skip
    assert s.consent_covers(case, orgs["police"])


def _consented_referral(orgs, owner, case=None, days=7):
    case = case or make_case(orgs["county"], owner)
    s.consent_record(actor=owner, case=case, purpose=ConsentPurpose.SHARE, member_unit=orgs["police"])
    return s.referral_send(
        actor=owner, case=case, member_unit=orgs["police"], request="请依法出警并告诫",
        shared_details="求助人：陈女士，电话见附", deadline=TODAY() + dt.timedelta(days=days),
    )  # fmt: skip


def test_the_liaison_answers_once_acts_and_completes(orgs, owner, liaison, outsider):
    referral = _consented_referral(orgs, owner)
    # The liaison sees the referral in their own scope, and not the case behind it.
    assert list(visible(liaison, Referral)) == [referral]
    assert not visible(liaison, Case).exists()
    with pytest.raises(PermissionDenied):
        s.referral_accept(actor=outsider, referral=referral, version=referral.version)
    s.referral_accept(actor=liaison, referral=referral, version=referral.version)
    with pytest.raises(ValidationError, match="已答复"):
        s.referral_accept(actor=liaison, referral=referral, version=referral.version)
    with pytest.raises(ValidationError, match="已答复"):
        s.referral_reject(actor=liaison, referral=referral, version=referral.version, reason="不属职责")
    s.referral_act(actor=liaison, referral=referral, text="已出警，开具告诫书")
    s.referral_complete(actor=liaison, referral=referral, version=referral.version, result="已告诫加害人")
    assert referral.status == ReferralStatus.DONE
    assert _kinds(referral.case)[-4:] == ["referral_send", "referral_accept", "referral_action", "referral_done"]


def test_a_case_with_an_open_referral_cannot_be_closed(orgs, owner, colleague):
    referral = _consented_referral(orgs, owner)
    case = referral.case
    _to_planned(case, owner, colleague)
    with pytest.raises(ValidationError, match="转介"):
        s.case_request_close(actor=owner, case=case, version=case.version, reason="已解决")
    s.referral_withdraw(actor=owner, referral=referral, reason="当事人撤回求助")
    s.case_request_close(actor=owner, case=case, version=case.version, reason="已解决")


def test_missed_deadlines_escalate_once(orgs, owner):
    referral = _consented_referral(orgs, owner, days=1)
    case = referral.case
    later = TODAY() + dt.timedelta(days=10)
    assert s.escalate_overdue(today=later) == {"referrals": 1, "tasks": 1}  # the referral and the assessment
    assert s.escalate_overdue(today=later) == {"referrals": 0, "tasks": 0}
    referral.refresh_from_db()
    assert referral.escalated_at is not None
    assert {"referral_overdue", "task_overdue"} <= set(_kinds(case))


def test_bad_dates_and_parties_are_refused_in_chinese(orgs, owner):
    case = make_case(orgs["county"], owner)
    tomorrow = TODAY() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="晚于今天"):
        s.incident_add(actor=owner, case=case, occurred_on=tomorrow, kind="physical")
    with pytest.raises(ValidationError, match="校验位"):
        s.party_add(actor=owner, case=case, role=PartyRole.ALLEGED, name="王某", id_number="340702199001011238")
    with pytest.raises(ValidationError, match="电话"):
        s.party_add(actor=owner, case=case, role=PartyRole.FAMILY, name="李某", phone="12")
    with pytest.raises(ValidationError, match="早于今天"):
        s.referral_send(
            actor=owner, case=case, member_unit=orgs["police"], request="x", deadline=TODAY() - dt.timedelta(days=1),
            override_reason="y",
        )  # fmt: skip


def test_the_alleged_perpetrator_is_stored_encrypted(orgs, owner):
    from django.db import connection

    case = make_case(orgs["county"], owner)
    party = s.party_add(actor=owner, case=case, role=PartyRole.ALLEGED, name="王大强", relationship="丈夫", age=40)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM fulian_cases_party WHERE id = %s", [party.pk])
        assert cursor.fetchone()[0].startswith("enc1$")


def test_the_next_deadline_follows_tasks_and_referrals(orgs, owner, liaison):
    case = make_case(orgs["county"], owner)
    assert case.next_deadline == TODAY() + dt.timedelta(days=3)  # the assessment
    s.case_assess(actor=owner, case=case, version=case.version, assessment="评估")
    assert case.next_deadline is None
    referral = _consented_referral(orgs, owner, case=case, days=5)
    case.refresh_from_db()
    assert case.next_deadline == TODAY() + dt.timedelta(days=5)
    s.referral_accept(actor=liaison, referral=referral, version=referral.version)
    s.referral_complete(actor=liaison, referral=referral, version=referral.version, result="已处理")
    case.refresh_from_db()
    assert case.next_deadline is None
    assert not case.overdue
