"""Public pages: security headers, and nothing loaded from outside the deployment."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_public_pages_forbid_inline_scripts_and_framing(channel, client):
    response = client.get(channel.url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_asset_is_self_hosted(channel, client):
    article = make_article(channel)
    for url in ["/", channel.url, article.url, article.url + "print/", "/search/?q=x", "/missing/"]:
        html = client.get(url).content.decode()
        assets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
        assert assets, url
        for asset in assets:
            assert asset.startswith("/"), f"{url} loads {asset}"


def test_the_page_never_carries_visitor_data_in_urls(channel, client):
    html = client.get(
        channel.url, REMOTE_ADDR="10.9.8.7", HTTP_USER_AGENT="Mozilla/5.0 UniqueAgent/1.0"
    ).content.decode()
    assert "10.9.8.7" not in html
    assert "UniqueAgent" not in html
