"""The duplicate finder: pairs of customers that look like the same one, with a reason and a score.

Exact keys are grouped in SQL (one query per key): the same normalised phone (a customer's phone
or other phone or any of its contacts' phones), the same e-mail (case-folded, customers' and
contacts'), the same ID number / USCC. Names are compared in Python, but only inside blocks —
customers of the same kind in the same city, or at the same employer — whose pinyin initials
start alike, so the work grows with the block sizes, not with the square of the table:

* names with the same pinyin ("王伟" / "王玮" / "Wang Wei") pair at once (one dict per block);
* other spellings of the block are compared by edit distance on their pinyin strings, with a
  length cut-off before any distance is computed. An edit is a letter inserted, deleted or
  changed, or two neighbouring letters swapped (a typing slip: "Zhang Xiaomnig"), each letter
  edited once at most (the optimal string alignment distance, ``levenshtein``). Names pair
  within ``NAME_THRESHOLD``: one edit when the longer spelling has 9 letters, two from 17 —
  so "Zhang Wie" does not pair with "Zhang Wei" (8 letters: 1 − 1/8 = 0.875). A pair that
  needs a swap pairs only when one of its names is typed in Latin letters: the pinyin of two
  names in characters differs by a swap by chance (向远 xiangyuan / 向玉娜 xiangyuna).

A name's digits and title are no letters to compare: names pair only with the same digits and
title (客户001 / 客户002, 大文件客户1 / 大文件客户12, 张先生 / 郑先生 are different records, not
typos), and the rest of them is what is compared.

A key or name shared by many customers (a switchboard number, the city's 200 王伟) is weak evidence:
an exact key shared by more than ``STAR_OVER`` customers pairs each with the oldest only, a name
shared by more than ``MAX_NAMESAKES`` in one block is not proposed at all, nor is a spelling a
letter or two from more than ``MAX_LOOKALIKES`` customers', and a block whose letter-by-letter
comparisons would number more than ``MAX_BLOCK_COMPARISONS`` gets its same-pinyin pairs only.
So no block, whatever the data, costs more than linear time and memory; the customers so left
out are counted (``NameSkips``, ``ScanResult.skipped``).

``scan_duplicates()`` rewrites the DuplicatePair table from every live customer (a command, a
nightly job and the review page's "scan again" button run it, each run recorded as a
DuplicateScan: ``request_scan`` queues one for a user, ``scan_in_progress`` tells a page to wait
for it, ``scan_summary`` what the stored pairs come from); pages and the API then show each user
the pairs of which they can see both customers (``pairs_for``). A pair dismissed as "not a
duplicate" is never written again.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _g
from pypinyin import lazy_pinyin

from guanxi.core.pinyin import has_han
from guanxi.customers.models import Contact, Customer
from guanxi.customers.models_merge import (
    DuplicateDismissal,
    DuplicatePair,
    DuplicateReason,
    DuplicateScan,
)

#: Minimum pinyin similarity (1 − distance / length) for two different names to pair.
NAME_THRESHOLD = 0.88
#: A letter of a name typed in Latin letters (a swap of two is a typing slip there).
_LATIN = re.compile(r"[A-Za-z]")
#: A pinyin spelling shared by more customers than this in one block is too common to mean much.
MAX_NAMESAKES = 10
#: Exact-key groups larger than this pair every member with the oldest one only.
STAR_OVER = 10
#: A spelling a letter or two from more customers' than this in one block (numbered in words,
#: 客户甲…客户癸) pairs with none of them: a pattern, not a typo.
MAX_LOOKALIKES = 10
#: Blocks with more long spellings than this compare them within first letter and length band.
BLOCK_MAX = 400
#: A block whose letter-by-letter comparisons would number more than this (about a second of
#: work) makes none: only its same-pinyin pairs are proposed. Ordinary blocks need far fewer.
MAX_BLOCK_COMPARISONS = 50_000
#: Titles a person is often recorded by (张先生, 李总): compared as a whole, like digits.
TITLES = ("总经理", "先生", "女士", "小姐", "老师", "经理", "总")
#: Scores: exact keys rank above any name, and names by similarity (at most 90).
EXACT_SCORE = {
    DuplicateReason.ID_NUMBER: 100.0,
    DuplicateReason.PHONE: 98.0,
    DuplicateReason.EMAIL: 96.0,
}
NAME_SCORE_MAX = 90.0
#: The same spelling written with other characters (汪伟, 王伟) or in Latin letters ranks just
#: below the same name written the same way.
HOMOPHONE_SCORE = 88.0
REASON_ORDER = [
    DuplicateReason.ID_NUMBER,
    DuplicateReason.PHONE,
    DuplicateReason.EMAIL,
    DuplicateReason.NAME,
]

_WORD = re.compile(r"[a-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_TITLE_ENDS = frozenset(t[-1] for t in TITLES)
_COMPANY_SUFFIX = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|公司|分公司|"
    r"co\.?,?\s*ltd\.?|company|limited|ltd\.?|inc\.?|corp\.?|group)\s*$",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """One pair found by the finder (a < b)."""

    a: int
    b: int
    reasons: dict[str, float] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return next(r for r in REASON_ORDER if r in self.reasons)

    @property
    def score(self) -> float:
        return max(self.reasons.values())


@dataclass
class ScanResult:
    customers: int
    pairs: int
    seconds: float
    by_reason: dict[str, int]
    #: Customers left out of the name comparison, by why (``NameSkips.counts``).
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def names_skipped(self) -> int:
        return sum(self.skipped.values())


# --- pinyin keys ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _char_pinyin(char: str) -> str:
    return lazy_pinyin(char)[0]


def name_syllables(name: str) -> tuple[str, ...]:
    """The syllables of a name in plain pinyin (first reading of each character) and lower-case
    Latin words: "王伟" and "Wang Wei" both give ("wang", "wei")."""
    text = (name or "").strip().lower()
    if (name or "") and not has_han(text):
        return tuple(_WORD.findall(text))
    out: list[str] = []
    word = []
    for char in text:
        if "\u3400" <= char <= "\u9fff":
            if word:
                out.extend(_WORD.findall("".join(word)))
                word = []
            out.append(_char_pinyin(char))
        else:
            word.append(char)
    if word:
        out.extend(_WORD.findall("".join(word)))
    return tuple(out)


def comparable_name(name: str, kind: str) -> str:
    """A company's name without its legal form ("…有限公司", "Co., Ltd."), anyone's stripped,
    full-width letters and digits ("１２") as the ASCII ones."""
    name = unicodedata.normalize("NFKC", name or "").strip()
    if kind == "company":
        name = _COMPANY_SUFFIX.sub("", name).strip() or name
    return name


def _one_edit_apart(a: str, b: str, swaps: bool = True) -> bool:
    """True when one insertion, deletion, substitution or (``swaps``) swap of two neighbouring
    letters turns ``a`` into ``b`` (a != b)."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    i = 0
    while i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        # The same after this letter (it was changed), or it and the next are swapped.
        return a[i + 1 :] == b[i + 1 :] or (
            swaps
            and i + 1 < len(a)
            and a[i] == b[i + 1]
            and a[i + 1] == b[i]
            and a[i + 2 :] == b[i + 2 :]
        )
    return a[i + 1 :] == b[i:]


