"""Benchmark the duplicate finder and the duplicates list at scale.

    .venv/bin/python benchmarks/bench_duplicates.py --customers 100000 [--db sqlite|postgres]
        [--database-url URL] [--seed 2026] [--placeholders 30000]

Creates a fresh database (SQLite under benchmarks/data/duplicates/, or PostgreSQL
``guanxi_bench_merge`` at 127.0.0.1:5432 / ``--database-url``), migrates it and fills it (not
timed) with customers of realistic Chinese names (common surnames and given names, so many
namesakes) in 30 cities, a third of them with an employer, a phone each and an e-mail for half,
plus planted duplicates: 1 % share a phone (some through a contact), 0.5 % an e-mail in another
case, 0.2 % an ID number, 1 % a homophone or one-letter variant of a name in the same city.
``--placeholders N`` adds what an import of a test file leaves: N customers named 大文件客户0 …
in 广州 and N / 10 named 张先生 there (numbered names are no similar names; a name that many
share pairs nobody, and is counted as skipped).

Then times ``scan_duplicates()`` (exact keys grouped in SQL, names blocked by city / employer
and pinyin initials) and the first page of candidates for the admin and for one rep
(``pairs_for(user)``, visible_to on both sides), and checks how many planted pairs were found.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "duplicates"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建国红梅海燕波宁浩亮斌雪琳晨欣怡婷雨涵子轩博文思远俊宇晓东"
HOMOPHONES = {
    "伟": "玮",
    "芳": "方",
    "娜": "纳",
    "静": "靖",
    "丽": "莉",
    "强": "蔷",
    "磊": "垒",
    "军": "君",
    "洋": "阳",
    "杰": "洁",
    "明": "铭",
    "华": "桦",
    "玲": "琳",
    "涛": "韬",
}
CITIES = [
    "广州",
    "深圳",
    "上海",
    "北京",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "西安",
    "重庆",
    "天津",
    "苏州",
    "长沙",
    "郑州",
    "东莞",
    "青岛",
    "沈阳",
    "宁波",
    "昆明",
    "合肥",
    "佛山",
    "福州",
    "厦门",
    "济南",
    "无锡",
    "大连",
    "温州",
    "南宁",
    "贵阳",
    "石家庄",
]
COMPANIES = [
    f"{c}{w}贸易有限公司"
    for c in ("锦城", "华南", "恒通", "宏达", "新世纪", "东方")
    for w in ("", "科技", "实业")
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/guanxi_bench_merge"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--placeholders",
        type=int,
        default=0,
        help="also N customers named 大文件客户0… and N/10 named 张先生, all in 广州",
    )
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    os.environ["GUANXI_DATA_DIR"] = str(DATA)
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = args.database_url
        _recreate_pg(args.database_url)
    else:
        os.environ.pop("DATABASE_URL", None)
        for suffix in ("", "-wal", "-shm"):
            path = DATA / f"guanxi.sqlite3{suffix}"
            if path.exists():
                path.unlink()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    planted = _fill(args.customers, random.Random(args.seed))
    _fill_placeholders(args.placeholders)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum / a nightly ANALYZE would after a bulk load

    from guanxi.accounts.models import User
    from guanxi.customers.duplicates import pairs_for, scan_duplicates
    from guanxi.customers.models import DuplicatePair

    scans = []
    for _ in range(max(1, args.runs // 2)):
        result = scan_duplicates()
        scans.append(result.seconds)
    found = set(DuplicatePair.objects.values_list("customer_a_id", "customer_b_id"))
    hits = {reason: sum(1 for p in pairs if p in found) for reason, pairs in planted.items()}
    admin = User.objects.get(username="bench_admin")
    rep = User.objects.get(username="bench_rep_1")
    timings = {}
    for label, user in (("admin", admin), ("rep", rep)):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            rows = list(pairs_for(user)[:25])
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        total = pairs_for(user).count()
        timings[label] = (statistics.median(times), len(rows), total, time.perf_counter() - started)

    extra = f" + {args.placeholders * 11 // 10:,} placeholders" if args.placeholders else ""
    print(f"database: {connection.vendor}, customers: {args.customers:,}{extra}")
    print(
        f"scan_duplicates(): median {statistics.median(scans):.2f} s over {len(scans)} runs "
        f"(runs: {', '.join(f'{s:.2f}' for s in scans)}); pairs stored: {result.pairs:,} "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(result.by_reason.items()))})"
    )
    skipped = getattr(result, "skipped", {})
    if skipped:
        print(
            "  customers left out of the name comparison: "
            + ", ".join(f"{k} {v:,}" for k, v in skipped.items())
        )
    for reason, pairs in planted.items():
        print(f"  planted {reason}: {len(pairs):,}, found {hits[reason]:,}")
    for label, (seconds, n, total, counting) in timings.items():
        print(
            f"first page of pairs_for({label}): median {seconds * 1000:.1f} ms ({n} rows); "
            f"count of all {total:,} visible pairs: {counting * 1000:.0f} ms (the page no longer"
            " counts them: core.pagination.PeekPage)"
        )


def _recreate_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def _fill(n: int, rng: random.Random) -> dict[str, list[tuple[int, int]]]:
    from django.utils import timezone

    from guanxi.accounts.models import Team, User
    from guanxi.customers.models import Contact, Customer
    from guanxi.customers.services import search_text_for

    team = Team.objects.create(name="Bench")
    User.objects.create(username="bench_admin", role="admin", team=team)
    reps = [
        User.objects.create(username=f"bench_rep_{i}", role="rep", team=team) for i in range(1, 21)
    ]
    now = timezone.now()
    rows = []
    for i in range(n):
        company = rng.choice(COMPANIES) if rng.random() < 0.33 else ""
        values = {
            "name": _name(rng),
            "phone": f"+861{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}",
            "phone_alt": "",
            "email": f"user{i}@example.com" if rng.random() < 0.5 else "",
            "company_name": company,
            "wechat_id": "",
        }
        rows.append(
            Customer(
                **values,
                city=rng.choice(CITIES),
                owner=reps[i % len(reps)],
                search_text=search_text_for(values),
                created_at=now,
                updated_at=now,
            )
        )
    planted: dict[str, list[tuple[int, int]]] = {
        "phone": [],
        "email": [],
        "id_number": [],
        "name": [],
    }
    extra = []
    contacts = []
    for kind, share in (("phone", 0.01), ("email", 0.005), ("id_number", 0.002), ("name", 0.01)):
        for _ in range(int(n * share)):
            original = rng.randrange(len(rows))
            src = rows[original]
            twin = Customer(
                name=_name(rng),
                city=rng.choice(CITIES),
                owner=src.owner,
                phone=f"+861{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}",
                created_at=now,
                updated_at=now,
            )
            if kind == "phone":
                if rng.random() < 0.3:
                    contacts.append((len(rows) + len(extra), src.phone))
                else:
                    twin.phone = src.phone
            elif kind == "email":
                src.email = src.email or f"plant{original}@example.com"
                twin.email = src.email.upper()
            elif kind == "id_number":
                src.id_number = f"{440100 + original % 99:06d}19800101{original % 10000:04d}"[:18]
                twin.id_number = src.id_number
            else:
                twin.name = "".join(HOMOPHONES.get(ch, ch) for ch in src.name)
                twin.city = src.city
            twin.search_text = twin.name
            extra.append((original, twin, kind))
    Customer.objects.bulk_create(rows + [t for _o, t, _k in extra], batch_size=2000)
    everyone = rows + [t for _o, t, _k in extra]
    for original, twin, kind in extra:
        a, b = rows[original].pk, twin.pk
        planted[kind].append((min(a, b), max(a, b)))
    Contact.objects.bulk_create(
        [Contact(customer_id=everyone[i].pk, name="联系人", phone=phone) for i, phone in contacts],
        batch_size=2000,
    )
    return planted


def _fill_placeholders(n: int) -> None:
    """Numbered names and one name shared by many, all in one city, as a test import leaves."""
    if not n:
        return
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer

    owner = User.objects.get(username="bench_admin")
    now = timezone.now()
    names = [f"大文件客户{i}" for i in range(n)] + ["张先生"] * (n // 10)
    Customer.objects.bulk_create(
        [
            Customer(
                name=name,
                city="广州",
                owner=owner,
                search_text=name,
                created_at=now,
                updated_at=now,
            )
            for name in names
        ],
        batch_size=2000,
    )


if __name__ == "__main__":
    main()
