"""API routes for signing in (tokens), the current user, the user directory and teams."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router
from ninja.errors import AuthenticationError

from guanxi.accounts.queries import teams_visible_to, users_visible_to
from guanxi.accounts.schemas import MeOut, TeamOut, TokenIn, TokenOut, UserOut
from guanxi.accounts.services import issue_token, sign_in
from guanxi.core.api_errors import error_responses
from guanxi.core.ids import Id
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, keyset_page

router = Router(tags=["accounts"])


@router.post("/auth/token", auth=None, response={200: TokenOut, **error_responses(401, 422, 429)})
def create_token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token (shown once; keep it safe).

    Failed attempts are counted: too many lock the username for a while (429).
    """
    try:
        user = sign_in(request, payload.username, payload.password)
    except ValidationError as exc:
        raise AuthenticationError(message=" ".join(exc.messages)) from None
    return {"token": issue_token(user, payload.name)}


@router.get("/me", response={200: MeOut, **error_responses(401)})
def me(request):
    """The signed-in user, with their team and what their role allows."""
    return request.auth


@router.get("/users", response={200: Page[UserOut], **error_responses(401, 422)})
def list_users(
    request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT, team: Id | None = None
):
    """Active colleagues, by username (to pick an owner, a share or a transfer target)."""
    qs = users_visible_to(request.auth)
    if team:
        qs = qs.filter(team_id=team)
    items, next_cursor = keyset_page(qs, "username", cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/users/{int:user_id}", response={200: UserOut, **error_responses(401, 404)})
def get_user(request, user_id: int):
    user = users_visible_to(request.auth).filter(pk=user_id).first()
    if user is None:
        raise Http404
    return user


@router.get("/teams", response={200: list[TeamOut], **error_responses(401)})
def list_teams(request):
    """Every team with its parent's id: the department tree, flat."""
    return list(teams_visible_to(request.auth).order_by("name"))