def levenshtein(a: str, b: str, limit: int, swaps: bool = True) -> int:
    """The edit distance of two strings, or ``limit + 1`` as soon as it must exceed ``limit``.

    An edit is an insertion, a deletion, a substitution or a swap of two neighbouring letters
    ("zhangwei" / "zhangwie": one edit, a typing slip, not two): the optimal string alignment
    distance (restricted Damerau–Levenshtein). Restricted: no part of the string is edited
    twice, so "abc" / "ca" is 3 (full Damerau–Levenshtein swaps, then inserts between the
    swapped letters: 2) — a slip is one swap, and the restricted table is as cheap as
    Levenshtein's.

    Only the diagonal band of width 2·limit+1 is computed: outside it the distance is over the
    limit anyway, so two ten-letter spellings with a limit of 2 cost 50 cells, not 100.
    """
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if limit == 1:
        return 1 if _one_edit_apart(a, b, swaps) else 2
    over = limit + 1
    n = len(b)
    # Rows of the table as lists, ``over`` outside the band: a swap reaches back two rows.
    before = [over] * (n + 1)
    previous = [j if j <= limit else over for j in range(n + 1)]
    for i in range(1, len(a) + 1):
        ca = a[i - 1]
        current = [over] * (n + 1)
        if i <= limit:
            current[0] = i
        best = current[0]
        for j in range(max(1, i - limit), min(n, i + limit) + 1):
            cb = b[j - 1]
            cost = previous[j - 1]
            if ca != cb:
                cost += 1
                # A swap: one edit from two rows and columns back. It is never less than the
                # cell between (at most one more than that one), so a row's least still never
                # falls below the row above's and the early exit holds.
                if swaps and j > 1 and i > 1 and ca == b[j - 2] and a[i - 2] == cb:
                    swap = before[j - 2] + 1
                    if swap < cost:
                        cost = swap
            up = previous[j] + 1
            if up < cost:
                cost = up
            left = current[j - 1] + 1
            if left < cost:
                cost = left
            current[j] = cost
            if cost < best:
                best = cost
        if best > limit:
            return over
        before, previous = previous, current
    return min(previous[n], over)


