"""The demo's staff: one user per role, in several organisations, each seeing exactly their menus and records."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fulian.demo.organisations import DEMO_PEOPLE, DEMO_STAFF, load_all
from fulian.orgs.models import Organisation
from fulian.people.models import Person
from fulian.security.access import visible
from tests.factories import login_verified

pytestmark = pytest.mark.django_db

MENUS = {
    "服务对象": "/admin/people/",
    "审计记录": "/admin/audit/",
    "登录锁定": "/admin/locks/",
    "角色分配": "/admin/roles/",
    "12338 热线": "/admin/hotline/",
    "维权个案": "/admin/cases/",
    "转介办理": "/admin/referrals/",
    "我的工作": "/admin/mywork/",
    "问题分类": "/admin/hotline_categories/",
    "强制报告": "/admin/protection/reports/",
    "组织机构": "/admin/organisations/",
    "入职查询": "/admin/screening/",
    "一站式场所": "/admin/protection_sites/",
    "重点家庭台账": "/admin/ledger/",
    "家庭类型": "/admin/ledger_family_types/",
    "风险等级": "/admin/ledger_risk_grades/",
    "联席会议概况": "/admin/jointmeeting/",
    "会议": "/admin/jointmeeting/meetings/",
    "交办任务": "/admin/jointmeeting/tasks/",
    "责任书与考核": "/admin/targets/years/",
    "目标管理责任书": "/admin/targets/letters/",
    "目标进展报送": "/admin/targets/returns/",
    "工作报告": "/admin/chairreport/",
    "成员单位": "/admin/jm_units/",
    "联席会议负责人": "/admin/jm_officers/",
    "工作机制": "/admin/jm_mechanisms/",
}
JOINT_MEETING = {"联席会议概况", "会议", "交办任务", "责任书与考核", "目标管理责任书", "目标进展报送", "工作报告", "成员单位",
                 "联席会议负责人", "工作机制"}  # fmt: skip
LIAISON = {"服务对象", "转介办理", "我的工作", "联席会议概况", "交办任务", "目标管理责任书", "目标进展报送"}
# Which of those menus each demo user must see; every other one must be absent.
SEES = {
    "hotline": {"服务对象", "12338 热线", "维权个案", "我的工作", "强制报告"},
    "counsellor": {"服务对象", "12338 热线", "维权个案", "我的工作"},
    "caseworker": {"服务对象", "12338 热线", "维权个案", "我的工作", "强制报告", "入职查询", "重点家庭台账"},
    "caseworker2": {"服务对象", "12338 热线", "维权个案", "我的工作", "强制报告", "入职查询", "重点家庭台账"},
    "supervisor": {"服务对象", "12338 热线", "维权个案", "我的工作", "强制报告", "入职查询", "重点家庭台账"},
    "liaison": LIAISON,
    "liaison_edu": LIAISON,
    "secretariat": {"我的工作", *JOINT_MEETING},
    "grassroots": {"服务对象", "12338 热线", "维权个案", "我的工作", "强制报告", "入职查询", "重点家庭台账"},
    "campaign": set(),
    "sysadmin": {"组织机构", "问题分类", "一站式场所", "家庭类型", "风险等级"}, "secadmin": {"登录锁定", "角色分配"}, "auditor": {"审计记录"},
}  # fmt: skip


@pytest.fixture
def demo(db, settings):
    settings.DEMO_ACCOUNTS = True
    load_all()


def test_tongling_is_there(demo):
    assert Organisation.objects.get(division_code="340700").name == "铜陵市妇联"
    assert {o.division_code for o in Organisation.objects.filter(parent__division_code="340700")} == {
        "340705", "340706", "340711", "340722",
    }  # fmt: skip
    assert Organisation.objects.filter(kind="village").count() >= 8
    assert Organisation.objects.filter(kind="member_unit", name="市公安局").exists()


@pytest.mark.parametrize("username", sorted(SEES))
def test_each_role_sees_exactly_its_menus(demo, client, username):
    password = next(p for u, p, *_ in DEMO_STAFF if u == username)
    assert client.post("/admin/login/", {"username": username, "password": password}).status_code == 302
    login_verified(client, get_user_model().objects.get(username=username))
    html = client.get("/admin/").content.decode()
    for label, url in MENUS.items():
        assert (url in html) is (label in SEES[username]), (username, label)
        # Wagtail answers a refused admin page with a redirect to the dashboard and a message; our
        # own pages of sensitive records answer 404, as for a record that does not exist.
        expected = {200} if label in SEES[username] else {302, 403, 404}
        assert client.get(url).status_code in expected, (username, url)


def test_each_caseworker_sees_only_their_branch(demo):
    users = get_user_model().objects
    own = {p.name for p in visible(users.get(username="caseworker"), Person)}
    other = {p.name for p in visible(users.get(username="caseworker2"), Person)}
    assert own == {"陈晓梅", "刘芳"}
    assert other == {"张小雨", "王丽"}
    assert {p.name for p in visible(users.get(username="supervisor"), Person)} == {d["name"] for _o, d in DEMO_PEOPLE}
    assert not visible(users.get(username="liaison"), Person).exists()


def test_the_demo_superuser_is_refused_outside_the_demo(demo, client, settings):
    settings.DEMO_ACCOUNTS = False
    assert client.post("/admin/login/", {"username": "admin", "password": "Fulian-admin-2026"}).status_code == 200


def test_each_demo_user_sees_exactly_their_cases_and_referrals(demo):
    from fulian.cases.models import Case, Referral
    from fulian.hotline.models import CounsellingRecord

    users = get_user_model().objects
    assert visible(users.get(username="caseworker"), Case).count() == 3  # with the mandatory report's
    assert visible(users.get(username="caseworker2"), Case).count() == 1
    assert visible(users.get(username="supervisor"), Case).count() == 4
    assert not visible(users.get(username="liaison"), Case).exists()
    assert visible(users.get(username="liaison"), Referral).count() == 1
    assert not visible(users.get(username="grassroots"), Case).exists()  # a village sees only its own
    assert visible(users.get(username="counsellor"), CounsellingRecord).count() == 1
    assert not visible(users.get(username="hotline"), CounsellingRecord).exists()
