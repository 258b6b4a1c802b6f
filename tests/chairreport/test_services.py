"""The report's write path: create, refresh, update, finalise, reopen — their rules, refusals,
version conflicts and audit records."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.chairreport import services as s
from fulian.chairreport.models import ChairReport, ReportStatus
from fulian.security.access import EditConflict
from tests.chairreport.conftest import YEAR, local
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

SECTIONS = [
    {"heading": "一、总体情况", "body": "第一段。\n\n第二段。"},
    {"heading": "二、下一步工作", "body": "继续努力。"},
]


def _create(owner, year=YEAR, **kwargs):
    return s.report_create(actor=owner, year=year, **kwargs)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_create_assembles_the_figures_and_drafts_the_text(year_data, owner, jm):
    report = _create(owner, speaker="市妇联主席 徐某某")
    assert report.status == ReportStatus.DRAFT
    assert report.organisation == jm["city"]  # the secretariat's organisation
    assert report.title == f"{YEAR}年度维护妇女儿童合法权益工作报告"
    assert report.speaker == "市妇联主席 徐某某"
    assert report.figures["contacts"]["total"] == 6
    assert report.figures["tables"]
    assert len(report.sections) == 4
    assert "受理来电来访6件" in report.sections[0]["body"]
    assert report.assembled_at is not None
    event = AuditEvent.objects.get(action="chairreport.create")
    assert event.target_id == str(report.pk)
    assert event.detail == {"year": YEAR}


def test_one_report_per_year(owner):
    _create(owner)
    with pytest.raises(ValidationError) as error:
        _create(owner)
    assert "该年度的工作报告已存在。" in _messages(error.value)
    assert ChairReport.objects.count() == 1


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (timezone.localdate().year + 1, "不能为将来的年度生成工作报告"),
        (3000, "不能为将来的年度生成工作报告"),
        (1900, "年度应在 2000 年及以后"),
        ("二〇二五", "请填写年度"),
        (None, "请填写年度"),
    ],
)
def test_bad_years_are_refused_in_chinese(owner, year, message):
    with pytest.raises(ValidationError) as error:
        _create(owner, year=year)
    assert message in _messages(error.value)


def test_the_current_year_may_be_drafted(owner):
    assert _create(owner, year=timezone.localdate().year).figures["complete"] is False


def test_only_the_secretariat_creates(colleague, outsider, jm):
    for user in (colleague, outsider):
        with pytest.raises(PermissionDenied):
            _create(user)
    assert not ChairReport.objects.exists()


def test_refresh_keeps_the_edited_text_and_reassembles_the_figures(year_data, owner, jm, cat):
    report = _create(owner)
    s.report_update(actor=owner, report=report, title="团结协作 攻坚克难", speaker="", sections=SECTIONS,
                    expected_version=report.version)  # fmt: skip
    make_contact(jm["county"], received_at=local(YEAR, 5, 5, 10), category=cat["婚姻家庭"])
    s.report_refresh_figures(actor=owner, report=report, expected_version=report.version)
    report.refresh_from_db()
    assert report.figures["contacts"]["total"] == 7
    assert report.sections == SECTIONS
    assert report.title == "团结协作 攻坚克难"
    assert report.version == 3
    assert AuditEvent.objects.filter(action="chairreport.refresh", target_id=str(report.pk)).exists()


def test_a_stale_version_is_refused(owner):
    report = _create(owner)
    seen = report.version
    s.report_refresh_figures(actor=owner, report=report, expected_version=seen)
    stale = ChairReport.objects.get(pk=report.pk)
    tampered: Any = "abc"  # what a tampered page could send, untyped
    for call in (
        lambda: s.report_refresh_figures(actor=owner, report=stale, expected_version=seen),
        lambda: s.report_update(actor=owner, report=stale, title="标题", speaker="", sections=SECTIONS,
                                expected_version=seen),
        lambda: s.report_finalise(actor=owner, report=stale, expected_version=seen),
        lambda: s.report_update(actor=owner, report=stale, title="标题", speaker="", sections=SECTIONS,
                                expected_version=tampered),
    ):  # fmt: skip
        with pytest.raises(EditConflict):
            call()
    assert ChairReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_update_changes_the_text_and_audits_the_fields_only(owner):
    report = _create(owner)
    s.report_update(actor=owner, report=report, title="  团结协作  攻坚克难 ", speaker="徐某某",
                    sections=json.dumps(SECTIONS, ensure_ascii=False), expected_version=report.version)  # fmt: skip
    report.refresh_from_db()
    assert report.title == "团结协作 攻坚克难"
    assert report.sections == SECTIONS
    event = AuditEvent.objects.get(action="chairreport.update")
    assert event.detail == {"changed": ["sections", "speaker", "title"]}
    assert "第一段" not in json.dumps(event.detail, ensure_ascii=False)


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ("{not json", "正文格式无效"),
        ({"heading": "一", "body": "二"}, "正文应为若干章节"),
        ([], "至少应有一节"),
        ([{"heading": f"第{n}节", "body": "内容"} for n in range(13)], "最多 12 节"),
        ([{"heading": "一" * 61, "body": "内容"}], "第 1 节的标题不能超过 60 个字"),
        ([{"heading": "一、", "body": "内容"}, {"heading": "  ", "body": "内容"}], "第 2 节缺少标题"),
        ([{"heading": "一、", "body": " \n "}], "第 1 节的内容不能为空"),
        (["一、总体情况"], "第 1 节格式无效"),
        ([{"heading": 1, "body": "内容"}], "第 1 节格式无效"),
    ],
)
def test_bad_sections_are_refused_in_chinese(owner, sections, message):
    report = _create(owner)
    before = list(report.sections)
    with pytest.raises(ValidationError) as error:
        s.report_update(actor=owner, report=report, title="标题", speaker="", sections=sections,
                        expected_version=report.version)  # fmt: skip
    assert message in _messages(error.value)
    report.refresh_from_db()
    assert report.sections == before
    assert report.version == 1


def test_title_and_speaker_are_checked(owner):
    report = _create(owner)
    with pytest.raises(ValidationError) as error:
        s.report_update(actor=owner, report=report, title=" ", speaker="某" * 61, sections=SECTIONS,
                        expected_version=report.version)  # fmt: skip
    assert set(error.value.message_dict) == {"title", "speaker"}


def test_finalise_freezes_the_report(owner):
    report = _create(owner)
    s.report_finalise(actor=owner, report=report, expected_version=report.version)
    report.refresh_from_db()
    assert report.status == ReportStatus.FINAL
    assert report.finalised_by == owner
    assert report.finalised_at is not None
    for call in (
        lambda: s.report_update(actor=owner, report=report, title="标题", speaker="", sections=SECTIONS,
                                expected_version=report.version),
        lambda: s.report_refresh_figures(actor=owner, report=report, expected_version=report.version),
        lambda: s.report_finalise(actor=owner, report=report, expected_version=report.version),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as error:
            call()
        assert "报告已定稿" in _messages(error.value)
    assert AuditEvent.objects.filter(action="chairreport.finalise", target_id=str(report.pk)).count() == 1


def test_reopen_needs_a_reason_and_is_audited(owner):
    report = _create(owner)
    with pytest.raises(ValidationError) as error:
        s.report_reopen(actor=owner, report=report, reason="数据有误")
    assert "尚未定稿" in _messages(error.value)
    s.report_finalise(actor=owner, report=report, expected_version=report.version)
    with pytest.raises(ValidationError) as error:
        s.report_reopen(actor=owner, report=report, reason="  ", expected_version=report.version)
    assert "请填写重新打开的理由" in _messages(error.value)
    s.report_reopen(actor=owner, report=report, reason="转介数据有误", expected_version=report.version)
    report.refresh_from_db()
    assert (report.status, report.finalised_at, report.finalised_by) == (ReportStatus.DRAFT, None, None)
    assert AuditEvent.objects.get(action="chairreport.reopen").detail == {"reason": "转介数据有误"}
    s.report_update(actor=owner, report=report, title="改后", speaker="", sections=SECTIONS,
                    expected_version=report.version)  # fmt: skip


def test_others_may_not_touch_the_report(owner, colleague, outsider):
    report = _create(owner)
    for user in (colleague, outsider):
        with pytest.raises(PermissionDenied):
            s.report_update(actor=user, report=report, title="标题", speaker="", sections=SECTIONS,
                            expected_version=report.version)  # fmt: skip
        with pytest.raises(PermissionDenied):
            s.report_finalise(actor=user, report=report, expected_version=report.version)
        with pytest.raises(PermissionDenied):
            s.report_reopen(actor=user, report=report, reason="理由")