def similarity(a: str, b: str, swaps: bool = True) -> float:
    """1 − edit distance (``levenshtein``: a swap of neighbouring letters is one edit) / the
    longer length (1.0: the same spelling); 0.0 below the threshold, where the exact distance
    does not matter."""
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    limit = int(longest * (1 - NAME_THRESHOLD))
    if limit == 0:
        return 0.0
    distance = levenshtein(a, b, limit, swaps)
    return 1 - distance / longest if distance <= limit else 0.0


def _typed(name: str) -> bool:
    """Whether a name is written in Latin letters (typed, where two letters get swapped)."""
    return bool(_LATIN.search(name))


# --- the finder ----------------------------------------------------------------------------


def _add(found: dict, a: int, b: int, reason: str, score: float, detail: str) -> None:
    if a == b:
        return
    if a > b:
        a, b = b, a
    candidate = found.get((a, b))
    if candidate is None:
        candidate = found[(a, b)] = Candidate(a, b)
    if score > candidate.reasons.get(reason, -1):
        candidate.reasons[reason] = score
        if detail and detail not in candidate.details:
            candidate.details.append(detail)


def _pair_group(found: dict, ids: list[int], reason: str, score: float, detail: str) -> None:
    ids = sorted(set(ids))
    if len(ids) > STAR_OVER:
        pairs = ((ids[0], other) for other in ids[1:])
    else:
        pairs = combinations(ids, 2)
    for a, b in pairs:
        _add(found, a, b, reason, score, detail)


def _grouped(sources: list[QuerySet]) -> dict[str, list[int]]:
    """Keys shared by two or more customers across ``sources`` (querysets of (k, c) rows),
    grouped in SQL in one pass (a window count per key): {key: [customer ids]}."""
    union = sources[0].union(*sources[1:], all=True) if len(sources) > 1 else sources[0]
    sql, params = union.query.sql_with_params()
    query = (
        "SELECT w.k, w.c FROM (SELECT u.k, u.c, COUNT(*) OVER (PARTITION BY u.k) AS n "  # noqa: S608 - ORM-built SQL, parameters bound
        f"FROM ({sql}) u) w WHERE w.n > 1"
    )
    groups: dict[str, set[int]] = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for key, customer_id in cursor.fetchall():
            groups[key].add(customer_id)
    # A key repeated on one customer only (its phone again as a contact's) is no duplicate.
    return {key: sorted(ids) for key, ids in groups.items() if len(ids) > 1}


