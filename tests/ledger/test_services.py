"""The ledger's rules: validation, the same person in two families, visits setting the next visit,
grade changes with reasons, the prompt to open a case, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.hotline.models import Category
from fulian.ledger import services as s
from fulian.ledger.models import Family, GradeChange, Member
from fulian.security.access import EditConflict

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_family_is_registered_encrypted_with_its_first_visit_due(family, grades):
    assert family.number == "340705001001-00001"
    assert family.next_visit_on == TODAY() + dt.timedelta(days=grades["yellow"].visit_every_days)
    head, child = family.members.order_by("pk")
    assert (head.sex, head.birth_date) == ("F", dt.date(1985, 1, 1))  # from the ID number
    assert child.minor
    assert child.masked()["name"] == "未成年人"
    assert GradeChange.objects.get(family=family).to_grade == grades["yellow"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_name, address FROM fulian_ledger_family WHERE id = %s", [family.pk])
        stored = " ".join(cursor.fetchone())
    assert "陈桂兰" not in stored
    assert "五一社区" not in stored
    assert AuditEvent.objects.filter(action="family.create", target_id=str(family.pk)).exists()


@pytest.mark.parametrize(
    ("member", "field", "message"),
    [
        ({"name": "", "relationship": "child"}, "name", "姓名"),
        ({"name": "王五", "id_number": "340705198501012345", "relationship": "child"}, "id_number", "校验位"),
        ({"name": "王五", "id_number": "340705198501012347", "relationship": "child", "sex": "M"}, "sex", "不一致"),
        ({"name": "王五", "relationship": "uncle"}, "relationship", "关系"),
        ({"name": "王五", "relationship": "child", "phone": "12"}, "phone", "电话"),
        (
            {"name": "王五", "relationship": "child", "birth_date": TODAY() + dt.timedelta(days=1)},
            "birth_date",
            "晚于今天",
        ),
    ],
)
def test_bad_members_are_refused_in_chinese_and_nothing_is_saved(orgs, owner, grades, types, member, field, message):
    with pytest.raises(ValidationError) as raised:
        s.family_create(actor=owner, organisation=orgs["village"], head_name="王某", types=[types["poor"]],
                        grade=grades["yellow"], members=[member])  # fmt: skip
    assert message in " ".join(raised.value.message_dict[field])
    assert not Family.objects.exists()


def test_bad_families_are_refused(orgs, owner, grades, types):
    with pytest.raises(ValidationError) as raised:
        s.family_create(actor=owner, organisation=orgs["village"], head_name=" ", types=[], grade=None)
    assert set(raised.value.message_dict) == {"head_name", "types", "grade"}


def test_the_same_person_in_another_family_warns_and_links_on_confirmation(family, orgs, owner, grades, types):
    other = s.family_create(actor=owner, organisation=orgs["village"], head_name="李某", types=[types["poor"]],
                            grade=grades["yellow"])  # fmt: skip
    data: dict[str, Any] = {"name": "陈小宇", "id_number": "340705201503050018", "relationship": "grandchild"}
    with pytest.raises(s.SamePersonWarning) as warned:
        s.member_add(actor=owner, family=other, **data)
    assert family.number in str(warned.value)
    assert not other.members.exists()
    linked = s.member_add(actor=owner, family=other, confirm_same_person=True, **data)
    assert linked.same_person_as == family.members.get(relationship="child")
    with pytest.raises(ValidationError, match="本家庭"):
        s.member_add(actor=owner, family=other, confirm_same_person=True, **data)


def test_the_warning_does_not_name_a_family_outside_the_scope(family, orgs, outsider, grades, types):
    far = s.family_create(actor=outsider, organisation=orgs["far_village"], head_name="赵某", types=[types["poor"]],
                          grade=grades["yellow"])  # fmt: skip
    with pytest.raises(s.SamePersonWarning) as warned:
        s.member_add(actor=outsider, family=far, name="陈小宇", id_number="340705201503050018", relationship="child")
    assert family.number not in str(warned.value)
    assert "其他辖区" in str(warned.value)


def test_a_visit_sets_the_next_visit_from_the_grade(family, owner, grades):
    day = TODAY() - dt.timedelta(days=3)
    result = s.visit_record(actor=owner, family=family, visited_on=day, visitors="王主任", findings="生活困难",
                            help_given=["goods"], relief_amount=Decimal("500"))  # fmt: skip
    family.refresh_from_db()
    assert family.last_visit_on == day
    assert family.next_visit_on == day + dt.timedelta(days=90)
    assert result.visit.help_given == ["goods", "relief_money"]
    assert not result.prompt_case
    # An older visit recorded late does not move the dates back.
    s.visit_record(actor=owner, family=family, visited_on=day - dt.timedelta(days=30), visitors="王主任")
    family.refresh_from_db()
    assert family.last_visit_on == day


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"visited_on": TODAY() + dt.timedelta(days=1)}, "visited_on"),
        ({"visitors": " "}, "visitors"),
        ({"method": "letter"}, "method"),
        ({"help_given": ["cash"]}, "help_given"),
        ({"relief_amount": Decimal("-1")}, "relief_amount"),
        ({"grade_reason": ""}, "grade_reason"),
    ],
)
def test_bad_visits_are_refused(family, owner, grades, extra, field):
    data = {"visited_on": TODAY(), "visitors": "王主任", "grade": grades["red"], "grade_reason": "发现家暴"}
    data.update(extra)
    with pytest.raises(ValidationError) as raised:
        s.visit_record(actor=owner, family=family, **data)
    assert field in raised.value.message_dict
    assert not family.visits.exists()
    family.refresh_from_db()
    assert family.grade == grades["yellow"]


@pytest.mark.parametrize(
    ("extra", "prompt"),
    [({}, False), ({"violence_found": True}, True), ({"child_in_danger": True}, True),
     ({"grade": "red", "grade_reason": "丈夫酗酒打人"}, True), ({"grade": "orange", "grade_reason": "婚姻矛盾"}, False)],
)  # fmt: skip
def test_violence_a_child_in_danger_or_red_prompt_a_case(family, owner, grades, extra, prompt):
    if "grade" in extra:
        extra = {**extra, "grade": grades[extra["grade"]]}
    result = s.visit_record(actor=owner, family=family, visited_on=TODAY(), visitors="王主任", **extra)
    assert result.prompt_case is prompt


def test_raising_to_red_moves_the_next_visit_and_keeps_the_history(family, owner, grades):
    prompt = s.grade_change(actor=owner, family=family, version=family.version, grade=grades["red"], reason="家暴")
    assert prompt
    family.refresh_from_db()
    assert family.next_visit_on == TODAY() + dt.timedelta(days=30)
    assert [(c.from_grade_id, c.to_grade.code) for c in family.grade_changes.all()][-1] == (grades["yellow"].pk, "red")
    with pytest.raises(EditConflict):
        s.grade_change(actor=owner, family=family, version=family.version - 1, grade=grades["orange"], reason="好转")
    with pytest.raises(ValidationError, match="理由"):
        s.grade_change(actor=owner, family=family, version=family.version, grade=grades["orange"], reason=" ")


def test_a_case_opened_from_the_family_is_linked(family, owner, outsider):
    violence = Category.objects.get(parent=None, name="婚姻家庭")
    head = family.members.get(relationship="head")
    case = s.family_open_case(actor=owner, family=family, member=head, category=violence, summary="走访发现家暴")
    assert list(family.cases.all()) == [case]
    assert case.parties.get().name == "陈桂兰"
    assert case.organisation == family.organisation
    with pytest.raises(PermissionDenied):
        s.family_open_case(actor=outsider, family=family, member=head, category=violence, summary="走访发现家暴")
    with pytest.raises(ValidationError):
        s.family_open_case(actor=owner, family=family, member=head, category=violence, summary=" ")


def test_outsiders_cannot_touch_the_family(family, outsider, orgs, grades, types):
    with pytest.raises(PermissionDenied):
        s.visit_record(actor=outsider, family=family, visited_on=TODAY(), visitors="某人")
    with pytest.raises(PermissionDenied):
        s.member_add(actor=outsider, family=family, name="某人", relationship="other")
    with pytest.raises(PermissionDenied):
        s.family_create(actor=outsider, organisation=orgs["village"], head_name="某", types=[types["poor"]],
                        grade=grades["yellow"])  # fmt: skip


def test_overdue_families_for_the_cadre_and_her_supervisor(family, owner, colleague, outsider):
    Family.objects.filter(pk=family.pk).update(next_visit_on=TODAY() - dt.timedelta(days=1))
    assert list(s.overdue_families(owner, mine=True)) == [family]
    assert list(s.overdue_families(colleague)) == [family]
    assert not s.overdue_families(outsider).exists()
    Family.objects.filter(pk=family.pk).update(next_visit_on=TODAY())
    assert not s.overdue_families(owner).exists()  # due today is not overdue yet


def test_member_update_keeps_blank_fields_and_rechecks(family, owner):
    child = family.members.get(relationship="child")
    s.member_update(actor=owner, member=child, name="", school_or_work="五一小学三年级")
    child.refresh_from_db()
    assert (child.name, child.school_or_work) == ("陈小宇", "五一小学三年级")
    with pytest.raises(ValidationError):
        s.member_update(actor=owner, member=child, id_number="340705201503050019")
    assert Member.objects.get(pk=child.pk).id_number == "340705201503050018"
