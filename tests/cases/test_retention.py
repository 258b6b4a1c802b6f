"""Retention: a closed case past its period has its personal data erased by the scheduled job;
the statistics stay the same; a reopened case is left alone; an anonymised case cannot reopen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.cases import services as s
from fulian.cases.models import Case, Referral
from fulian.cases.retention import anonymise_expired
from fulian.hotline.models import Contact
from fulian.protection.models import MandatoryReport, OneStopSession, OneStopSite
from fulian.protection.services import assistance_record, report_record, session_record
from fulian.protection.stats import minor_protection_figures
from tests.factories import make_case, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def child_case(orgs, owner, liaison):
    now = timezone.now()
    report = report_record(
        actor=owner, organisation=orgs["county"], sector="school", reporting_unit="某小学", reporter_name="李老师",
        situation="2", child_age=12, child_sex="F", discovered_at=now - dt.timedelta(hours=6),
        reported_at=now - dt.timedelta(hours=3), police_unit="某派出所",
    )  # fmt: skip
    case = report.case
    s.party_add(actor=owner, case=case, role="family", name="林母", phone="13905620102", sex="F", age=38)
    s.note_add(actor=owner, case=case, text="林母反映孩子情绪低落。")
    site = OneStopSite.objects.create(organisation=orgs["city"], name="市一站式中心", address="长江路1号")
    session_record(actor=owner, case=case, site=site, held_at=now - dt.timedelta(hours=1),
                   participants=["police", "guardian"], female_officer=True,
                   psychological_assessment="林小雨焦虑明显")  # fmt: skip
    assistance_record(actor=owner, case=case, kind="judicial", provider="市检察院", amount=Decimal("5000"),
                      provided_on=timezone.localdate(), notes="一次性司法救助")  # fmt: skip
    s.consent_record(actor=owner, case=case, purpose="share", member_unit=orgs["police"], given_by="guardian",
                     guardian_name="林母")  # fmt: skip
    referral = s.referral_send(actor=owner, case=case, member_unit=orgs["police"], request="请调查林小雨被侵害一事",
                               deadline=timezone.localdate() + dt.timedelta(days=7))  # fmt: skip
    s.referral_accept(actor=liaison, referral=referral, version=referral.version)
    s.referral_act(actor=liaison, referral=referral, text="已询问林小雨")
    contact = make_contact(orgs["county"], owner, caller_name="林母")
    s.case_link_contact(actor=owner, case=case, contact=contact)
    return case


def _close(case, days_ago):
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now() - dt.timedelta(days=days_ago))


def test_anonymisation_erases_the_personal_data_and_keeps_the_statistics(child_case, settings):
    settings.MINOR_CASE_RETENTION_DAYS = 365
    _close(child_case, 366)
    before = minor_protection_figures()
    assert before["assistance"] == {"judicial": (1, Decimal("5000"))}
    assert before["referrals_by_unit"] == {"市公安局": 1}
    assert anonymise_expired() == 1
    assert minor_protection_figures() == before
    child_case.refresh_from_db()
    assert child_case.anonymised_at is not None
    assert child_case.summary == ""
    assert {p.name for p in child_case.parties.all()} == {""}
    assert {p.phone_index for p in child_case.parties.all()} == {""}
    assert [p.age for p in child_case.parties.order_by("pk")] == [12, 38]  # statistics stay
    report = MandatoryReport.objects.get(case=child_case)
    assert (report.reporting_unit, report.reporter_name) == ("", "")
    assert report.situation == "2"
    assert report.delay_hours == 3.0
    assert OneStopSession.objects.get(case=child_case).psychological_assessment == ""
    assert child_case.assistance.get().amount == Decimal("5000")
    assert child_case.notes.get().text == ""
    referral = Referral.objects.get(case=child_case)
    assert (referral.request, referral.actions.get().text) == ("", "")
    assert Contact.objects.get(case=child_case).caller_name == ""
    assert AuditEvent.objects.filter(action="case.anonymise", target_id=str(child_case.pk)).exists()
    # Nothing readable is left in the database row either.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM fulian_cases_party WHERE case_id = %s", [child_case.pk])
        assert set(cursor.fetchall()) == {("", "")}


def test_the_period_is_counted_from_closing_at_the_edge(child_case, settings):
    settings.MINOR_CASE_RETENTION_DAYS = 365
    now = timezone.now()
    Case.objects.filter(pk=child_case.pk).update(status="closed", closed_at=now - dt.timedelta(days=365, seconds=-60))
    assert anonymise_expired(now=now) == 0
    Case.objects.filter(pk=child_case.pk).update(closed_at=now - dt.timedelta(days=365, seconds=1))
    assert anonymise_expired(now=now) == 1
    assert anonymise_expired(now=now) == 0  # once


def test_open_cases_and_other_categories_are_kept(orgs, owner, child_case, settings):
    settings.MINOR_CASE_RETENTION_DAYS = 1
    settings.CASE_RETENTION_DAYS = 0
    adult = make_case(orgs["county"], owner)
    _close(adult, 4000)
    assert anonymise_expired() == 0  # the child's case is still open; ordinary cases are kept
    settings.CASE_RETENTION_DAYS = 3650
    assert anonymise_expired() == 1
    adult.refresh_from_db()
    assert adult.anonymised_at is not None
    child_case.refresh_from_db()
    assert child_case.anonymised_at is None


def test_an_anonymised_case_cannot_reopen(child_case, colleague, settings):
    settings.MINOR_CASE_RETENTION_DAYS = 1
    _close(child_case, 2)
    anonymise_expired()
    child_case.refresh_from_db()
    with pytest.raises(ValidationError, match="已匿名化"):
        s.case_reopen(actor=colleague, case=child_case, version=child_case.version, reason="新情况")


def test_records_of_other_apps_two_hops_away_are_erased_too(orgs, owner, settings):
    from fulian.dv import services as dv
    from fulian.dv.models import WarningVisit

    settings.CASE_RETENTION_DAYS = 30
    case = make_case(orgs["county"], owner)
    victim = case.parties.get()
    abuser = s.party_add(actor=owner, case=case, role="alleged", name="王大强", sex="M", age=39)
    day = timezone.localdate() - dt.timedelta(days=10)
    letter = dv.letter_record(actor=owner, case=case, number="告字001号", police_unit="某派出所", issued_on=day,
                              abuser=abuser, victim=victim, facts="酒后殴打")  # fmt: skip
    dv.visit_record(actor=owner, letter=letter, visited_on=day, visited_by="社区居委会", findings="王大强仍有威胁")
    _close(case, 31)
    assert anonymise_expired() == 1
    letter.refresh_from_db()
    assert letter.facts == ""
    assert letter.number == "告字001号"  # a code, kept
    assert WarningVisit.objects.get(letter=letter).findings == ""