def _kc(qs: QuerySet, key, customer) -> QuerySet:
    return (
        qs.annotate(k=key, c=customer)
        .exclude(k="")
        .exclude(k__isnull=True)
        .order_by()
        .values_list("k", "c")
    )


def _exact_pairs(customers: QuerySet, found: dict) -> None:
    ids = customers.values("pk")
    contacts = Contact.objects.filter(customer__in=ids)
    phone = _grouped(
        [
            _kc(customers, F("phone"), F("pk")),
            _kc(customers, F("phone_alt"), F("pk")),
            _kc(contacts, F("phone"), F("customer_id")),
        ]
    )
    for key, members in phone.items():
        _pair_group(found, members, DuplicateReason.PHONE, EXACT_SCORE["phone"], key)
    email = _grouped(
        [
            _kc(customers, Lower("email"), F("pk")),
            _kc(contacts, Lower("email"), F("customer_id")),
        ]
    )
    for key, members in email.items():
        _pair_group(found, members, DuplicateReason.EMAIL, EXACT_SCORE["email"], key)
    id_numbers = _grouped([_kc(customers, F("id_number"), F("pk"))])
    for key, members in id_numbers.items():
        _pair_group(found, members, DuplicateReason.ID_NUMBER, EXACT_SCORE["id_number"], key)


@lru_cache(maxsize=200_000)
def name_key(name: str, kind: str) -> tuple[str, str, str] | None:
    """What a name is compared by: the pinyin of its letters (no digits, no title), their
    initials, and its tag — its digits and its title (先生, 女士, 总…), which two names must
    share to pair at all. "大文件客户12" gives ("dawenjiankehu", "dwjkh", "12"), "张先生"
    ("zhang", "z", "先生"); a name with neither letters nor digits, None."""
    text = comparable_name(name, kind)
    title = ""
    if kind == "person" and text[-1:] in _TITLE_ENDS:
        title = next((t for t in TITLES if text.endswith(t) and len(text) > len(t)), "")
        text = text[: len(text) - len(title)].strip()
    digits = _DIGITS.findall(text)
    tag = " ".join([*digits, title]).strip()
    letters = name_syllables(text)
    if digits:
        letters = tuple(w for w in (_DIGITS.sub("", s) for s in letters) if w)
    if not letters and not tag:
        return None
    return "".join(letters), "".join(w[0] for w in letters), tag


@dataclass
class NameSkips:
    """Customers the name comparison left out, each counted once whatever its blocks.

    ``common``: their name's pinyin is shared by more than MAX_NAMESAKES customers in one city
    or at one employer (5,000 张先生 in 广州): paired by name with nobody there.
    ``uncompared``: paired by the same pinyin only, not letter by letter — their spelling is
    a letter or two from more than MAX_LOOKALIKES others', or their block would have needed
    more than MAX_BLOCK_COMPARISONS comparisons."""

    common: set[int] = field(default_factory=set)
    uncompared: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {"common_name": len(self.common), "not_compared": len(self.uncompared - self.common)}


def _name_pairs(customers: QuerySet, found: dict, skips: NameSkips) -> None:
    blocks: dict[tuple, list[tuple[int, str, str]]] = defaultdict(list)
    rows = customers.order_by().values_list("pk", "name", "kind", "city", "company_name")
    keys: dict[tuple[str, str], tuple[str, str, str] | None] = {}
    for pk, name, kind, city, company in rows.iterator(chunk_size=5000):
        try:
            key = keys[(name, kind)]
        except KeyError:
            key = keys[(name, kind)] = name_key(name, kind)
        if key is None:
            continue
        spelling, initials, tag = key
        scopes = []
        if city:
            scopes.append(("city", city.strip()))
        if company and company.strip():
            scopes.append(("company", company.strip().lower()))
        for scope in scopes:
            blocks[(kind, *scope, tag, initials[:2])].append((pk, spelling, name))
    for (_kind, _scope, place, _tag, _initials), members in blocks.items():
        if len(members) < 2:
            continue
        by_spelling: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, spelling, name in members:
            by_spelling[spelling].append((pk, name))
        _block_pairs(found, by_spelling, place, skips)


