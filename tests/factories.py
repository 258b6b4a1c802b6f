"""Test data builders. Pages go through the same service the demo loader and importer use."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page, Site

from fulian.portal.models import ArticlePage, ChannelPage, HomePage, PortalSettings
from fulian.portal.services import article_publish_new

_seq = itertools.count(1)

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


def make_home(**footer: Any) -> HomePage:
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    for child in root.get_children():
        child.delete()
    home = HomePage(title="网站首页", slug="home", confidentiality_reviewed=True)
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.all().delete()
    site = Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    defaults = {
        "site_name": "铜陵市妇联",
        "phone": "0562-2832832",
        "fax": "0562-2832833",
        "email": "office@example.com",
        "address": "铜陵市测试路1号",
        "tech_support": "信息中心",
        "report_phone": "0562-12318",
        "police_filing_no": "皖公网安备 34070202000291号",
        "police_filing_url": "https://beian.mps.gov.cn/",
        "icp_no": "皖ICP备08002462号-1",
        "site_code": "3407000001",
        **footer,
    }
    PortalSettings.objects.update_or_create(site=site, defaults=defaults)
    return home


def make_channel(home: HomePage, title: str = "信息快递", slug: str | None = None, **kwargs: Any) -> ChannelPage:
    channel = ChannelPage(
        title=title,
        slug=slug or f"channel-{next(_seq)}",
        show_in_menus=True,
        confidentiality_reviewed=True,
        **kwargs,
    )
    home.add_child(instance=channel)
    channel.save_revision().publish()
    return channel


def make_article(
    channel: ChannelPage,
    title: str | None = None,
    *,
    published_at: dt.datetime | None = None,
    text: str = "妇联组织开展维权服务。",
    **kwargs: Any,
) -> ArticlePage:
    return article_publish_new(
        channel=channel,
        title=title or f"测试文章{next(_seq)}",
        published_at=published_at or timezone.now() - dt.timedelta(days=1),
        body=[{"type": "paragraph", "value": f"<p>{text}</p>"}],
        source=kwargs.pop("source", "市妇联"),
        author=kwargs.pop("author", "李静"),
        confidentiality_reviewed=kwargs.pop("confidentiality_reviewed", True),
        **kwargs,
    )


def make_org_tree() -> dict[str, Any]:
    """City → two counties → a township under the first; plus a member unit."""
    from fulian.orgs.models import OrganisationKind as K
    from fulian.orgs.services import organisation_create

    city = organisation_create(name="铜陵市妇联", kind=K.CITY, division_code="340700")
    county = organisation_create(name="铜官区妇联", kind=K.COUNTY, parent=city, division_code="340705")
    sibling = organisation_create(name="义安区妇联", kind=K.COUNTY, parent=city, division_code="340706")
    township = organisation_create(name="天井湖社区妇联", kind=K.TOWNSHIP, parent=county, division_code="340705001")
    police = organisation_create(name="市公安局", kind=K.MEMBER_UNIT)
    return {"city": city, "county": county, "sibling": sibling, "township": township, "police": police}


def make_staff(username: str, organisation: Any, *roles: str) -> Any:
    from fulian.accounts.services import staff_place, staff_set_roles

    user = UserFactory(username=username)
    staff_place(actor=None, user=user, organisation=organisation)
    staff_set_roles(actor=None, user=user, roles=roles)
    return get_user_model().objects.get(username=username)  # fresh: no cached permissions


def make_person(organisation: Any, **data: Any) -> Any:
    from fulian.people.services import person_create

    data.setdefault("name", "王小红")
    data.setdefault("phone", "13812345678")
    data.setdefault("id_number", "340702199001011239")
    return person_create(actor=None, organisation=organisation, **data)


def login_verified(client: Any, user: Any) -> Any:
    """Log a staff user in with both factors done (a confirmed TOTP device, verified in this session)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="TOTP", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def mark_fresh_login(client: Any) -> Any:
    """As if the user had just re-entered the password: exports and reveals run without asking again."""
    from fulian.accounts.reauth import KEY

    session = client.session
    session[KEY] = int(timezone.now().timestamp())
    session.save()
    return client


def make_contact(organisation: Any, actor: Any = None, **data: Any) -> Any:
    from fulian.hotline.services import contact_record

    data.setdefault("caller_phone", "13905621234")
    data.setdefault("caller_name", "陈晓梅")
    data.setdefault("narrative", "丈夫酒后殴打，想咨询怎么办。")
    return contact_record(actor=actor, organisation=organisation, **data)


def make_case(organisation: Any, actor: Any = None, **data: Any) -> Any:
    from fulian.cases.services import case_open

    data.setdefault("helped", {"name": "陈晓梅", "phone": "13905621234", "sex": "F", "age": 34})
    data.setdefault("summary", "长期遭受家庭暴力。")
    return case_open(actor=actor, organisation=organisation, **data)


def make_joint_meeting(tree: dict[str, Any] | None = None) -> dict[str, Any]:
    """The joint meeting on top of `make_org_tree`: the federation as secretariat, 市公安局 and
    市教育体育局 as member units, 市民政局 an organisation that is not a member; its staff."""
    from fulian.jointmeeting.models import MemberRole, MemberUnit
    from fulian.orgs.models import OrganisationKind as K
    from fulian.orgs.services import organisation_create

    tree = tree or make_org_tree()
    education = organisation_create(name="市教育体育局", kind=K.MEMBER_UNIT)
    tree["education"] = education
    tree["civil_affairs"] = organisation_create(name="市民政局", kind=K.MEMBER_UNIT)
    tree["secretariat_unit"] = MemberUnit.objects.create(
        organisation=tree["city"], role=MemberRole.SECRETARIAT, signs_letter=False, order=0
    )
    tree["police_unit"] = MemberUnit.objects.create(organisation=tree["police"], order=1)
    tree["education_unit"] = MemberUnit.objects.create(
        organisation=education, order=2, report_sectors=["school", "kindergarten"]
    )
    # Three standing users: the secretariat (owner), the police liaison (colleague: the unit the
    # tests act for), the education liaison (outsider: another unit, must see none of it).
    tree["secretary"] = make_staff("secretary", tree["city"], "secretariat")
    tree["police_liaison"] = make_staff("police_liaison", tree["police"], "liaison")
    tree["education_liaison"] = make_staff("education_liaison", education, "liaison")
    return tree
