"""Pages for signing in and out, the language switch, passwords, and the admin's users and teams.

Thin views: parse the form, call accounts.services, render. Rules live in the services.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from guanxi.accounts import forms, queries, services
from guanxi.accounts.models import Role, Team, User
from guanxi.core.ids import int_or_none
from guanxi.core.links import local_url

USERS_PAGE_SIZE = 50


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def admin_required(view):
    """Signed-in administrators only: others get 403, strangers the sign-in page."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_admin:
            raise PermissionDenied(_("Only an administrator can manage users and teams."))
        return view(request, *args, **kwargs)

    return wrapper


# --- signing in and out -------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method != "POST" and request.user.is_authenticated:
        return redirect(local_url(request, next_url) or reverse("customers:list"))
    form = forms.LoginForm(request.POST or None)
    locked = False
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except services.LoginLocked as exc:
            locked = True
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            auth_login(request, user)
            response = redirect(local_url(request, next_url) or reverse("customers:list"))
            if user.language:
                set_language_cookie(response, user.language)
            return response
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": local_url(request, next_url) or "", "locked": locked},
    )


@require_POST
def logout_view(request):
    auth_logout(request)
    messages.info(request, _("You have signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request):
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                request.user, form.cleaned_data["old_password"], form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc, default_field="new_password1")
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@require_POST
def set_language_for_user(request):
    """Like django.views.i18n.set_language, and it also saves the choice on a signed-in user."""
    language = request.POST.get("language", "")
    next_url = (
        local_url(request, request.POST.get("next") or request.GET.get("next"))
        or local_url(request, request.headers.get("referer"))
        or "/"
    )
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.set_user_language(request.user, language)
        set_language_cookie(response, language)
    return response


# --- users ---------------------------------------------------------------------------------


@admin_required
def users_list(request):
    status = request.GET.get("status", "active")
    active = {"active": True, "inactive": False}.get(status)
    team_id = int_or_none(request.GET.get("team")) or None
    role = request.GET.get("role", "")
    qs = queries.user_directory(
        q=request.GET.get("q", "").strip(),
        role=role if role in Role.values else "",
        team_id=team_id,
        active=active,
    )
    page = Paginator(qs, USERS_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/users.html",
        {
            "nav": "admin",
            "page": page,
            "status": status,
            "role": role,
            "team_id": team_id,
            "roles": Role.choices,
            "teams": [(t.pk, "\u2003" * t.depth + t.name) for t in queries.team_tree()],
            "query": params.urlencode(),
        },
    )


@sensitive_post_parameters("password1", "password2")
@admin_required
def user_create(request):
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                data["username"],
                data["password1"],
                role=data["role"],
                team=data["team"],
                manager=data["manager"],
                email=data["email"],
                display_name=data["display_name"],
            )
        except ValidationError as exc:
            # Errors without a field come from the password validators.
            forms.apply_errors(form, exc, {"password": "password1"}, default_field="password1")
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user})
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"nav": "admin", "form": form})


@admin_required
def user_edit(request, pk: int):
    target = get_object_or_404(User.objects.select_related("team", "manager"), pk=pk)
    form = forms.UserEditForm(request.POST or None, user=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(request.user, target, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("User %(name)s saved.") % {"name": target})
            return redirect("accounts:users")
        # A refused change must not leak into the page's header.
        target.refresh_from_db()
    return render(
        request, "accounts/user_form.html", {"nav": "admin", "form": form, "target": target}
    )


# --- teams ---------------------------------------------------------------------------------


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@admin_required
def teams(request):
    action = request.POST.get("action") if request.method == "POST" else None
    create_form = forms.TeamCreateForm(
        request.POST if action == "create" else None,
        prefix="create",
        initial={"parent": _int_or_none(request.GET.get("parent"))},
    )
    move_form = forms.TeamMoveForm(
        request.POST if action == "move" else None,
        prefix="move",
        initial={"team": _int_or_none(request.GET.get("move"))},
    )
    if action == "create" and create_form.is_valid():
        data = create_form.cleaned_data
        try:
            team = services.add_team(data["name"], data["parent"])
        except ValidationError as exc:
            forms.apply_errors(create_form, exc)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team})
            return redirect("accounts:teams")
    elif action == "move" and move_form.is_valid():
        team: Team = move_form.cleaned_data["team"]
        parent: Team | None = move_form.cleaned_data["parent"]
        try:
            services.move_team(team, parent)
        except ValidationError as exc:
            forms.apply_errors(move_form, exc)
            reason = " ".join(message for message in exc.messages)
            messages.error(
                request,
                _("%(team)s was not moved: %(reason)s") % {"team": team, "reason": reason},
            )
        else:
            messages.success(
                request,
                _("%(team)s now sits under %(parent)s.") % {"team": team, "parent": parent}
                if parent
                else _("%(team)s is now a top-level team.") % {"team": team},
            )
            return redirect("accounts:teams")
    return render(
        request,
        "accounts/teams.html",
        {
            "nav": "admin",
            "tree": queries.team_tree(),
            "create_form": create_form,
            "move_form": move_form,
            "action": action,
        },
    )
