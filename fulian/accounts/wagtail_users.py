"""Wagtail's users app, with our user viewset (fulian/accounts/user_forms.py).

Its own module: an app config is imported before models are ready, the forms only after.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class StaffUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "fulian.accounts.user_forms.StaffUserViewSet"
