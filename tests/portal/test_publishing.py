"""Editing rules: confidentiality review, one-step approval, scheduled publishing, revisions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fulian.core import upkeep
from fulian.portal.models import ArticlePage, ChannelPage, ConfidentialityReviewError
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def _add_channel_url(home) -> str:
    return f"/admin/pages/add/portal/channelpage/{home.pk}/"


class TestConfidentialityReview:
    def test_publishing_without_the_review_is_refused_with_a_chinese_message(self, home, colleague, client):
        client.force_login(colleague)
        response = client.post(
            _add_channel_url(home),
            {"title": "新栏目", "slug": "new", "intro": "", "page_size": "20", "action-publish": "publish"},
        )
        assert response.status_code == 200
        assert "发布前必须完成保密审查" in response.content.decode()
        assert not ChannelPage.objects.filter(slug="new").exists()

    def test_a_draft_may_be_saved_before_the_review(self, home, colleague, client):
        client.force_login(colleague)
        response = client.post(_add_channel_url(home), {"title": "草稿栏目", "slug": "draft", "page_size": "20"})
        assert response.status_code == 302
        page = ChannelPage.objects.get(slug="draft")
        assert not page.live

    def test_publishing_after_the_review_works(self, home, colleague, client):
        client.force_login(colleague)
        data = {"title": "新栏目", "slug": "new", "page_size": "20", "confidentiality_reviewed": "on"}
        response = client.post(_add_channel_url(home), {**data, "action-publish": "publish"})
        assert response.status_code == 302
        assert ChannelPage.objects.get(slug="new").live

    def test_submitting_for_approval_also_needs_the_review(self, home, owner, client):
        client.force_login(owner)
        response = client.post(
            _add_channel_url(home), {"title": "待审", "slug": "pending", "page_size": "20", "action-submit": "submit"}
        )
        assert "发布前必须完成保密审查" in response.content.decode()

    def test_publishing_code_paths_that_bypass_the_form_are_refused_too(self, channel):
        article = make_article(channel, "未审查", confidentiality_reviewed=True)
        article.confidentiality_reviewed = False
        revision = article.save_revision()
        with pytest.raises(ConfidentialityReviewError):
            revision.publish()
        article.refresh_from_db()
        assert article.live_revision_id != revision.pk

    def test_the_outsider_cannot_reach_the_editor(self, home, outsider, client):
        client.force_login(outsider)
        response = client.get(_add_channel_url(home))
        assert response.status_code in (302, 403)


class TestApprovalWorkflow:
    def test_an_editor_submits_and_an_approver_publishes(self, channel, owner, colleague):
        article = make_article(channel, "待审稿件")
        article.unpublish()
        article.title = "待审稿件（修改）"
        article.save_revision(user=owner)
        assert not article.permissions_for_user(owner).can_publish()

        workflow = article.get_workflow()
        assert workflow is not None
        assert workflow.tasks.count() == 1
        state = workflow.start(article, user=owner)
        task_state = state.current_task_state
        assert [name for name, _label, _modal in task_state.task.get_actions(article, colleague)][:1] == ["reject"]
        task_state.task.on_action(task_state, user=colleague, action_name="approve")

        article.refresh_from_db()
        assert article.live
        assert article.title == "待审稿件（修改）"

    def test_the_outsider_gets_no_approval_actions(self, channel, owner, outsider):
        article = make_article(channel, "待审稿件")
        article.save_revision(user=owner)
        state = article.get_workflow().start(article, user=owner)
        assert state.current_task_state.task.get_actions(article, outsider) == []


class TestScheduledPublishing:
    def test_the_worker_publishes_pages_whose_time_has_come(self, channel):
        article = make_article(channel, "定时发布")
        article.unpublish()
        article.go_live_at = timezone.now() + dt.timedelta(hours=1)
        revision = article.save_revision()
        revision.publish()
        article.refresh_from_db()
        assert not article.live  # scheduled, not yet public

        # Let the hour pass: the scheduled time is now in the past.
        past = timezone.now() - dt.timedelta(minutes=1)
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save(update_fields=["content", "approved_go_live_at"])
        upkeep.publish_scheduled_pages()
        article.refresh_from_db()
        assert article.live


def test_publishing_a_new_revision_keeps_history(channel):
    article = make_article(channel, "第一版")
    article.title = "第二版"
    article.save_revision().publish()
    assert ArticlePage.objects.get(pk=article.pk).title == "第二版"
    assert article.revisions.count() == 2


def test_bulk_publish_refuses_unreviewed_pages_with_a_message(channel, admin_client):
    article = make_article(channel, "未审查草稿")
    article.unpublish()
    article.confidentiality_reviewed = False
    article.save_revision()
    response = admin_client.post(f"/admin/bulk/wagtailcore/page/publish/?id={article.pk}", {}, follow=True)
    assert response.status_code == 200
    assert "尚未通过保密审查" in response.content.decode()
    article.refresh_from_db()
    assert not article.live


def test_bulk_publish_of_reviewed_pages_still_works(channel, admin_client):
    article = make_article(channel, "已审查草稿")
    article.unpublish()
    response = admin_client.post(f"/admin/bulk/wagtailcore/page/publish/?id={article.pk}", {})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.live
