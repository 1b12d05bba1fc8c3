"""A large Gadekontakt instance for the scale bench, made in minutes and cached on disk.

Ten years of a large municipality: 10 teams, 300 workers, 20,000 citizens,
3 million encounters and 5 million access-log rows (the 3 M tier; the smaller
tiers keep the teams, workers and citizens and scale encounters and log rows
down). One citizen of team 1 has exactly 500 encounters: the citizen page the
bench opens. The schema is the app's own (its migrations); the rows are
written with plain executemany and the secondary indexes dropped during the
load and rebuilt after it, which is what makes 3 M rows a matter of minutes.

Encounters span RETENTION_MONTHS plus one day back from the moment of
seeding, so a daily `flask retention` run finds a day's worth to delete, as
it would in a steady state (bench/scale.py sets the same period).

Usage: .venv/bin/python bench/seed.py 300000 [--fresh]   (prints the file)
"""
import argparse
import calendar
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
from pwa.db import migrate  # noqa: E402

CACHE = BENCH / ".cache"
# Bump when what is seeded changes, so an old cache is not measured as new.
# 3: the app now refuses a database whose migrations are not its own, in
# order (issue 12, item 9); caches seeded before 0008 and 0009 were merged
# recorded 0009 first.
SEED_VERSION = 3
RETENTION_MONTHS = 120      # ten years kept, as the bench's instance is configured
TEAMS, WORKERS, CITIZENS = 10, 300, 20_000
LOG_ROWS_PER_ENCOUNTER = 5 / 3   # 5 M access-log rows at 3 M encounters
BIG_CITIZEN_ENCOUNTERS = 500
PASSWORD = "en lang nok adgangskode"
DAY = 86_400
SPAN = int(RETENTION_MONTHS * 30.44 * DAY) + DAY

NOTES = [
    "Kort snak ved bænken, virkede træt.", "Fik kaffe og en sandwich; vil gerne tale om bolig næste gang.",
    "Ville ikke snakke i dag.", "Spurgte til metadonudlevering og åbningstider.",
    "Fortalte om konflikt med naboen; aftalte at vi kommer igen torsdag.", "",
    "Har fået nyt telefonnummer, giver det næste gang.", "Sår på hånden, henvist til sygeplejersken på væresteder.",
    "Talte om at skære ned; vil tænke over det.", "Mødte op til aftalen og var klar til at snakke om behandling.",
    "Kort hilsen, på vej videre.", "Vred over at blive flyttet fra pladsen; deeskalering gik fint.",
]
PLACES = ["Banegårdsparken", "Varmestuen", "Kirkepladsen", "Havnen ved silo", "Herberget", "Biblioteket",
          "Stationen, bagsiden", "Bænken ved søen"]
STAGES = ["precontemplation", "contemplation", "action", "relapse", None, None]
TECHNIQUES = ['["aabne_spoergsmaal", "spejling"]', '["spejling"]', '[]', '["aabne_spoergsmaal"]']
BVC_ITEMS = ["forvirring", "irritabilitet", "stoejende_adfaerd", "fysiske_trusler", "verbale_trusler",
             "angreb_paa_ting"]
ACTIONS = [("list", "side")] * 6 + [("view", "side")] * 3 + [("list", "api"), ("view", "api"),
                                                              ("create_encounter", "")]


def _bvc_variants():
    out = []
    for n in range(4):
        items = {k: int(i < n) for i, k in enumerate(BVC_ITEMS)}
        band = "low" if n == 0 else "moderate" if n <= 2 else "high"
        out.append((json.dumps(items), n, band))
    return out + [(None, None, None)] * 4


def cache_path(encounters):
    return CACHE / f"scale-{encounters}-v{SEED_VERSION}.sqlite"