def _block_pairs(found: dict, by_spelling: dict, where: str, skips: NameSkips) -> None:
    usable = {}
    for spelling, members in by_spelling.items():
        if len(members) > MAX_NAMESAKES:
            skips.common.update(pk for pk, _name in members)
        else:
            usable[spelling] = members
    for members in usable.values():
        for (a, name_a), (b, name_b) in combinations(members, 2):
            same = name_a.strip().casefold() == name_b.strip().casefold()
            _add(
                found,
                a,
                b,
                DuplicateReason.NAME,
                NAME_SCORE_MAX if same else HOMOPHONE_SCORE,
                f"{name_a} {'=' if same else '≈'} {name_b} · {where}",
            )
    close = _close_spellings(list(usable))
    if close is None:
        for members in usable.values():
            skips.uncompared.update(pk for pk, _name in members)
        return
    # A spelling a letter or two from many customers' is a pattern (客户甲 … 客户癸, the
    # city's 张晓明, 张晓敏, 张小玲…), as weak as a common name: none of its look-alikes pair.
    lookalikes: dict[str, int] = defaultdict(int)
    for sa, sb, _score in close:
        lookalikes[sa] += len(usable[sb])
        lookalikes[sb] += len(usable[sa])
    crowded = {s for s, n in lookalikes.items() if n > MAX_LOOKALIKES}
    for s in crowded:
        skips.uncompared.update(pk for pk, _name in usable[s])
    for sa, sb, score in close:
        if sa in crowded or sb in crowded:
            continue
        # Two letters swapped are a typing slip in a name typed in Latin letters; the pinyin
        # of two names in characters differs so by chance (向远 xiangyuan / 向玉娜 xiangyuna).
        swapped = similarity(sa, sb, swaps=False) == 0.0
        for a, name_a in usable[sa]:
            for b, name_b in usable[sb]:
                if swapped and not (_typed(name_a) or _typed(name_b)):
                    continue
                _add(
                    found,
                    a,
                    b,
                    DuplicateReason.NAME,
                    round(NAME_SCORE_MAX * score, 1),
                    f"{name_a} ≈ {name_b} · {where}",
                )


# Below these lengths the threshold allows no edit (8), or at most one (16).
_ONE_EDIT_FROM = math.ceil(1 / (1 - NAME_THRESHOLD)) - 1
_TWO_EDITS_FROM = math.ceil(2 / (1 - NAME_THRESHOLD)) - 2


def _deletions(s: str) -> set[str]:
    """``s`` and every spelling with one letter of it deleted."""
    variants = {s[:i] + s[i + 1 :] for i in range(len(s))}
    variants.add(s)
    return variants


@lru_cache(maxsize=256)
def _reach(length: int) -> int:
    """The longest spelling a spelling of ``length`` letters may be within the threshold of."""
    longer = length
    while (longer + 1) - length <= (longer + 1) * (1 - NAME_THRESHOLD):
        longer += 1
    return longer


