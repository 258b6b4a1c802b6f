"""The letters' rules: years, drafting and signing (weights total 100), the frozen signed letter,
rounds, the units' returns (their own only, never after the year is closed), reminders sent once,
scoring (rated and proportional, platform figures, the range), the ranking, version conflicts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.security.access import EditConflict, visible
from fulian.targets import selectors
from fulian.targets import services as s
from fulian.targets.models import Letter, Return, ReturnReminder, Score, Signatory, Target
from tests.targets.conftest import INDICATOR_TARGET, PROPORTIONAL, RATED, SIGNERS, draft, signed

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def messages_of(raised: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(raised.value.messages)


# --- years --------------------------------------------------------------------------------------


def test_the_secretariat_opens_a_year_once(owner, year, colleague):
    assert AuditEvent.objects.filter(action="targets.year.create", target_id=str(year.pk)).exists()
    with pytest.raises(ValidationError) as raised:
        s.year_create(actor=owner, year=year.year, title="重复")
    assert "已经存在" in messages_of(raised)
    with pytest.raises(ValidationError) as raised:
        s.year_create(actor=owner, year=1990, title="太早")
    assert "2000 到 2100" in messages_of(raised)
    with pytest.raises(PermissionDenied):
        s.year_create(actor=colleague, year=2030, title="联络员不能建")


def test_closing_a_year_freezes_letters_rounds_and_returns(owner, year, jm, police_letter, round, colleague):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    s.year_close(actor=owner, year=year)
    closed = f"{year.year} 年度已关闭，不能再填报或修改。"
    attempts = [
        lambda: s.return_save(actor=colleague, return_record=record, expected_version=record.version, lines={}),
        lambda: s.return_submit(actor=colleague, return_record=record, expected_version=record.version),
        lambda: s.letter_reopen(actor=owner, letter=police_letter, reason="改目标"),
        lambda: s.letter_create(actor=owner, year=year, unit=jm["education_unit"]),
        lambda: s.round_create(actor=owner, year=year, title="全年", period_end=TODAY(), due_on=TODAY()),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as raised:
            attempt()
        assert closed in messages_of(raised)
    with pytest.raises(ValidationError, match="已经关闭"):
        s.year_close(actor=owner, year=year)
    assert AuditEvent.objects.filter(action="targets.year.close").count() == 1


# --- letters ------------------------------------------------------------------------------------


def test_letters_for_every_signing_unit_from_a_template(owner, year, jm):
    template = draft(owner, year, jm["police_unit"])
    created = s.letters_create_missing(actor=owner, year=year, template=template)
    assert [letter.unit for letter in created] == [jm["education_unit"]]  # not the secretariat, not a non-member
    education = created[0]
    assert education.organisation == jm["education"]
    assert [(t.number, t.weight) for t in education.targets.all()] == [(1, Decimal(40)), (2, Decimal(60))]
    assert education.preamble == template.preamble
    assert [(p.side, p.name) for p in education.signatories.all()] == [("issuer", "张主任")]  # the unit side is typed
    assert s.letters_create_missing(actor=owner, year=year) == []  # nothing missing any more
    assert AuditEvent.objects.filter(action="targets.letter.create").count() == 2


def test_a_new_letter_names_the_chair_for_the_joint_meeting(owner, year, jm):
    letter = s.letter_create(actor=owner, year=year, unit=jm["police_unit"])
    assert [(p.side, p.name, p.title) for p in letter.signatories.all()] == [("issuer", "张主任", "市政府副市长")]
    with pytest.raises(ValidationError, match="已经存在"):
        s.letter_create(actor=owner, year=year, unit=jm["police_unit"])
    with pytest.raises(ValidationError, match="不签订"):
        s.letter_create(actor=owner, year=year, unit=jm["secretariat_unit"])


def test_a_draft_saves_any_weight_total_but_signing_needs_100(owner, year, jm):
    letter = draft(owner, year, jm["police_unit"], targets=[RATED, {**PROPORTIONAL, "weight": Decimal(20)}])
    assert s.weight_total(letter) == Decimal(60)
    with pytest.raises(ValidationError) as raised:
        s.letter_sign(actor=owner, letter=letter, signed_on=TODAY())
    assert "各项目标分值合计应为 100 分，现为 60 分。" in messages_of(raised)
    letter.refresh_from_db()
    assert letter.status == "draft"
    letter = s.letter_save(actor=owner, letter=letter, expected_version=letter.version,
                           targets=[RATED, {**PROPORTIONAL, "weight": Decimal("60.00")}],
                           signatories=[{"side": "issuer", "name": "张主任", "title": "副市长"}, *SIGNERS])  # fmt: skip
    s.letter_sign(actor=owner, letter=letter, signed_on=TODAY())
    letter.refresh_from_db()
    assert (letter.status, letter.signed_on) == ("signed", TODAY())
    assert AuditEvent.objects.filter(action="targets.letter.sign", target_id=str(letter.pk)).exists()


@pytest.mark.parametrize(
    ("targets", "signatories", "message"),
    [
        ([], None, "还没有目标"),
        (None, [{"side": "issuer", "name": "张主任", "title": "副市长"}], "乙方（责任单位）签订人"),
        (None, SIGNERS, "甲方（联席会议）签订人"),
    ],
)
def test_signing_refuses_a_letter_without_targets_or_a_side(owner, year, jm, targets, signatories, message):
    letter = draft(owner, year, jm["police_unit"], targets=targets, signatories=signatories)
    with pytest.raises(ValidationError) as raised:
        s.letter_sign(actor=owner, letter=letter, signed_on=TODAY())
    assert message in messages_of(raised)


def test_signing_refuses_a_date_in_the_future(owner, year, jm):
    letter = draft(owner, year, jm["police_unit"])
    with pytest.raises(ValidationError, match="不能晚于今天"):
        s.letter_sign(actor=owner, letter=letter, signed_on=TODAY() + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**RATED, "weight": Decimal(0)}, "分值应大于 0、不超过 100 分"),
        ({**RATED, "weight": Decimal(101)}, "分值应大于 0、不超过 100 分"),
        ({**RATED, "weight": "很多"}, "分值应大于 0、不超过 100 分"),
        ({**RATED, "text": ""}, "请填写目标任务"),
        ({**RATED, "number": 0}, "序号应在 1 到 999 之间"),
        ({**RATED, "indicator": "no_such_thing"}, "平台指标无效"),
        ({**PROPORTIONAL, "target_value": None}, "按完成比例计分，须填写大于 0 的目标值"),
        ({**PROPORTIONAL, "target_value": Decimal(-1)}, "不能为负数"),
        ({**RATED, "scoring": "vibes"}, "计分规则无效"),
    ],
)
def test_bad_targets_are_refused_in_chinese_and_nothing_is_saved(owner, year, jm, row, message):
    letter = s.letter_create(actor=owner, year=year, unit=jm["police_unit"])
    with pytest.raises(ValidationError) as raised:
        s.letter_save(actor=owner, letter=letter, expected_version=letter.version, targets=[row])
    assert message in messages_of(raised)
    assert not Target.objects.filter(letter=letter).exists()
    assert Letter.objects.get(pk=letter.pk).version == letter.version


def test_duplicate_target_numbers_are_refused(owner, year, jm):
    letter = s.letter_create(actor=owner, year=year, unit=jm["police_unit"])
    with pytest.raises(ValidationError, match="目标序号 1 重复"):
        s.letter_save(actor=owner, letter=letter, expected_version=letter.version,
                      targets=[RATED, {**PROPORTIONAL, "number": 1}])  # fmt: skip


def test_an_indicator_target_needs_a_target_value_and_is_scored_by_proportion(owner, year, jm, stub_indicator):
    letter = s.letter_create(actor=owner, year=year, unit=jm["police_unit"])
    with pytest.raises(ValidationError, match="选择了平台指标，须填写大于 0 的目标值"):
        s.letter_save(actor=owner, letter=letter, expected_version=letter.version,
                      targets=[{**INDICATOR_TARGET, "target_value": None}])  # fmt: skip
    s.letter_save(actor=owner, letter=letter, expected_version=letter.version, targets=[INDICATOR_TARGET])
    target = letter.targets.get()
    assert (target.scoring, target.value_unit) == ("proportional", "%")  # the rule and the unit from the indicator


def test_targets_are_updated_in_place_renumbered_and_removed(owner, year, jm):
    letter = draft(owner, year, jm["police_unit"])
    first, second = letter.targets.order_by("number")
    letter = s.letter_save(
        actor=owner, letter=letter, expected_version=letter.version,
        targets=[{**RATED, "id": first.pk, "number": 2}, {**PROPORTIONAL, "id": second.pk, "number": 1},
                 {**RATED, "number": 3, "text": "新增", "weight": Decimal(5)}],
        signatories=SIGNERS,
    )  # fmt: skip
    assert dict(letter.targets.values_list("pk", "number")) == {
        first.pk: 2,
        second.pk: 1,
        letter.targets.get(number=3).pk: 3,
    }
    s.letter_save(actor=owner, letter=letter, expected_version=letter.version,
                  targets=[{**RATED, "id": first.pk}], signatories=SIGNERS)  # fmt: skip
    assert list(letter.targets.values_list("pk", flat=True)) == [first.pk]
    assert Signatory.objects.filter(letter=letter).count() == 1


def test_what_is_not_given_is_kept(owner, year, jm):
    letter = draft(owner, year, jm["police_unit"])
    letter = s.letter_save(actor=owner, letter=letter, expected_version=letter.version, preamble="新的正文")
    letter.refresh_from_db()
    assert (letter.preamble, letter.closing) == ("新的正文", "考核结果通报。")
    assert letter.targets.count() == 2
    assert letter.signatories.count() == 2


def test_a_target_from_another_letter_cannot_be_slipped_in(owner, year, jm):
    police = draft(owner, year, jm["police_unit"])
    education = s.letter_create(actor=owner, year=year, unit=jm["education_unit"])
    foreign = police.targets.first()
    with pytest.raises(ValidationError, match="不属于本责任书"):
        s.letter_save(actor=owner, letter=education, expected_version=education.version,
                      targets=[{**RATED, "id": foreign.pk}])  # fmt: skip


def test_a_signed_letter_is_frozen_until_reopened_with_a_reason(owner, police_letter):
    with pytest.raises(ValidationError, match="已签订，目标已锁定"):
        s.letter_save(actor=owner, letter=police_letter, expected_version=police_letter.version, targets=[RATED])
    with pytest.raises(ValidationError, match="理由"):
        s.letter_reopen(actor=owner, letter=police_letter, reason="  ")
    s.letter_reopen(actor=owner, letter=police_letter, reason="市委要求增加一项目标")
    event = AuditEvent.objects.get(action="targets.letter.reopen")
    assert event.detail["reason"] == "市委要求增加一项目标"
    police_letter.refresh_from_db()
    assert (police_letter.status, police_letter.signed_on) == ("draft", None)
    s.letter_save(actor=owner, letter=police_letter, expected_version=police_letter.version, targets=[RATED],
                  signatories=SIGNERS)  # fmt: skip


def test_a_reported_target_cannot_be_removed(owner, police_letter, round, colleague):
    s.return_open(actor=colleague, round=round, letter=police_letter)
    s.letter_reopen(actor=owner, letter=police_letter, reason="调整")
    keep = police_letter.targets.get(number=1)
    with pytest.raises(ValidationError, match="第 2 项目标已有单位填报进展，不能删除"):
        s.letter_save(actor=owner, letter=police_letter, expected_version=police_letter.version,
                      targets=[{**RATED, "id": keep.pk}])  # fmt: skip


def test_a_stale_letter_form_is_refused(owner, year, jm):
    letter = draft(owner, year, jm["police_unit"])
    stale = letter.version - 1
    with pytest.raises(EditConflict):
        s.letter_save(actor=owner, letter=letter, expected_version=stale, targets=[RATED])
    with pytest.raises(EditConflict):
        s.letter_sign(actor=owner, letter=letter, signed_on=TODAY(), expected_version=stale)


def test_liaisons_cannot_draft_or_sign(colleague, year, jm, police_letter):
    with pytest.raises(PermissionDenied):
        s.letter_create(actor=colleague, year=year, unit=jm["education_unit"])
    with pytest.raises(PermissionDenied):
        s.letter_reopen(actor=colleague, letter=police_letter, reason="想改")


def test_the_secretariat_sees_every_letter_a_liaison_only_its_own(owner, colleague, outsider, police_letter,
                                                                   education_letter):  # fmt: skip
    assert set(visible(owner, Letter)) == {police_letter, education_letter}
    assert list(visible(colleague, Letter)) == [police_letter]
    assert list(visible(outsider, Letter)) == [education_letter]
    assert not visible(colleague, Letter, "edit").exists()  # the liaison reads its letter, never edits it


# --- rounds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"due_on": dt.date(2000, 1, 1)}, "due_on", "报送期限不能早于统计截止日期"),
        ({"period_end": dt.date(1999, 12, 31)}, "period_end", "年度内"),
        ({"title": ""}, "title", "轮次名称"),
        ({"remind_days": 365}, "remind_days", "0 到 90 天"),
    ],
)
def test_bad_rounds_are_refused(owner, year, change, field, message):
    data = {"title": "全年", "period_end": dt.date(year.year, 12, 31), "due_on": dt.date(year.year + 1, 1, 10),
            "remind_days": 5, **change}  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        s.round_create(actor=owner, year=year, **data)
    assert message in " ".join(raised.value.message_dict[field])


def test_a_round_title_is_used_once_a_year_and_only_the_secretariat_sets_rounds(owner, year, round, colleague):
    with pytest.raises(ValidationError, match="同名"):
        s.round_create(actor=owner, year=year, title="上半年", period_end=round.period_end, due_on=round.due_on)
    with pytest.raises(PermissionDenied):
        s.round_create(actor=colleague, year=year, title="下半年", period_end=round.period_end, due_on=round.due_on)
    s.round_update(actor=owner, round=round, title="上半年", period_end=round.period_end, due_on=round.due_on,
                   remind_days=10)  # fmt: skip
    round.refresh_from_db()
    assert round.remind_days == 10
    assert AuditEvent.objects.filter(action="targets.round.update").exists()


# --- returns ------------------------------------------------------------------------------------


def test_the_liaison_opens_fills_and_submits_its_return(colleague, police_letter, round):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    assert record.organisation_id == police_letter.organisation_id
    assert record.lines.count() == 2
    assert s.return_open(actor=colleague, round=round, letter=police_letter) == record  # one per round and letter
    first, second = police_letter.targets.order_by("number")
    lines = {first.pk: {"explanation": "已建立机制"}, second.pk: {"value_reached": "6", "explanation": "开展 6 次"}}
    record = s.return_save(actor=colleague, return_record=record, expected_version=record.version, lines=lines)
    assert record.lines.get(target=second).value_reached == Decimal(6)
    record = s.return_submit(actor=colleague, return_record=record, expected_version=record.version)
    record.refresh_from_db()
    assert (record.status, record.submitted_by) == ("submitted", colleague)
    assert record.submitted_at is not None
    with pytest.raises(ValidationError, match="已报送"):
        s.return_save(actor=colleague, return_record=record, expected_version=record.version, lines=lines)
    actions = set(AuditEvent.objects.filter(target_id=str(record.pk)).values_list("action", flat=True))
    assert {"targets.return.open", "targets.return.save", "targets.return.submit"} <= actions


def test_a_liaison_reports_only_for_its_own_unit(owner, colleague, outsider, police_letter, round):
    for actor in (outsider, owner):
        with pytest.raises(ValidationError, match="只能填报本单位的进展。"):
            s.return_open(actor=actor, round=round, letter=police_letter)
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    with pytest.raises(ValidationError, match="只能填报本单位的进展。"):
        s.return_save(actor=outsider, return_record=record, expected_version=record.version, lines={})
    with pytest.raises(ValidationError, match="只能填报本单位的进展。"):
        s.return_submit(actor=owner, return_record=record, expected_version=record.version)
    assert set(visible(colleague, Return)) == {record}
    assert not visible(outsider, Return).exists()
    assert set(visible(owner, Return)) == {record}


def test_no_return_on_an_unsigned_letter(owner, year, jm, round, colleague):
    letter = draft(owner, year, jm["police_unit"])
    with pytest.raises(ValidationError, match="尚未签订"):
        s.return_open(actor=colleague, round=round, letter=letter)


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "不能为负数"), ("很多", "应为数字"), ("NaN", "应为数字"), ("1e20", "过大")],
)
def test_bad_values_are_refused(colleague, police_letter, round, value, message):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    target = police_letter.targets.get(number=2)
    with pytest.raises(ValidationError) as raised:
        s.return_save(actor=colleague, return_record=record, expected_version=record.version,
                      lines={target.pk: {"value_reached": value}})  # fmt: skip
    assert message in messages_of(raised)


def test_an_indicator_target_takes_no_typed_value(owner, year, jm, round, colleague, stub_indicator):
    letter = signed(owner, year, jm["police_unit"], targets=[RATED, {**PROPORTIONAL, "weight": Decimal(40)},
                                                             INDICATOR_TARGET])  # fmt: skip
    record = s.return_open(actor=colleague, round=round, letter=letter)
    target = letter.targets.get(number=3)
    s.return_save(actor=colleague, return_record=record, expected_version=record.version,
                  lines={target.pk: {"value_reached": "100", "explanation": "平台数据"}})  # fmt: skip
    line = record.lines.get(target=target)
    assert (line.value_reached, line.explanation) == (None, "平台数据")


def test_submitting_needs_every_reported_target(colleague, police_letter, round):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    with pytest.raises(ValidationError, match="请填写第 1、2 项目标的完成情况后再报送"):
        s.return_submit(actor=colleague, return_record=record, expected_version=record.version)


def test_a_stale_return_form_is_refused(colleague, police_letter, round):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    s.return_save(actor=colleague, return_record=record, expected_version=record.version, lines={})
    with pytest.raises(EditConflict):
        s.return_save(actor=colleague, return_record=record, expected_version=1, lines={})


def test_the_secretariat_sends_a_return_back_with_a_reason(owner, colleague, police_letter, round):
    record = _submitted(colleague, police_letter, round)
    with pytest.raises(PermissionDenied):
        s.return_send_back(actor=colleague, return_record=record, reason="自己退")
    with pytest.raises(ValidationError, match="理由"):
        s.return_send_back(actor=owner, return_record=record, reason="")
    s.return_send_back(actor=owner, return_record=record, reason="第 2 项缺佐证材料")
    record.refresh_from_db()
    assert (record.status, record.correction, record.submitted_at) == ("draft", "第 2 项缺佐证材料", None)
    with pytest.raises(ValidationError, match="只能退回已报送"):
        s.return_send_back(actor=owner, return_record=record, reason="再退")
    s.return_submit(actor=colleague, return_record=record, expected_version=record.version)
    record.refresh_from_db()
    assert (record.status, record.correction) == ("submitted", "")


def _submitted(liaison, letter, round, values=("", "8")):
    record = s.return_open(actor=liaison, round=round, letter=letter)
    lines = {
        t.pk: {"value_reached": v, "explanation": "说明"}
        for t, v in zip(letter.targets.order_by("number"), values, strict=False)
    }
    record = s.return_save(actor=liaison, return_record=record, expected_version=record.version, lines=lines)
    return s.return_submit(actor=liaison, return_record=record, expected_version=record.version)


# --- reminders ----------------------------------------------------------------------------------


def test_reminders_are_sent_once_before_the_due_date_and_once_when_overdue(
    owner, year, colleague, police_letter, education_letter
):
    round = s.round_create(actor=owner, year=year, title="一季度", period_end=dt.date(year.year, 3, 31),
                           due_on=dt.date(year.year, 4, 10), remind_days=5)  # fmt: skip
    assert s.remind_returns(dt.date(year.year, 4, 4)) == 0  # before the window
    _submitted(colleague, police_letter, round)  # the police have reported: only education is reminded
    assert s.remind_returns(dt.date(year.year, 4, 5)) == 1
    assert s.remind_returns(dt.date(year.year, 4, 6)) == 0  # once only
    assert list(ReturnReminder.objects.values_list("unit", "kind")) == [(education_letter.unit_id, "due")]
    assert s.remind_returns(dt.date(year.year, 4, 11)) == 1
    assert s.remind_returns(dt.date(year.year, 4, 12)) == 0
    assert ReturnReminder.objects.filter(kind="overdue", unit=education_letter.unit).count() == 1
    assert AuditEvent.objects.filter(action="targets.return.remind").count() == 2
    cells = selectors.round_matrix(round, dt.date(year.year, 4, 11))
    assert [(c.letter, c.state) for c in cells] == [(police_letter, "submitted"), (education_letter, "overdue")]


def test_no_reminders_for_a_closed_year(owner, year, police_letter):
    s.round_create(actor=owner, year=year, title="一季度", period_end=dt.date(year.year, 3, 31),
                   due_on=dt.date(year.year, 4, 10))  # fmt: skip
    s.year_close(actor=owner, year=year)
    assert s.remind_returns(dt.date(year.year, 4, 11)) == 0


# --- scoring ------------------------------------------------------------------------------------


def test_scores_are_provisional_during_the_year_and_reopening_the_letter_removes_them(owner, police_letter):
    target = police_letter.targets.get(number=1)
    s.score_target(actor=owner, target=target, rating="reached")
    assert Score.objects.filter(target__letter=police_letter).count() == 1
    s.letter_reopen(actor=owner, letter=police_letter, reason="市委要求调整目标")
    assert not Score.objects.filter(target__letter=police_letter).exists()
    assert AuditEvent.objects.get(action="targets.letter.reopen").detail["scores_removed"] == 1


def test_rated_targets(owner, year, police_letter):
    s.year_close(actor=owner, year=year)
    target = police_letter.targets.get(number=1)  # weight 40
    assert s.score_target(actor=owner, target=target, rating="reached").points == Decimal(40)
    score = s.score_target(actor=owner, target=target, rating="not", note="未建立")
    assert (score.points, score.version) == (Decimal(0), 2)
    assert s.score_target(actor=owner, target=target, rating="partly", points=Decimal("25.5")).points == Decimal("25.5")
    for points in (None, Decimal(0), Decimal(40)):
        with pytest.raises(ValidationError, match="部分达到的得分应大于 0 且小于 40 分"):
            s.score_target(actor=owner, target=target, rating="partly", points=points)
    with pytest.raises(ValidationError, match="请选择评定结果"):
        s.score_target(actor=owner, target=target)
    assert AuditEvent.objects.filter(action="targets.score.set").count() == 3


@pytest.mark.parametrize("points", [Decimal(-1), Decimal("40.01"), Decimal(1000), "很多"])
def test_points_outside_the_range_are_refused(owner, year, police_letter, points):
    s.year_close(actor=owner, year=year)
    with pytest.raises(ValidationError) as raised:
        s.score_target(actor=owner, target=police_letter.targets.get(number=1), rating="partly", points=points)
    assert "得分应在 0 到 40 分之间。" in messages_of(raised)
    assert not Score.objects.exists()


def test_proportional_targets_are_computed_from_the_latest_submitted_value(owner, year, colleague, police_letter,
                                                                           round):  # fmt: skip
    _submitted(colleague, police_letter, round, values=("", "8"))  # 8 of 10 activities
    later = s.round_create(actor=owner, year=year, title="全年", period_end=dt.date(year.year, 12, 31),
                           due_on=dt.date(year.year + 1, 1, 10))  # fmt: skip
    _submitted(colleague, police_letter, later, values=("", "7"))  # the year's last return counts
    s.year_close(actor=owner, year=year)
    target = police_letter.targets.get(number=2)  # weight 60, target 10
    score = s.score_target(actor=owner, target=target)
    assert (score.value, score.points, score.computed_value) == (Decimal(7), Decimal("42.00"), None)
    with pytest.raises(ValidationError, match="不能手工填写"):
        s.score_target(actor=owner, target=target, points=Decimal(60))


def test_a_proportional_target_without_a_value_is_rated_with_a_reason(owner, year, police_letter):
    s.year_close(actor=owner, year=year)
    target = police_letter.targets.get(number=2)
    with pytest.raises(ValidationError, match="请选择评定结果"):
        s.score_target(actor=owner, target=target)
    with pytest.raises(ValidationError, match="写明理由"):
        s.score_target(actor=owner, target=target, rating="not")
    assert s.score_target(actor=owner, target=target, rating="not", note="全年未报送").points == Decimal(0)


@pytest.mark.parametrize(
    ("weight", "value", "target_value", "points"),
    [
        (Decimal(60), Decimal(8), Decimal(10), Decimal("48.00")),
        (Decimal(60), Decimal(12), Decimal(10), Decimal("60.00")),  # over the target: the full weight, no more
        (Decimal(10), Decimal(1), Decimal(3), Decimal("3.33")),
        (Decimal(15), Decimal(1), Decimal(8), Decimal("1.88")),  # 1.875, half up
        (Decimal(20), Decimal(0), Decimal(5), Decimal("0.00")),
    ],
)
def test_proportional_maths(weight, value, target_value, points):
    assert s.proportional_points(weight, value, target_value) == points


def test_indicator_targets_are_scored_from_the_platform_figure(owner, year, jm, stub_indicator):
    letter = signed(owner, year, jm["police_unit"], targets=[RATED, {**PROPORTIONAL, "weight": Decimal(40)},
                                                             INDICATOR_TARGET])  # fmt: skip
    s.year_close(actor=owner, year=year)
    target = letter.targets.get(number=3)  # weight 20, target 100 %; the platform says 90 %
    score = s.score_target(actor=owner, target=target)
    assert (score.computed_value, score.value, score.points) == (Decimal(90), Decimal(90), Decimal("18.00"))
    with pytest.raises(ValidationError, match="不能手工填写"):
        s.score_target(actor=owner, target=target, points=Decimal(20))


def test_computed_targets_are_scored_together_from_one_computation(owner, year, jm, stub_indicator):
    targets = [RATED, {**PROPORTIONAL, "weight": Decimal(40)}, INDICATOR_TARGET]
    police = signed(owner, year, jm["police_unit"], targets=targets)
    education = signed(owner, year, jm["education_unit"], targets=targets)
    stub_indicator["figures"][jm["education_unit"].pk] = None  # nothing to measure there
    result = s.score_computed_targets(actor=owner, year=year)
    assert len(stub_indicator["calls"]) == 1
    assert result.scored == 1
    assert [t.letter for t in result.without_figure] == [education]
    assert Score.objects.get(target__letter=police, target__number=3).points == Decimal("18.00")
    assert not Score.objects.filter(target__letter=education).exists()
    # where the platform has nothing to measure, the secretariat rates it and says why
    target = education.targets.get(number=3)
    with pytest.raises(ValidationError, match="写明理由"):
        s.score_target(actor=owner, target=target, rating="reached")
    assert s.score_target(actor=owner, target=target, rating="reached", note="全年无转介").points == Decimal(20)


def test_only_the_secretariat_scores(owner, year, colleague, police_letter):
    s.year_close(actor=owner, year=year)
    with pytest.raises(PermissionDenied):
        s.score_target(actor=colleague, target=police_letter.targets.get(number=1), rating="reached")
    with pytest.raises(PermissionDenied):
        s.score_computed_targets(actor=colleague, year=year)


def test_a_stale_score_form_is_refused(owner, year, police_letter):
    s.year_close(actor=owner, year=year)
    target = police_letter.targets.get(number=1)
    with pytest.raises(EditConflict):
        s.score_target(actor=owner, target=target, rating="reached", expected_version=1)  # nobody scored it yet
    s.score_target(actor=owner, target=target, rating="reached", expected_version=0)
    s.score_target(actor=owner, target=target, rating="not", expected_version=1)
    with pytest.raises(EditConflict):
        s.score_target(actor=owner, target=target, rating="reached", expected_version=1)
    with pytest.raises(EditConflict):
        s.score_target(actor=owner, target=target, rating="reached", expected_version=0)  # scored meanwhile
    assert Score.objects.get(target=target).points == Decimal(0)


def _score_all(owner, letter, partly):
    s.score_target(actor=owner, target=letter.targets.get(number=1), rating="partly", points=Decimal(partly))
    s.score_target(actor=owner, target=letter.targets.get(number=2), rating="not", note="未报送")


def test_the_ranking_shares_a_rank_on_a_tie_and_waits_for_every_score(owner, year, jm, police_letter,
                                                                      education_letter):  # fmt: skip
    from fulian.jointmeeting.models import MemberUnit
    from fulian.orgs.models import OrganisationKind
    from fulian.orgs.services import organisation_create

    health = organisation_create(name="市卫生健康委", kind=OrganisationKind.MEMBER_UNIT)
    health_letter = signed(owner, year, MemberUnit.objects.create(organisation=health, order=3))
    s.year_close(actor=owner, year=year)
    _score_all(owner, education_letter, 30)
    _score_all(owner, police_letter, 30)
    s.score_target(actor=owner, target=health_letter.targets.get(number=1), rating="reached")
    ranking = {row.letter: row for row in selectors.ranking(year)}
    assert (ranking[police_letter].rank, ranking[education_letter].rank) == (1, 1)
    assert ranking[police_letter].points == Decimal(30)
    assert (ranking[health_letter].rank, ranking[health_letter].scored, ranking[health_letter].targets) == (None, 1, 2)
    s.score_target(actor=owner, target=health_letter.targets.get(number=2), rating="not", note="未报送")
    ranking = {row.letter: row for row in selectors.ranking(year)}
    assert [ranking[letter].rank for letter in (health_letter, police_letter, education_letter)] == [1, 2, 2]


def test_the_worker_sends_the_reminders_hourly(owner, year, police_letter):
    from fulian.core.upkeep import periodic_jobs, remind_target_returns

    assert (3600.0, remind_target_returns) in periodic_jobs()
    s.round_create(actor=owner, year=year, title="到期", period_end=dt.date(year.year, 1, 1), due_on=TODAY())
    remind_target_returns()
    assert ReturnReminder.objects.filter(unit=police_letter.unit, kind="due").exists()
