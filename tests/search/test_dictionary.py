"""The domain dictionary and synonyms are edited in the admin and change what search finds."""

from __future__ import annotations

import pytest

from fulian.pagecache import memo
from fulian.search.models import SearchSynonym, SearchWord
from fulian.search.segment import index_tokens, query_terms
from fulian.search.selectors import term_groups
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_built_in_domain_words_stay_whole():
    assert "人身安全保护令" in index_tokens("依法申请人身安全保护令")
    assert query_terms("最美家庭表彰") == ["最美家庭", "表彰"]


def test_search_mode_also_indexes_the_parts_of_long_words():
    tokens = index_tokens("最美家庭表彰大会")
    assert {"最美家庭", "家庭", "表彰大会"} <= set(tokens)


def test_full_width_and_upper_case_are_normalised():
    assert query_terms("ＷｅＣｈａｔ １２３３８") == ["wechat", "12338"]


def test_a_word_added_in_the_admin_is_kept_whole(admin_client):
    assert "反家暴联动" not in query_terms("反家暴联动机制")
    response = admin_client.post("/admin/snippets/fulian_search/searchword/add/", {"word": "反家暴联动"})
    assert response.status_code == 302
    memo.sync()
    assert "反家暴联动" in query_terms("反家暴联动机制")


def test_synonyms_added_in_the_admin_expand_queries(admin_client):
    response = admin_client.post("/admin/snippets/fulian_search/searchsynonym/add/", {"words": "妇代会，妇女代表大会"})
    assert response.status_code == 302
    memo.sync()
    assert set(term_groups("妇代会")[0]) == {"妇代会", "妇女代表大会"}


def test_the_default_synonyms_are_there():
    assert SearchSynonym.objects.filter(words__contains="家暴").exists()
    assert SearchWord.objects.filter(word="12338").exists()


def test_the_outsider_cannot_edit_the_dictionary(client, outsider):
    client.force_login(outsider)
    response = client.get("/admin/snippets/fulian_search/searchword/")
    assert response.status_code in (302, 403)


def test_rebuild_command_indexes_every_live_article(channel):
    from io import StringIO

    from django.core.management import call_command

    make_article(channel, "家庭教育")
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "已为 1 篇文章建立索引" in out.getvalue()