def _stamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def seed(path, encounters, log=print):
    """Write a fresh instance with `encounters` encounters to `path`; returns seconds taken."""
    started = time.monotonic()
    rng = random.Random(17)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    migrate(str(path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")   # a seed that fails is thrown away, never half-used
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("PRAGMA foreign_keys=OFF")
    tables = ("encounters", "access_log", "citizens")
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                           f"AND tbl_name IN ({', '.join('?' * len(tables))})", tables).fetchall()
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")

    from pwa.passwords import hash_password
    pw_hash = hash_password(PASSWORD)  # one hash for all: argon2 300 times would take the seed's minutes
    now = int(time.time())
    conn.executemany("INSERT INTO teams (id, name) VALUES (?, ?)", [(t, f"Team {t}") for t in range(1, TEAMS + 1)])
    workers = {t: [] for t in range(1, TEAMS + 1)}
    users = []
    for u in range(1, WORKERS + 1):
        team = (u - 1) % TEAMS + 1
        workers[team].append(u)
        # The first worker of each team is its administrator: user 1 logs in as admin1.
        users.append((u, team, f"{'admin' if u <= TEAMS else 'w'}{u}", f"Medarbejder {u}", pw_hash, int(u <= TEAMS)))
    conn.executemany("INSERT INTO users (id, team_id, username, name, password_hash, is_admin) "
                     "VALUES (?, ?, ?, ?, ?, ?)", users)
    conn.executemany("INSERT INTO places (team_id, name) VALUES (?, ?)",
                     [(t, p) for t in workers for p in PLACES])
    devices = {u: _uuid(rng) for u in range(1, WORKERS + 1)}

    citizens = {t: [] for t in workers}
    rows = []
    for c in range(CITIZENS):
        team = c % TEAMS + 1
        cid = _uuid(rng)
        citizens[team].append(cid)
        created = now - rng.randrange(SPAN)
        rows.append((cid, team, f"{rng.choice('ABCDEFGHJKLMNOPRSTUV')}.{rng.choice('ABDEFGHJKLMNOPRST')}. {c}",
                     rng.choice(["Rød jakke", "Hund, grå", "Cykel med kurv", ""]), rng.choice(PLACES),
                     rng.choice(workers[team]), _stamp(created), _stamp(created)))
    conn.executemany("INSERT INTO citizens (id, team_id, alias, description, places, created_by, created_at, "
                     "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    big = citizens[1][0]   # the citizen whose page has 500 encounters
    log(f"  {TEAMS} teams, {WORKERS} workers, {CITIZENS} citizens ({time.monotonic() - started:.0f} s)")

    bvcs = _bvc_variants()
    times = sorted(now - rng.randrange(SPAN) for _ in range(encounters))
    big_slots = set(rng.sample(range(encounters), min(BIG_CITIZEN_ENCOUNTERS, encounters)))
    batch = []
    sql = ("INSERT INTO encounters (id, team_id, citizen_id, occurred_at, place, worker1_id, worker2_id, bvc, "
           "bvc_total, bvc_band, stage, techniques, note, followup_step, created_by, created_at, received_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    for i, t in enumerate(times):
        if i in big_slots:
            team, cid = 1, big
        else:
            team = rng.randrange(TEAMS) + 1
            cid = rng.choice(citizens[team]) if rng.random() < 0.9 else None
        w1, w2 = rng.sample(workers[team], 2)
        bvc, total, band = rng.choice(bvcs)
        at = _stamp(t)
        batch.append((_uuid(rng), team, cid, at, rng.choice(PLACES), w1, w2 if rng.random() < 0.8 else None,
                      bvc, total, band, rng.choice(STAGES), rng.choice(TECHNIQUES), rng.choice(NOTES),
                      "", w1, at, _stamp(t + rng.randrange(3600))))
        if len(batch) == 50_000:
            conn.executemany(sql, batch)
            batch.clear()
    conn.executemany(sql, batch)
    log(f"  {encounters} encounters ({time.monotonic() - started:.0f} s)")

    n_log = int(encounters * LOG_ROWS_PER_ENCOUNTER)
    # Ten years of log rows are dated in the past, which migration 0012 refuses
    # (a row is stamped when it is written): lifted for the seed only, in this
    # transaction, and put back exactly as it was, as tests/helpers.py does.
    stamped = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'access_log_stamped_now'").fetchone()[0]
    conn.execute("DROP TRIGGER access_log_stamped_now")
    batch = []
    sql = "INSERT INTO access_log (at, team_id, user_id, device_id, citizen_id, action, detail) VALUES (?, ?, ?, ?, ?, ?, ?)"
    for t in sorted(now - rng.randrange(SPAN) for _ in range(n_log)):
        team = rng.randrange(TEAMS) + 1
        user = rng.choice(workers[team])
        action, detail = rng.choice(ACTIONS)
        batch.append((_stamp(t), team, user, devices[user], rng.choice(citizens[team]), action, detail))
        if len(batch) == 50_000:
            conn.executemany(sql, batch)
            batch.clear()
    conn.executemany(sql, batch)
    conn.execute(stamped)
    log(f"  {n_log} access-log rows ({time.monotonic() - started:.0f} s)")

    for _, index_sql in indexes:
        conn.execute(index_sql)
    conn.execute("INSERT INTO app_meta (key, value) VALUES ('bench_seed', ?)",
                 [json.dumps({"version": SEED_VERSION, "encounters": encounters, "seeded_at": _stamp(now),
                              "big_citizen": big})])
    conn.execute("COMMIT")
    # No ANALYZE: production never runs it, so the planner must choose well without statistics.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    log(f"  indexes rebuilt ({time.monotonic() - started:.0f} s)")
    return time.monotonic() - started


def ensure(encounters, fresh=False, max_age_days=7, log=print):
    """The cached instance for a tier, seeded when missing, stale or asked for; (path, meta)."""
    path = cache_path(encounters)
    meta = None
    if path.exists() and not fresh:
        conn = sqlite3.connect(path)
        try:
            row = conn.execute("SELECT value FROM app_meta WHERE key = 'bench_seed'").fetchone()
            meta = json.loads(row[0]) if row else None
        except sqlite3.DatabaseError:
            meta = None
        finally:
            conn.close()
        # Older than a week, the data has aged past what retention would have removed: seed again.
        if not meta or time.time() - calendar.timegm(time.strptime(meta["seeded_at"], "%Y-%m-%dT%H:%M:%SZ")) \
                > max_age_days * DAY:
            meta = None
    if meta is None:
        CACHE.mkdir(exist_ok=True)
        log(f"seeding {encounters} encounters into {path.relative_to(ROOT)}")
        tmp = path.with_suffix(".tmp")
        took = seed(tmp, encounters, log)
        os.replace(tmp, path)
        return path, _meta(path), round(took, 1)
    migrate(str(path))   # new index migrations reach an old cache without a reseed
    return path, meta, None


def _meta(path):
    conn = sqlite3.connect(path)
    try:
        return json.loads(conn.execute("SELECT value FROM app_meta WHERE key = 'bench_seed'").fetchone()[0])
    finally:
        conn.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("encounters", type=int)
    ap.add_argument("--fresh", action="store_true", help="seed again even if a recent cache exists")
    args = ap.parse_args(argv)
    path, meta, took = ensure(args.encounters, fresh=args.fresh)
    print(f"{path} ({path.stat().st_size / 1e6:.0f} MB)" + (f", seeded in {took} s" if took else ", from cache"))


if __name__ == "__main__":
    main()
