"""Reads over users and teams."""

from django.db.models import Count, Q

from guanxi.accounts.models import Role, Team, User
from guanxi.accounts.services import subteam_ids
from guanxi.core.prepared import prepared


def users_visible_to(user: User):
    """Everyone may see the directory of active colleagues (needed to share and transfer)."""
    return User.objects.filter(is_active=True).select_related("team")


def teams_visible_to(user: User):
    return Team.objects.all()


def team_rows(user: User) -> list[Team]:
    """``teams_visible_to(user)``, names only, for a select, the SQL built once per process
    (every user sees every team)."""

    def build():
        return teams_visible_to(user).only("name"), {}

    return prepared(("accounts.teams", Team.objects.db), build).rows()


def team_member_ids(user: User):
    """Ids of users in the manager's team and every sub-team (a subquery)."""
    return User.objects.filter(team_id__in=subteam_ids(user.team_id)).values("id")


def is_manager_of(manager: User, other: User) -> bool:
    """True when ``other`` sits in ``manager``'s team or a sub-team."""
    if manager.role != Role.MANAGER or manager.team_id is None or other.team_id is None:
        return False
    return subteam_ids(manager.team_id).filter(descendant_id=other.team_id).exists()


def team_tree() -> list[Team]:
    """Every team in tree order (parents before children, siblings by name).

    Each team carries ``depth`` (0 at the top) and ``member_count`` (active members).
    One query; the tree is small enough to order in Python.
    """
    teams = list(
        Team.objects.annotate(
            member_count=Count("members", filter=Q(members__is_active=True))
        ).order_by("name")
    )
    children: dict[int | None, list[Team]] = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team)
    ordered: list[Team] = []
    stack = [(t, 0) for t in reversed(children.get(None, []))]
    while stack:
        team, depth = stack.pop()
        team.depth = depth
        ordered.append(team)
        stack.extend((c, depth + 1) for c in reversed(children.get(team.pk, [])))
    return ordered


def user_directory(
    *, q: str = "", role: str = "", team_id: int | None = None, active: bool | None = None
):
    """All users (active or not) for the admin's users page, with team and manager joined."""
    qs = User.objects.select_related("team", "manager").order_by("username")
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q)
        )
    if role:
        qs = qs.filter(role=role)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs
