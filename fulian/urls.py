from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from fulian.hotline import views as hotline_views
from fulian.portal import views as portal_views
from fulian.portal.serving import serve_page

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", portal_views.search, name="search"),
    path("care/", portal_views.toggle_care_mode, name="care_mode"),
    # 来电弹屏: the call-centre system announces a ringing call (bearer token, not a session).
    path("api/hotline/ring/", hotline_views.ring, name="hotline_ring"),
    # 在线维权: a help request from the public, and its status by tracking number (维权咨询 → wqzx).
    path("wqzx/", portal_views.online_request, name="online_request"),
    path("wqzx/done/", portal_views.online_request_done, name="online_request_done"),
    path("wqzx/cx/", portal_views.online_request_lookup, name="online_request_lookup"),
    # Old ASP links, in any letter case (IIS did not care): newsinfo.asp?id=N.
    re_path(r"^[Nn][Ee][Ww][Ss][Ii][Nn][Ff][Oo]\.[Aa][Ss][Pp]$", portal_views.legacy_article, name="legacy_article"),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.SERVE_MEDIA:
    from django.views.static import serve

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += [
    # Public pages: the same URL pattern (and name) as Wagtail's, served with memorised routing.
    re_path(r"^((?:[\w\-]+/)*)$", serve_page, name="wagtail_serve"),
    path("", include(wagtail_urls)),
]

handler404 = "fulian.portal.views.page_not_found"
handler500 = "fulian.portal.views.server_error"