def _close_spellings(spellings: list[str]) -> list[tuple[str, str, float]] | None:
    """The pairs of different spellings within the threshold, with their similarity, found
    without comparing all pairs: one edit apart share a one-deletion variant (a symmetric-delete
    index, linear in the block; two swapped letters too: deleting either leaves the same
    spelling); only spellings long enough to allow two edits are compared
    pairwise, by length. None when that would take more than MAX_BLOCK_COMPARISONS
    comparisons, counted before any is made."""
    long = sorted((s for s in spellings if len(s) >= _TWO_EDITS_FROM), key=len)
    if len(long) > BLOCK_MAX:
        # Too many long names start alike here: compare within first letter and length band.
        bands: dict[str, list[str]] = defaultdict(list)
        for s in long:
            bands[s[:1] + str(len(s) // 4)].append(s)
        groups = list(bands.values())
    else:
        groups = [long]
    work = 0
    for group in groups:
        lengths = [len(s) for s in group]
        work += sum(bisect_right(lengths, _reach(n)) - i - 1 for i, n in enumerate(lengths))
    if work > MAX_BLOCK_COMPARISONS:
        return None
    indexed = [s for s in spellings if len(s) >= _ONE_EDIT_FROM]
    variants: dict[str, list[str]] = defaultdict(list)
    # Two spellings share at most two one-deletion variants (a transposition): a small block
    # cannot go over, and is indexed without counting.
    if work + len(indexed) * (len(indexed) - 1) <= MAX_BLOCK_COMPARISONS:
        for s in indexed:
            for v in _deletions(s):
                variants[v].append(s)
    else:
        for s in indexed:
            for v in _deletions(s):
                group = variants[v]
                work += len(group)
                group.append(s)
            if work > MAX_BLOCK_COMPARISONS:
                return None  # given up as soon as known: the index is not built any further
    shared = [group for group in variants.values() if len(group) > 1]
    del variants
    seen: set[tuple[str, str]] = set()
    close = []

    def compare(sa: str, sb: str) -> None:
        pair = (sa, sb) if sa < sb else (sb, sa)
        if pair not in seen:
            seen.add(pair)
            score = similarity(sa, sb)
            if score >= NAME_THRESHOLD:
                close.append((*pair, score))

    for group in shared:
        for sa, sb in combinations(group, 2):
            compare(sa, sb)
    for group in groups:
        lengths = [len(s) for s in group]
        for i, sa in enumerate(group):
            for sb in group[i + 1 : bisect_right(lengths, _reach(len(sa)))]:
                compare(sa, sb)
    return close


def find_candidates(
    customers: QuerySet[Customer], *, reasons=None, skipped: NameSkips | None = None
) -> list[Candidate]:
    """The duplicate candidates among ``customers`` (e.g. ``Customer.objects.alive()`` or
    ``visible_to(user)``), dismissed pairs left out, best first; ``skipped``, if given, gets
    the customers the name comparison left out."""
    found: dict[tuple[int, int], Candidate] = {}
    wanted = set(reasons or DuplicateReason.values)
    if wanted & {DuplicateReason.PHONE, DuplicateReason.EMAIL, DuplicateReason.ID_NUMBER}:
        _exact_pairs(customers, found)
    if DuplicateReason.NAME in wanted:
        _name_pairs(customers, found, skipped if skipped is not None else NameSkips())
    if found:
        dismissed = set(DuplicateDismissal.objects.values_list("customer_a_id", "customer_b_id"))
        for key in dismissed & found.keys():
            del found[key]
    out = [c for c in found.values() if wanted & c.reasons.keys()]
    out.sort(key=lambda c: (-c.score, c.a, c.b))
    return out


#: A scan not finished this long after it was asked for is taken as lost (its worker stopped):
#: a scan of 100,000 customers takes 2-20 s (by machine), of a million a few minutes at most.
LOST_AFTER = dt.timedelta(hours=2)
SUPERSEDED = DuplicateScan.SUPERSEDED


def scan_duplicates(scan: DuplicateScan | None = None) -> ScanResult:
    """Find the candidates among all live customers and rewrite the DuplicatePair table;
    ``scan`` records it (a new one when not given: the command's, the nightly job's)."""
    started = time.perf_counter()
    scan = scan or DuplicateScan.objects.create()
    DuplicateScan.objects.filter(pk=scan.pk).update(started_at=timezone.now())
    try:
        customers = Customer.objects.alive()
        skips = NameSkips()
        candidates = find_candidates(customers, skipped=skips)
        now = timezone.now()
        rows = [
            DuplicatePair(
                customer_a_id=c.a,
                customer_b_id=c.b,
                reason=c.reason,
                reasons=",".join(r for r in REASON_ORDER if r in c.reasons),
                score=c.score,
                detail="; ".join(c.details)[:255],
                found_at=now,
            )
            for c in candidates
        ]
        with transaction.atomic():
            DuplicatePair.objects.all().delete()
            DuplicatePair.objects.bulk_create(rows, batch_size=2000)
        counted = customers.count()
    except Exception as exc:
        DuplicateScan.objects.filter(pk=scan.pk).update(
            finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    DuplicateScan.objects.filter(pk=scan.pk).update(
        finished_at=timezone.now(),
        customers=counted,
        pairs=len(rows),
        names_skipped=sum(skips.counts().values()),
    )
    by_reason: dict[str, int] = defaultdict(int)
    for c in candidates:
        for r in c.reasons:
            by_reason[r] += 1
    return ScanResult(
        customers=counted,
        pairs=len(rows),
        seconds=time.perf_counter() - started,
        by_reason=dict(by_reason),
        skipped=skips.counts(),
    )


def scan_in_progress() -> DuplicateScan | None:
    """The scan asked for and not finished yet, if any (one lost on the way is not)."""
    return (
        DuplicateScan.objects.filter(
            finished_at__isnull=True, requested_at__gte=timezone.now() - LOST_AFTER
        )
        .order_by("-requested_at", "-id")
        .first()
    )


def request_scan(user) -> DuplicateScan:
    """Look for duplicates again, in the background, as ``user`` asks (who must be able to
    write): the scan already waiting or running, if any, else a new one, queued when the
    request's transaction commits."""
    if not user.can_write:
        raise PermissionDenied(_g("Your role is read-only."))
    pending = scan_in_progress()
    if pending is not None:
        return pending
    scan = DuplicateScan.objects.create(requested_by=user)
    # The task module imports this one: imported here, when a scan is asked for.
    from guanxi.customers.merge_tasks import scan_duplicates_task

    transaction.on_commit(lambda: scan_duplicates_task(scan.pk))
    return scan


def last_scan() -> DuplicateScan | None:
    """The newest scan, asked for by anyone (there is one list of candidates for everyone)."""
    return DuplicateScan.objects.order_by("-requested_at", "-id").first()


#: Customers added since the last scan are counted up to this many (the page says "more than"
#: past it): the count reads one index entry per customer added, not the table.
ADDED_COUNT_MAX = 10_000


@dataclass(frozen=True)
class ScanSummary:
    """What the review page says of the stored pairs: when they were found (None: never), the
    scan they come from (None before scans were recorded) and a newer scan that stopped on an
    error, if one did (the pairs are then the older scan's). ``counts``: the user sees every
    customer, so may be told how many the scan went through and how many pairs it found."""

    at: dt.datetime | None
    done: DuplicateScan | None
    failed: DuplicateScan | None
    counts: bool = False
    #: Customers were added since the scan began: they are in no pair yet.
    unchecked: bool = False
    #: How many, up to ADDED_COUNT_MAX + 1, told only to who sees every customer (else 0).
    added: int = 0

    @property
    def seconds(self) -> float | None:
        """How long the scan the pairs come from took."""
        if self.done is None or self.done.started_at is None:
            return None
        return (self.done.finished_at - self.done.started_at).total_seconds()

    @property
    def added_over(self) -> int | None:
        """ADDED_COUNT_MAX when more customers than that were added (not counted further)."""
        return ADDED_COUNT_MAX if self.added > ADDED_COUNT_MAX else None


def sees_scan_counts(user) -> bool:
    """May ``user`` be told how many customers a scan went through and how many pairs it found
    (of everyone's customers)? Only who sees every customer."""
    return Customer.objects.all().sees_every(user)


def count_added_since(moment: dt.datetime, *, most: int) -> int:
    """How many live customers were added after ``moment`` (a scan's start); ``most`` + 1 when
    more were. Ids only grow: they are the ones above the newest customer added before it,
    looked for among the newest ``most`` + 1 ids only, so every query here reads an index range
    of at most that many rows, at a million customers as at a thousand."""
    newest = Customer.objects.order_by("-id").values_list("pk", flat=True)
    floor = next(iter(newest[most : most + 1]), None)  # None: the table holds fewer
    seen = newest.filter(created_at__lte=moment, pk__gte=floor or 0).first()
    if seen is None and floor is not None:
        return most + 1
    # The bound is a value, not a subquery: PostgreSQL cannot size a range bound by a subquery
    # and read every customer to find none added (82 ms at a million).
    return Customer.objects.alive().filter(pk__gt=seen or 0).count()


def scan_summary(user) -> ScanSummary:
    """The last scan that went through every customer and the newer one that failed, if any
    (one closed because another was running is answered by that one: not a failure), and
    whether customers were added since (how many, to who sees counts), as ``user`` is told
    of them."""
    counts = sees_scan_counts(user)
    finished = DuplicateScan.objects.filter(finished_at__isnull=False).exclude(error=SUPERSEDED)
    done = finished.filter(error="").order_by("-finished_at", "-id").first()
    failed = finished.exclude(error="").select_related("requested_by")
    if done is not None:
        failed = failed.filter(finished_at__gt=done.finished_at)
    failed = failed.order_by("-finished_at", "-id").first()
    if done is not None:
        at, since = done.finished_at, done.started_at or done.requested_at
    else:
        pair = DuplicatePair.objects.order_by("-found_at").only("found_at").first()
        at = since = pair.found_at if pair else None
    # Never scanned: every customer is unchecked, and the page says so otherwise.
    added = count_added_since(since, most=ADDED_COUNT_MAX) if since is not None else 0
    return ScanSummary(
        at=at,
        done=done,
        failed=failed,
        counts=counts and done is not None,
        unchecked=added > 0,
        added=added if counts else 0,
    )


# --- reads and the dismissal ---------------------------------------------------------------


def pairs_for(user, *, reason: str = "") -> QuerySet[DuplicatePair]:
    """The stored candidate pairs whose two customers ``user`` can both see, best first."""
    # Correlated EXISTS, not "IN (visible ids)": the database walks the pairs in score order
    # and checks each side by primary key, instead of pairing up every visible customer.
    visible = Customer.objects.visible_to(user).order_by()
    qs = DuplicatePair.objects.filter(
        Exists(visible.filter(pk=OuterRef("customer_a_id"))),
        Exists(visible.filter(pk=OuterRef("customer_b_id"))),
    )
    if reason:
        qs = qs.filter(reasons__contains=reason)
    return qs.select_related("customer_a__owner", "customer_b__owner").order_by("-score", "-id")


def changeable_pairs(user, pairs) -> set[int]:
    """The ids of those of ``pairs`` whose two customers ``user`` may change (compare to merge,
    or dismiss), in one query: a read-only analyst, or a rep seeing a colleague's customer
    through a share, is offered neither action."""
    if not user.can_write:
        return set()
    ids = {pk for pair in pairs for pk in (pair.customer_a_id, pair.customer_b_id)}
    editable = set(
        Customer.objects.editable_by(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return {
        pair.pk
        for pair in pairs
        if pair.customer_a_id in editable and pair.customer_b_id in editable
    }


@transaction.atomic
def dismiss_duplicate(user, customer_id, other_id) -> DuplicateDismissal:
    """Remember that two customers (both editable by ``user``) are not the same: the pair is
    dropped from the candidates and never proposed again."""
    from guanxi.customers.services import access_customer

    first = access_customer(user, customer_id, edit=True)
    second = access_customer(user, other_id, edit=True)
    if first.pk == second.pk:
        raise ValidationError({"other": _g("Choose two different customers.")})
    a, b = sorted((first.pk, second.pk))
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        customer_a_id=a, customer_b_id=b, defaults={"by": user}
    )
    DuplicatePair.objects.filter(customer_a_id=a, customer_b_id=b).delete()
    return dismissal
