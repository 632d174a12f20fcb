"""Signing in: Django's model backend, with each request's user read together with their team."""

from django.contrib.auth.backends import ModelBackend

from guanxi.accounts.signed_in import user_with_team


class UserBackend(ModelBackend):
    """``ModelBackend`` (passwords, permissions, inactive users refused), except that the user
    of a session is read with their team in one statement built once: every page names the
    team, and the two ORM lookups cost more to build than to run."""

    def get_user(self, user_id):
        user = user_with_team(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
