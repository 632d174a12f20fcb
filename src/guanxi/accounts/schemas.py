"""API shapes for users, teams and tokens."""

from ninja import Schema
from pydantic import ConfigDict, Field


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    name: str = Field("", max_length=100, description="A label to recognise the token by.")


class TokenOut(Schema):
    token: str


class UserRef(Schema):
    """A user as shown inside other records."""

    id: int
    username: str
    display_name: str

    @staticmethod
    def resolve_display_name(obj) -> str:
        return str(obj)


class TeamOut(Schema):
    id: int
    name: str
    parent_id: int | None


class UserOut(Schema):
    id: int
    username: str
    display_name: str

    @staticmethod
    def resolve_display_name(obj) -> str:
        return str(obj)

    email: str
    role: str
    team_id: int | None
    manager_id: int | None
    is_active: bool


class MeOut(UserOut):
    team: TeamOut | None
    language: str
    time_zone: str
    can_write: bool
    can_reveal: bool
    is_admin: bool
