"""Mandatory reports: validation, the minor-protection case they open, the delay, the reporter's confidentiality."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.cases.models import Case, CaseEvent
from fulian.protection.models import MandatoryReport
from fulian.protection.services import may_see_reporter, report_record
from tests.factories import login_verified, make_case

pytestmark = pytest.mark.django_db


def _data(**extra):
    now = timezone.now()
    data = {
        "sector": "school", "reporting_unit": "铜官区某小学", "reporter_name": "李老师", "reporter_phone": "13605620003",
        "situation": "2", "child_age": 12, "child_sex": "F", "discovered_at": now - dt.timedelta(hours=5),
        "reported_at": now - dt.timedelta(hours=3), "police_unit": "铜官分局某派出所", "receipt_number": "JJ2026001",
    }  # fmt: skip
    data.update(extra)
    return data


def test_a_report_opens_a_minor_protection_case_with_the_delay(orgs, owner):
    report = report_record(actor=owner, organisation=orgs["county"], **_data())
    case = report.case
    assert case.category is not None
    assert case.category.name == "未成年人保护"
    assert case.minor_involved
    child = case.parties.get()
    assert child.age == 12
    assert child.sex == "F"
    assert report.delay_hours == 2.0
    assert CaseEvent.objects.filter(case=case, kind="mandatory_report", summary__contains="2.0 小时").exists()
    assert AuditEvent.objects.filter(action="mandatory_report.create", target_id=str(report.pk)).exists()


def test_a_report_joins_an_existing_case(orgs, owner):
    case = make_case(orgs["county"], owner, helped={"name": "小雨", "age": 12, "sex": "F"})
    report = report_record(actor=owner, organisation=orgs["county"], case=case, **_data())
    case.refresh_from_db()
    assert report.case == case
    assert case.category is not None
    assert case.category.name == "未成年人保护"
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"reported_at": timezone.now() - dt.timedelta(hours=9)}, "reported_at", "不能早于发现时间"),
        ({"discovered_at": timezone.now() + dt.timedelta(days=1)}, "discovered_at", "晚于现在"),
        ({"situation": "0"}, "situation", "九种"),
        ({"situation": "2", "child_age": 15}, "situation", "不满十四周岁"),
        ({"situation": "3", "child_age": 12}, "situation", "十四周岁以上"),
        ({"child_age": 19}, "child_age", "0 到 17"),
        ({"reporting_unit": " "}, "reporting_unit", "报告单位"),
        ({"reporter_phone": "12"}, "reporter_phone", "电话"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_saved(orgs, owner, extra, field, message):
    with pytest.raises(ValidationError) as raised:
        report_record(actor=owner, organisation=orgs["county"], **_data(**extra))
    assert message in " ".join(raised.value.message_dict[field])
    assert not MandatoryReport.objects.exists()
    assert not Case.objects.exists()


def test_only_the_scope_may_record(orgs, owner, outsider):
    with pytest.raises(PermissionDenied):
        report_record(actor=outsider, organisation=orgs["county"], **_data())


def test_the_reporter_is_seen_by_the_caseworker_and_supervisors_only(orgs, owner, colleague, deskmate, outsider):
    report = report_record(actor=owner, organisation=orgs["county"], **_data())
    assert may_see_reporter(owner, report)
    assert may_see_reporter(colleague, report)
    assert not may_see_reporter(deskmate, report)
    url = f"/admin/protection/reports/{report.pk}/"
    assert "铜官区某小学" in login_verified(Client(), owner).get(url).content.decode()
    assert "铜官区某小学" in login_verified(Client(), colleague).get(url).content.decode()
    page = login_verified(Client(), deskmate).get(url)
    assert page.status_code == 200
    assert "铜官区某小学" not in page.content.decode()
    assert "李老师" not in page.content.decode()
    assert login_verified(Client(), outsider).get(url).status_code == 404


def test_reports_are_recorded_through_the_screen(orgs, owner):
    client = login_verified(Client(), owner)
    fmt = "%Y-%m-%dT%H:%M"
    now = timezone.localtime()
    data = {
        "organisation": orgs["county"].pk, "sector": "school", "reporting_unit": "某小学", "situation": "2",
        "child_age": "12", "child_sex": "F", "discovered_at": (now - dt.timedelta(hours=4)).strftime(fmt),
        "reported_at": (now - dt.timedelta(hours=1)).strftime(fmt), "police_unit": "某派出所", "police_action": "accepted",
    }  # fmt: skip
    bad = client.post(
        "/admin/protection/reports/new/", {**data, "reported_at": (now - dt.timedelta(hours=6)).strftime(fmt)}
    )
    assert bad.status_code == 200
    assert "不能早于发现时间" in bad.content.decode()
    response = client.post("/admin/protection/reports/new/", data)
    report = MandatoryReport.objects.get()
    assert response["Location"] == f"/admin/protection/reports/{report.pk}/"
    listing = client.get("/admin/protection/reports/").content.decode()
    assert report.case.number in listing
    assert "3.0" in listing  # hours from discovery to the report


def test_a_sexual_abuse_report_puts_the_protocol_on_the_case(orgs, owner, outsider):
    from fulian.protection.services import protocol_item_done, protocol_progress

    report = report_record(actor=owner, organisation=orgs["county"], **_data())
    case = report.case
    assert protocol_progress(case) == (1, 7)  # the police report is the report itself
    opened = timezone.localdate(case.opened_at)
    assert {i.step: (i.due_on - opened).days for i in case.protocol.all()}["one_stop"] == 3
    case.refresh_from_db()
    assert case.next_deadline == opened + dt.timedelta(days=3)  # the one-stop session and the assessment
    one_stop = case.protocol.get(step="one_stop")
    with pytest.raises(PermissionDenied):
        protocol_item_done(actor=outsider, item=one_stop)
    protocol_item_done(actor=owner, item=one_stop)
    with pytest.raises(ValidationError, match="已完成"):
        protocol_item_done(actor=owner, item=one_stop)
    assert protocol_progress(case) == (2, 7)
    html = login_verified(Client(), owner).get(f"/admin/cases/{case.pk}/").content.decode()
    assert "已完成 2 / 7 步" in html
    assert '<progress max="7" value="2"' in html
    item = case.protocol.get(step="legal_aid")
    assert (
        login_verified(Client(), outsider).post(f"/admin/protection/reports/protocol/{item.pk}/done/").status_code
        == 404
    )
    response = login_verified(Client(), owner).post(f"/admin/protection/reports/protocol/{item.pk}/done/")
    assert response.status_code == 302
    assert protocol_progress(case) == (3, 7)


def test_other_situations_get_no_protocol_until_started(orgs, owner):
    report = report_record(actor=owner, organisation=orgs["county"], **_data(situation="6"))
    assert not report.case.protocol.exists()
    response = login_verified(Client(), owner).post(f"/admin/protection/reports/protocol/start/{report.case.pk}/")
    assert response.status_code == 302
    assert report.case.protocol.count() == 7


def test_the_police_follow_up_is_recorded_and_checked(orgs, owner, outsider):
    from fulian.protection.services import report_police_update

    report = report_record(actor=owner, organisation=orgs["county"], **_data())
    with pytest.raises(ValidationError) as raised:
        report_police_update(actor=owner, report=report, police_action="filed",
                             feedback_at=report.reported_at - dt.timedelta(minutes=1))  # fmt: skip
    assert "不能早于报告时间" in raised.value.message_dict["feedback_at"][0]
    with pytest.raises(ValidationError):
        report_police_update(actor=owner, report=report, police_action="lost")
    with pytest.raises(PermissionDenied):
        report_police_update(actor=outsider, report=report, police_action="filed")
    report.refresh_from_db()
    assert report.police_action == "pending"
    report_police_update(actor=owner, report=report, police_action="filed", receipt_number="LA2026-9",
                         feedback_at=report.reported_at, education_notified=True)  # fmt: skip
    report.refresh_from_db()
    assert (report.police_action, report.receipt_number, report.education_notified) == ("filed", "LA2026-9", True)
    assert AuditEvent.objects.filter(action="mandatory_report.update", target_id=str(report.pk)).exists()


def test_the_follow_up_form_answers_bad_input_in_chinese(orgs, owner):
    report = report_record(actor=owner, organisation=orgs["county"], **_data())
    client = login_verified(Client(), owner)
    early = timezone.localtime(report.reported_at - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/admin/protection/reports/{report.pk}/", {"police_action": "filed", "feedback_at": early})
    assert response.status_code == 200
    assert "不能早于报告时间" in response.content.decode()
    assert client.post(f"/admin/protection/reports/{report.pk}/", {"police_action": "filed"}).status_code == 302
