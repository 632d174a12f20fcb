"""The `guanxi` command: Guanxi's own verbs plus every Django management command."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["guanxi", *argv])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
