"""The organisation screens of the system administrator: a save the service refuses comes back
onto the form with its reason, never as an error page."""

from __future__ import annotations

import pytest
from django.test import Client

from fulian.orgs.models import Organisation
from tests.factories import login_verified, make_org_tree, make_staff

pytestmark = pytest.mark.django_db


def test_a_village_directly_under_the_city_is_refused_on_the_form():
    tree = make_org_tree()
    admin = login_verified(Client(), make_staff("sysadmin", tree["city"], "system_admin"))
    response = admin.post(
        "/admin/organisations/new/",
        {"name": "跳级村妇联", "kind": "village", "parent": tree["city"].pk, "division_code": "340705001009",
         "case_prefix": "", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "上级" in response.content.decode()
    assert not Organisation.objects.filter(name="跳级村妇联").exists()
