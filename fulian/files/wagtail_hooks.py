from wagtail import hooks

from fulian.files import views

hooks.register("register_admin_urls", views.urls)
