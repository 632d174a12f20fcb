"""`guanxi user add|list`: manage users from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, Team, User
from guanxi.accounts.services import create_team, create_user
from guanxi.customers.import_commands import user_called


def validation_text(exc: ValidationError) -> str:
    """A ValidationError as lines of "field: message" (or just the messages)."""
    if hasattr(exc, "error_dict"):
        return "\n".join(
            f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs
        )
    return "\n".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Add or list users. Example: guanxi user add wang.fang --role rep --team 广州销售组 "
        "--password …"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,list}")
        add = actions.add_parser("add", help="Create a user.")
        add.add_argument("username")
        add.add_argument(
            "--role", required=True, choices=Role.values, help="admin, manager, rep or analyst."
        )
        add.add_argument(
            "--password",
            required=True,
            help="The initial password (checked by the password rules).",
        )
        add.add_argument("--team", default="", help="Team name; created at the top level if new.")
        add.add_argument("--manager", default="", help="Username of the user's manager.")
        add.add_argument("--email", default="")
        add.add_argument("--display-name", default="", help="The name shown in the app.")
        actions.add_parser("list", help="List the users.")

    def handle(self, *args, action: str, **options) -> None:
        if action == "add":
            self.add(**options)
        else:
            self.list()

    @transaction.atomic
    def add(
        self,
        *,
        username: str,
        role: str,
        password: str,
        team: str,
        manager: str,
        email: str,
        display_name: str,
        **_options,
    ) -> None:
        username = username.strip()
        boss = user_called(manager) if manager else None
        team_obj = None
        if team:
            team_obj = Team.objects.filter(name=team).first()
            if team_obj is None:
                team_obj = create_team(team)
                self.stdout.write(_("Created team '%(team)s' at the top level.") % {"team": team})
        try:
            user = create_user(
                username,
                password,
                role=role,
                team=team_obj,
                manager=boss,
                email=email,
                display_name=display_name,
            )
        except ValidationError as exc:
            # Roll back a team created just for this user: nothing half-written.
            transaction.set_rollback(True)
            raise CommandError(validation_text(exc)) from None
        values = {"role": user.role, "username": user.username}
        if team_obj:
            values["team"] = team_obj.name
            created = _("Created %(role)s %(username)s in %(team)s.") % values
        else:
            created = _("Created %(role)s %(username)s.") % values
        self.stdout.write(self.style.SUCCESS(created))

    def list(self) -> None:
        for user in User.objects.select_related("team", "manager").order_by("username"):
            state = "" if user.is_active else " " + _("(inactive)")
            team = user.team.name if user.team else "-"
            boss = (
                _("manager %(manager)s") % {"manager": user.manager.username}
                if user.manager
                else ""
            )
            self.stdout.write(
                f"{user.username:<20} {user.get_role_display():<8} {team:<16} {boss}".rstrip()
                + state
            )
