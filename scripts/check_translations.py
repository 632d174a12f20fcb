#!/usr/bin/env python3
"""Check the translation catalogues: every entry translated, none fuzzy, placeholders kept,
and the compiled .mo in step with its .po.

Usage: python scripts/check_translations.py [LOCALE_DIR]   (default: src/guanxi/locale)
Exit status 1 with one line per problem; 0 and a summary when all is well.

Pure Python (no gettext tools, no polib), so `make lint` runs it anywhere. The .mo is compared
with the .po by content rather than by modification time: git does not keep mtimes, so after a
clone either file may look older, while a stale .mo always differs in content.
"""

import ast
import gettext
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_LOCALE_DIR = Path(__file__).resolve().parent.parent / "src" / "guanxi" / "locale"
# %(name)s, %d, %s … (but not %%), and {{ var }} left in blocktrans by mistake.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[diouxXeEfFgGcrsa]|\{\{.*?\}\}"
)
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)
    obsolete: bool = False

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def translations(self) -> list[str]:
        return [v for k, v in sorted(self.fields.items()) if k.startswith("msgstr")]


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header included, as the entry with an empty msgid)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    current = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry = None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            current = match.group(1)
            entry.fields[current] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and current:
            entry.fields[current] += ast.literal_eval(line)
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    return [e for e in entries if not e.obsolete]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def check_catalogue(po_path: Path) -> list[str]:
    """Problems with one .po file and its .mo, as readable lines."""
    problems: list[str] = []
    entries = parse_po(po_path)
    messages = [e for e in entries if e.msgid]
    for e in messages:
        where = f"{po_path}:{e.line}: {e.msgid[:60]!r}"
        if "fuzzy" in e.flags:
            problems.append(f"{where} is fuzzy")
        if not e.translations or not all(e.translations):
            problems.append(f"{where} is not translated")
            continue
        if "python-format" in e.flags:
            wanted = _placeholders(e.fields.get("msgid_plural", e.msgid))
            for text in e.translations:
                if _placeholders(text) != wanted:
                    problems.append(f"{where}: placeholders {wanted} became {_placeholders(text)}")
    header = next((e for e in entries if not e.msgid), None)
    if header is None or "Plural-Forms:" not in header.fields.get("msgstr", ""):
        problems.append(f"{po_path}: the header has no Plural-Forms")
    problems += _check_compiled(po_path, messages)
    return problems


def _check_compiled(po_path: Path, messages: list[Entry]) -> list[str]:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [f"{mo_path}: missing; run compilemessages"]
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # the parsed .mo
    for e in messages:
        if "fuzzy" in e.flags:
            continue
        key = e.msgid
        if "msgctxt" in e.fields:
            key = f"{e.fields['msgctxt']}\x04{key}"
        if "msgid_plural" in e.fields:
            stale = any(compiled.get((key, n)) != text for n, text in enumerate(e.translations))
        else:
            stale = compiled.get(key) != e.translations[0]
        if stale:
            return [
                f"{mo_path}: out of date with {po_path.name} (first at {e.msgid[:60]!r}); run compilemessages"
            ]
    return []


def main(argv: list[str]) -> int:
    locale_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_LOCALE_DIR
    catalogues = sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))
    if not catalogues:
        print(f"no catalogues under {locale_dir}")
        return 1
    problems = [p for po in catalogues for p in check_catalogue(po)]
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} translation problem(s)")
        return 1
    counts = ", ".join(
        f"{po.parent.parent.name}: {len([e for e in parse_po(po) if e.msgid])}" for po in catalogues
    )
    print(f"translations complete ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
