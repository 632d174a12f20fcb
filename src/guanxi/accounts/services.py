"""Accounts services: users, teams and their closure table, API tokens, login throttling."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import ApiToken, LoginFailure, Role, Team, TeamClosure, User
from guanxi.accounts.signed_in import live_token


@transaction.atomic
def create_team(name: str, parent: Team | None = None) -> Team:
    """Create a team under ``parent`` and add its closure rows."""
    team = Team.objects.create(name=name, parent=parent)
    rows = [TeamClosure(ancestor=team, descendant=team, depth=0)]
    if parent is not None:
        rows += [
            TeamClosure(ancestor_id=c.ancestor_id, descendant=team, depth=c.depth + 1)
            for c in TeamClosure.objects.filter(descendant=parent)
        ]
    TeamClosure.objects.bulk_create(rows)
    return team


@transaction.atomic
def move_team(team: Team, new_parent: Team | None) -> Team:
    """Re-parent a team (and its whole subtree), refusing cycles."""
    subtree = list(TeamClosure.objects.filter(ancestor=team).values_list("descendant_id", "depth"))
    if new_parent is not None and new_parent.pk in {d for d, _ in subtree}:
        raise ValidationError({"parent": _("A team cannot be moved under itself.")})
    sub_ids = [d for d, _ in subtree]
    # Drop links from the old ancestors to the subtree, keep links inside the subtree.
    TeamClosure.objects.filter(descendant_id__in=sub_ids).exclude(ancestor_id__in=sub_ids).delete()
    if new_parent is not None:
        ancestors = list(TeamClosure.objects.filter(descendant=new_parent))
        TeamClosure.objects.bulk_create(
            TeamClosure(ancestor_id=a.ancestor_id, descendant_id=d, depth=a.depth + 1 + depth)
            for a in ancestors
            for d, depth in subtree
        )
    team.parent = new_parent
    team.save(update_fields=["parent"])
    return team


def subteam_ids(team_id: int | None):
    """A subquery of the ids of a team and all teams below it."""
    return TeamClosure.objects.filter(ancestor_id=team_id).values("descendant_id")


@transaction.atomic
def create_user(
    username: str,
    password: str,
    *,
    role: str = Role.REP,
    team: Team | None = None,
    manager: User | None = None,
    email: str = "",
    display_name: str = "",
    language: str = "",
    validate_password: bool = True,
) -> User:
    """Create a user with a role, team and manager; the password is checked by the validators."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user with that username already exists.")})
    user = User(
        username=username,
        email=email,
        role=role,
        team=team,
        manager=manager,
        display_name=display_name,
        language=language,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if validate_password:
        from django.contrib.auth.password_validation import validate_password as check

        check(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> str:
    """A new API token for ``user``; only its digest is kept, so this is the one time it is seen."""
    token = "gx_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=token[:8], digest=_digest(token))
    return token


def user_for_token(token: str) -> User | None:
    """The active user owning this bearer token, or None."""
    if not token:
        return None
    row = live_token(_digest(token))
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def revoke_token(user: User, token_id: int) -> None:
    ApiToken.objects.filter(user=user, pk=token_id).update(revoked_at=timezone.now())


class LoginLocked(PermissionDenied):
    """Too many failed sign-ins for this username or address."""


def is_locked(username: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    failures = LoginFailure.objects.filter(at__gte=since)
    who = Q(username=username.lower())
    by_user = failures.filter(who).count()
    # An address gets more room than a username: an office shares one address.
    by_ip = failures.filter(ip=ip).count() if ip else 0
    return by_user >= settings.LOGIN_MAX_FAILURES or by_ip >= settings.LOGIN_MAX_FAILURES * 4


def sign_in(request, username: str, password: str) -> User:
    """Check credentials with throttling: raises LoginLocked, or ValidationError when wrong."""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    if is_locked(username, ip):
        raise LoginLocked(
            _("Too many failed sign-ins. Try again in %(minutes)d minutes.")
            % {"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60}
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username.lower(), ip=ip)
        raise ValidationError(_("Wrong username or password."))
    LoginFailure.objects.filter(username=username.lower()).delete()
    return user


@transaction.atomic
def change_password(user: User, old: str, new: str) -> None:
    from django.contrib.auth.password_validation import validate_password

    if not user.check_password(old):
        raise ValidationError({"old_password": _("Your old password was entered incorrectly.")})
    validate_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])


_EDITABLE_USER_FIELDS = {"role", "team", "manager", "display_name", "email", "is_active"}


def _check_manager_chain(user: User, manager: User | None) -> None:
    """Refuse a manager who is the user, inactive, or reports (directly or not) to the user."""
    if manager is None:
        return
    if manager.pk == user.pk:
        raise ValidationError({"manager": _("A user cannot be their own manager.")})
    if not manager.is_active:
        raise ValidationError({"manager": _("The manager must be an active user.")})
    seen: set[int] = set()
    current: int | None = manager.manager_id
    while current is not None and current not in seen:
        if current == user.pk:
            message = _("%(manager)s already reports to %(user)s.")
            raise ValidationError({"manager": message % {"manager": manager, "user": user}})
        seen.add(current)
        current = User.objects.filter(pk=current).values_list("manager_id", flat=True).first()


@transaction.atomic
def update_user(actor: User, user: User, **changes) -> User:
    """Change a user's role, team, manager, display name, e-mail or active flag (admins only).

    Deactivating is how a leaving rep is switched off: they can no longer sign in or use
    their API tokens, and their customers stay where they are until transferred.
    """
    if not actor.is_admin:
        raise PermissionDenied(_("Only an administrator can change users."))
    unknown = set(changes) - _EDITABLE_USER_FIELDS
    if unknown:
        raise TypeError(f"update_user() got unexpected fields: {sorted(unknown)}")
    role = changes.get("role", user.role)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if actor.pk == user.pk:
        if role != Role.ADMIN and user.role == Role.ADMIN:
            raise ValidationError({"role": _("You cannot remove your own administrator role.")})
        if changes.get("is_active") is False:
            raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    if "manager" in changes and changes["manager"] != user.manager:
        _check_manager_chain(user, changes["manager"])
    for field, value in changes.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.full_clean(exclude=["password"])
    user.save()
    return user


def set_active(actor: User, user: User, active: bool) -> User:
    """Switch a user on or off (admins only; nobody switches themselves off)."""
    return update_user(actor, user, is_active=active)


def add_team(name: str, parent: Team | None = None) -> Team:
    """Create a team after checking its name: not blank, not taken (ignoring case)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a team name.")})
    if len(name) > Team._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long.")})
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A team with that name already exists.")})
    return create_team(name, parent)


def set_user_language(user: User, language: str) -> User:
    """Save the user's interface language, so it follows them to any browser."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language %(code)s.") % {"code": language}})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
