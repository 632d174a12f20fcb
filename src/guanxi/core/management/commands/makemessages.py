"""makemessages that also extracts the ``_g`` / ``_lazy`` gettext aliases some modules use
(models import both gettext and gettext_lazy, so one of them needs another name)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g", "--keyword=_lazy"]
