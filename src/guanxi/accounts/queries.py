"""Reads over users and teams."""

from guanxi.accounts.models import Role, Team, User
from guanxi.accounts.services import subteam_ids


def users_visible_to(user: User):
    """Everyone may see the directory of active colleagues (needed to share and transfer)."""
    return User.objects.filter(is_active=True).select_related("team")


def teams_visible_to(user: User):
    return Team.objects.all()


def team_member_ids(user: User):
    """Ids of users in the manager's team and every sub-team (a subquery)."""
    return User.objects.filter(team_id__in=subteam_ids(user.team_id)).values("id")


def is_manager_of(manager: User, other: User) -> bool:
    """True when ``other`` sits in ``manager``'s team or a sub-team."""
    if manager.role != Role.MANAGER or manager.team_id is None or other.team_id is None:
        return False
    return subteam_ids(manager.team_id).filter(descendant_id=other.team_id).exists()
