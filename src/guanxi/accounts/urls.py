"""Sign-in, sign-out and the language switch at the top level; the rest as ``accounts:``."""

from django.urls import include, path

from guanxi.accounts import views

account_patterns = [
    path("account/password/", views.password_change, name="password_change"),
    path("users/", views.users_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("teams/", views.teams, name="teams"),
]

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.set_language_for_user, name="set_language_for_user"),
    path("", include((account_patterns, "accounts"))),
]
