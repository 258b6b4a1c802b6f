"""Demo organisations for Tongling (GB/T 2260: city 340700; districts and county as published;
township and village codes below them are illustrative), demo staff (one per role) and a few people."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from fulian.accounts.models import StaffProfile
from fulian.orgs.models import Organisation
from fulian.orgs.models import OrganisationKind as K

TREE = {
    ("铜陵市妇联", "340700"): {
        ("铜官区妇联", "340705"): {
            ("天井湖街道妇联", "340705001"): [("五一社区妇联", "340705001001"), ("幸福社区妇联", "340705001002")],
            ("新城街道妇联", "340705002"): [("新城社区妇联", "340705002001")],
        },
        ("义安区妇联", "340706"): {
            ("五松镇妇联", "340706100"): [("城山社区妇联", "340706100001"), ("朱村村妇联", "340706100201")],
            ("顺安镇妇联", "340706101"): [("顺安社区妇联", "340706101001")],
        },
        ("郊区妇联", "340711"): {
            ("桥南街道妇联", "340711001"): [("桥南社区妇联", "340711001001")],
            ("大通镇妇联", "340711100"): [("大通村妇联", "340711100201")],
        },
        ("枞阳县妇联", "340722"): {
            ("枞阳镇妇联", "340722100"): [("城关社区妇联", "340722100001")],
            ("横埠镇妇联", "340722101"): [("横埠村妇联", "340722101201")],
        },
    }
}
MEMBER_UNITS = ["市委政法委", "市人民检察院", "市中级人民法院", "市公安局", "市教育体育局", "市民政局", "市司法局",
                "市卫生健康委", "市人力资源社会保障局", "团市委"]  # fmt: skip

# username, password, roles, organisation, what they do
DEMO_STAFF = [
    ("admin", "Fulian-admin-2026", [], "铜陵市妇联", "超级用户（仅演示环境可登录）"),
    ("editor", "Fulian-editor-2026", ["web_editor"], "铜陵市妇联", "网站编辑：撰写稿件、提交审核"),
    ("approver", "Fulian-approver-2026", [], "铜陵市妇联", "审核人：审核并发布稿件"),
    ("hotline", "Fulian-hotline-2026", ["hotline_operator"], "铜陵市妇联", "12338 接线员"),
    ("counsellor", "Fulian-counsel-2026", ["counsellor"], "铜陵市妇联", "心理咨询师"),
    ("caseworker", "Fulian-casework-2026", ["caseworker"], "铜官区妇联", "维权干部（铜官区）"),
    ("caseworker2", "Fulian-casework2-2026", ["caseworker"], "义安区妇联", "维权干部（义安区）"),
    ("supervisor", "Fulian-supervise-2026", ["supervisor"], "铜陵市妇联", "分管领导"),
    ("liaison", "Fulian-liaison-2026", ["liaison"], "市公安局", "成员单位联络员（市公安局）"),
    ("liaison_edu", "Fulian-liaison-edu-2026", ["liaison"], "市教育体育局", "成员单位联络员（市教育体育局）"),
    (
        "secretariat",
        "Fulian-secretariat-2026",
        ["secretariat"],
        "铜陵市妇联",
        "联席会议办公室（会议、任务、责任书、考核、工作报告）",
    ),
    ("grassroots", "Fulian-village-2026", ["grassroots"], "五一社区妇联", "基层妇联干部（五一社区）"),
    ("campaign", "Fulian-campaign-2026", ["campaign_manager"], "铜陵市妇联", "评选活动管理员"),
    ("sysadmin", "Fulian-sysadmin-2026", ["system_admin"], "铜陵市妇联", "系统管理员"),
    ("secadmin", "Fulian-secadmin-2026", ["security_admin"], "铜陵市妇联", "安全管理员"),
    ("auditor", "Fulian-auditor-2026", ["audit_admin"], "铜陵市妇联", "审计管理员"),
]

# Invented people (names and ID numbers are fictitious; the ID numbers carry valid check digits).
DEMO_PEOPLE = [
    (
        "五一社区妇联",
        {
            "name": "陈晓梅",
            "id_number": "340705198806152324",
            "phone": "13905621234",
            "address": "铜官区五一社区某小区",
            "sex": "F",
        },
    ),
    (
        "铜官区妇联",
        {
            "name": "刘芳",
            "phone": "15855621111",
            "address": "铜官区新城街道",
            "sex": "F",
            "notes": "咨询离婚财产分割。",
        },
    ),
    (
        "城山社区妇联",
        {"name": "张小雨", "id_number": "340706201503120027", "sex": "F", "notes": "留守儿童，与祖母同住。"},
    ),
    ("义安区妇联", {"name": "王丽", "phone": "13605620000", "sex": "F"}),
]


def load_organisations() -> dict[str, Organisation]:
    from fulian.orgs.services import organisation_create

    made = {o.name: o for o in Organisation.objects.all()}

    def ensure(name: str, code: str, kind: str, parent: Organisation | None) -> Organisation:
        if name not in made:
            made[name] = organisation_create(name=name, kind=kind, parent=parent, division_code=code)
        return made[name]

    for (city_name, city_code), counties in TREE.items():
        city = ensure(city_name, city_code, K.CITY, None)
        for (county_name, county_code), townships in counties.items():
            county = ensure(county_name, county_code, K.COUNTY, city)
            for (township_name, township_code), villages in townships.items():
                township = ensure(township_name, township_code, K.TOWNSHIP, county)
                for village_name, village_code in villages:
                    ensure(village_name, village_code, K.VILLAGE, township)
    for unit in MEMBER_UNITS:
        ensure(unit, "", K.MEMBER_UNIT, None)
    return made


def load_staff(organisations: dict[str, Organisation]) -> None:
    from fulian.accounts.roles import BY_CODE

    user_model = get_user_model()
    for username, password, roles, organisation, _what in DEMO_STAFF:
        superuser = username == "admin"
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_superuser": superuser, "is_staff": superuser}
        )
        if created:
            user.set_password(password)
            user.save()
        groups = [BY_CODE[r].group for r in roles] + (["Moderators"] if username == "approver" else [])
        user.groups.set(Group.objects.filter(name__in=groups))
        StaffProfile.objects.update_or_create(
            user=user, defaults={"organisation": organisations[organisation], "demo": True}
        )


def load_people(organisations: dict[str, Organisation]) -> None:
    from fulian.people.models import Person
    from fulian.people.services import person_create

    if Person.objects.exists():
        return
    for organisation, data in DEMO_PEOPLE:
        person_create(actor=None, organisation=organisations[organisation], **data)


def logins() -> list[tuple[str, str, str, str]]:
    return [(u, p, o, what) for u, p, _r, o, what in DEMO_STAFF]


def load_all() -> Any:
    organisations = load_organisations()
    load_staff(organisations)
    load_people(organisations)
    from fulian.demo.casework import load_casework
    from fulian.demo.ledger import load_ledger

    load_casework(organisations)
    load_ledger(organisations)
    from fulian.demo.jointmeeting import load_joint_meeting

    load_joint_meeting(organisations)
