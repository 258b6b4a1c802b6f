"""The back office works on an intranet without internet: no page asks another site for anything."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import login_verified, make_org_tree, make_staff

pytestmark = pytest.mark.django_db


def test_admin_pages_load_nothing_from_other_sites():
    user = make_staff("offline_supervisor", make_org_tree()["city"], "supervisor")
    client = login_verified(Client(), user)
    for url in ("/admin/", "/admin/mywork/", "/admin/cases/", "/admin/ledger/"):
        html = client.get(url).content.decode()
        assert "gravatar" not in html, url
        # What the browser loads by itself: scripts, images, frames, stylesheets (links to read are fine).
        loaded = re.findall(r'\ssrc="(https?://[^"]+)"', html) + re.findall(r'<link[^>]+href="(https?://[^"]+)"', html)
        assert loaded == [], url
