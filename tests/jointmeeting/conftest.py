from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_joint_meeting


@pytest.fixture
def jm(db):
    """The joint meeting: the federation as secretariat, 市公安局 and 市教育体育局 as members,
    市民政局 not a member; the secretary (owner), the police liaison (colleague), the education
    liaison (outsider)."""
    return make_joint_meeting()


@pytest.fixture
def owner(jm):
    return jm["secretary"]


@pytest.fixture
def colleague(jm):
    return jm["police_liaison"]


@pytest.fixture
def outsider(jm):
    return jm["education_liaison"]


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def meeting(owner):
    from fulian.jointmeeting.services import meeting_create

    return meeting_create(
        actor=owner, kind="plenary", title="2026年第一次全体会议", held_at=days_ago(10), place="市妇联三楼会议室",
        chaired_by="李主任", agenda="一、通报工作；二、部署任务",
    )  # fmt: skip


@pytest.fixture
def decision(owner, meeting):
    from fulian.jointmeeting.services import decision_add

    return decision_add(actor=owner, meeting=meeting, text="各成员单位落实强制报告制度宣传。")


@pytest.fixture
def police_task(owner, jm, decision):
    from fulian.jointmeeting.services import task_assign

    [task] = task_assign(
        actor=owner, decision=decision, units=[jm["police_unit"]], title="开展强制报告宣传",
        due_on=timezone.localdate() + dt.timedelta(days=30), detail="进学校、进社区。",
    )  # fmt: skip
    return task


@pytest.fixture
def education_task(owner, jm, decision):
    from fulian.jointmeeting.services import task_assign

    [task] = task_assign(
        actor=owner, decision=decision, units=[jm["education_unit"]], title="学校从业人员培训",
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip
    return task
