"""Costs that stay flat as the data grows: the scale half of `make bench`.

For each tier (10 k, 300 k and 3 M encounters; bench/seed.py makes and
caches them) the app runs on a copy of the seeded database and this script
times, in process through Flask's test client (server time: routing,
queries, templates, the access-log writes; no network), the pages and
operations a large team uses every day:

  /citizens (first page), /citizens?q= (a search), a citizen's page with 500
  encounters, /admin/access-log by citizen and by worker, the access-log CSV
  of one citizen, a citizen's JSON export, one sync batch of 100 encounters;
  then `flask retention` (a day's worth is due) and `flask backup` once.

Every SQL statement the operations run is captured and its EXPLAIN QUERY
PLAN kept (bench/scale-plans.md); a full scan of a table that grows with the
years fails the bench, as does a p95 over 100 ms at 3 M or a p95 that
grows more than 2x from 300 k to 3 M. Figures go to bench/results.json
under "scale".

Usage: .venv/bin/python bench/scale.py [--tiers 10000 300000 3000000] [--repeat 20]
"""
import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
from bench import seed  # noqa: E402
from bench.run import merge_into_results  # noqa: E402

TIERS = [10_000, 300_000, 3_000_000]
P95_BUDGET_MS = 100
GROWTH_BUDGET = 2.0
# Tables (and the aliases our queries give them) whose size does not grow with
# the years: a scan of one of them is bounded. Anything else scanned is a
# table that grows, and a full scan of it fails the bench.
# Citizens are bounded too: retention deletes anyone nobody has met for
# RETENTION_MONTHS, and its daily check of each citizen (one index seek
# each) is the one place that reads them all.
BOUNDED = {"users", "u", "w1", "w2", "teams", "t", "m", "places", "app_meta", "devices", "d", "sessions", "s",
           "_sqlite_migrations", "login_failures", "checkin_timers", "citizens",
           "p"}  # p: the citizen list's page (records.py), at most one page of rows
# An export is everything held about one citizen (GDPR art. 15): it grows with
# that citizen's own history (ten times the access-log rows at 3 M as at
# 300 k in the seed), not with the instance. Its p95 is budgeted; its growth
# is reported, not budgeted.
GROWTH_EXEMPT = {"access-log CSV, one citizen", "citizen export (JSON)"}
WARMUP = 3


def nearest_rank(xs, q):
    xs = sorted(xs)
    return xs[max(0, -(-q * len(xs) // 100) - 1)]


class Bench:
    def __init__(self, db_path, instance, meta):
        os.environ["GADEKONTAKT_INSTANCE"] = str(instance)
        from pwa import create_app
        self.app = create_app({"DATABASE": str(db_path), "SECRET_KEY": "bench",
                               "RETENTION_MONTHS": seed.RETENTION_MONTHS,
                               "ACCESS_LOG_RETENTION_MONTHS": seed.RETENTION_MONTHS,
                               "HEALTH_NOTIFY_OVERDUE_MINUTES": 0, "LOG_LEVEL": "WARNING"})
        self.client = self.app.test_client()
        self.big = meta["big_citizen"]
        self.statements = {}
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          self.client.get("/login").get_data(as_text=True)).group(1)
        resp = self.client.post("/login", data={"csrf_token": token, "username": "admin1", "password": seed.PASSWORD})
        assert resp.status_code == 302, resp.status_code
        session = self.client.get("/api/session").json
        self.csrf, self.me = session["csrf_token"], session["user"]["id"]
        self.workers = [w["id"] for w in session["workers"]]
        conn = self.app.extensions["gadekontakt_db"].db.conn   # this thread's connection, as requests use it
        self.conn = conn
        self.current = None
        conn.set_trace_callback(self._trace)
        self.citizens = [r[0] for r in conn.execute("SELECT id FROM citizens WHERE team_id = 1 LIMIT 200")]

    def _trace(self, sql):
        if self.current and not sql.startswith(("EXPLAIN", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                "RELEASE")):
            self.statements.setdefault(self.current, {}).setdefault(_shape(sql), sql)

    def operations(self):
        big, worker = self.big, self.workers[1]

        def sync():
            records = [{"kind": "encounter", "id": str(uuid.uuid4()), "citizen_id": self.citizens[i % 200],
                        "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "place": "Varmestuen",
                        "worker_ids": [self.me], "stage": "contemplation", "techniques": ["spejling"],
                        "note": "Kort snak."} for i in range(100)]
            resp = self.client.post("/api/sync", json={"records": records}, headers={"X-CSRFToken": self.csrf})
            assert [r["status"] for r in resp.json["results"]] == ["stored"] * 100, resp.json
            return resp
        return {
            "/citizens (first page)": lambda: self.client.get("/citizens"),
            "/citizens?q= (search)": lambda: self.client.get("/citizens?q=K.L"),
            "citizen page, 500 encounters": lambda: self.client.get(f"/citizens/{big}"),
            "/admin/access-log?citizen=": lambda: self.client.get(f"/admin/access-log?citizen={big}"),
            "/admin/access-log?user=": lambda: self.client.get(f"/admin/access-log?user={worker}"),
            "access-log CSV, one citizen": lambda: self.client.get(f"/admin/access-log.csv?citizen={big}"),
            "citizen export (JSON)": lambda: self.client.get(f"/citizens/{big}/export"),
            "sync batch, 100 encounters": sync,
        }

    def timed(self, name, op, capture=False):
        """One request, in ms; `capture` keeps its statements for the plans."""
        self.current = name if capture else None
        t = time.perf_counter()
        resp = op()
        took = (time.perf_counter() - t) * 1000
        self.current = None
        assert resp.status_code == 200, (name, resp.status_code)
        return took

    def plans(self):
        out = {}
        self.conn.set_trace_callback(None)
        for name, statements in self.statements.items():
            out[name] = []
            for sql in statements.values():
                try:
                    plan = [r[3] for r in self.conn.execute("EXPLAIN QUERY PLAN " + sql)]
                except Exception as e:  # noqa: BLE001 -- a statement that cannot be explained is reported
                    plan = [f"(not explained: {e})"]
                if plan:  # a plain INSERT has no plan to show
                    out[name].append({"sql": _shape(sql), "plan": plan})
        # `flask retention` runs on its own connection: its statements, as it builds them.
        from pwa.retention import LOG_DELETIONS, RULES
        out["flask retention"] = []
        for table, _, clause in RULES:
            for sql in [f"SELECT count(*) FROM {table} WHERE {clause}", f"DELETE FROM {table} WHERE {clause}"] + (
                    [LOG_DELETIONS[table].format(clause=clause)] if table in LOG_DELETIONS else []):
                plan = [r[3] for r in self.conn.execute("EXPLAIN QUERY PLAN " + sql, {"cut": "2016-01-01T00:00:00Z"})]
                out["flask retention"].append({"sql": _shape(sql), "plan": plan})
        return out

    def cli(self, *args):
        t = time.perf_counter()
        result = self.app.test_cli_runner().invoke(args=list(args))
        took = time.perf_counter() - t
        assert result.exit_code == 0, result.output
        return round(took, 2), result.output.strip()


def _shape(sql):
    """A statement with its literal values taken out: one entry per query, whatever the values."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    sql = re.sub(r"\(\?(, \?)+\)", "(?, ...)", sql)
    sql = re.sub(r"(\(\?, \.\.\.\)(, )?)+", "(?, ...)", sql)
    return re.sub(r"\s+", " ", sql).strip()


def full_scans(plans):
    bad = []
    for name, queries in plans.items():
        for q in queries:
            for line in q["plan"]:
                m = re.match(r"SCAN (\w+)", line)
                if m and m.group(1) not in BOUNDED and m.group(1) != "CONSTANT":
                    bad.append(f"{name}: {line} in {q['sql'][:160]}")
    return bad


def run_tiers(tiers, repeat, stack, log=print):
    """All tiers open at once, requests interleaved (op by op, round by round,
    tier by tier), so a busy spell of the shared machine lands on every tier
    alike and the growth from tier to tier stays readable."""
    opened = []
    for encounters in tiers:
        path, meta, seeded_in = seed.ensure(encounters, log=log)
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gadekontakt-scale-", dir=seed.CACHE)))
        work = tmp / "gadekontakt.sqlite"
        t = time.perf_counter()
        shutil.copyfile(path, work)   # the operations write (access log, sync, retention): never the cache
        bench = Bench(work, tmp, meta)
        opened.append((encounters, bench, tmp, {"db_mb": round(path.stat().st_size / 1e6), "seeded_in_s": seeded_in,
                                                "copy_s": round(time.perf_counter() - t, 1)}))
    samples = {n: {} for n, *_ in opened}
    names = list(opened[0][1].operations())
    for name in names:
        ops = {n: bench.operations()[name] for n, bench, *_ in opened}
        for i in range(WARMUP + repeat):
            for n, bench, *_ in opened:
                took = bench.timed(name, ops[n], capture=i == WARMUP)   # one pass of statements is enough
                if i >= WARMUP:
                    samples[n].setdefault(name, []).append(took)
    out = []
    for n, bench, tmp, info in opened:
        ops = {name: {"p50": round(statistics.median(xs), 1), "p95": round(nearest_rank(xs, 95), 1), "n": len(xs)}
               for name, xs in samples[n].items()}
        plans = bench.plans()
        retention_s, retention_out = bench.cli("retention")
        backup_s, _ = bench.cli("backup", str(tmp / "backup.sqlite"))
        out.append({"encounters": n, "access_log_rows": int(n * seed.LOG_ROWS_PER_ENCOUNTER), **info, "ops": ops,
                    "retention_s": retention_s, "retention_output": retention_out, "backup_s": backup_s,
                    "plans": plans})
    return out


def check(tiers):
    """Budget verdicts: p95 at the largest tier, growth from the one before it, no full scans."""
    misses = []
    big = tiers[-1]
    prev = tiers[-2] if len(tiers) > 1 else None
    for name, fig in big["ops"].items():
        if big["encounters"] >= 3_000_000 and fig["p95"] > P95_BUDGET_MS:
            misses.append(f"{name}: p95 {fig['p95']} ms at {big['encounters']:,} > {P95_BUDGET_MS} ms")
        if prev and prev["encounters"] * 10 == big["encounters"] and name not in GROWTH_EXEMPT:
            growth = fig["p95"] / max(prev["ops"][name]["p95"], 0.1)
            if growth > GROWTH_BUDGET:
                misses.append(f"{name}: p95 grew {growth:.1f}x from {prev['encounters']:,} to {big['encounters']:,}")
    for t in tiers:
        misses += [f"{t['encounters']:,}: full scan: {b}" for b in full_scans(t["plans"])]
    return misses


def table(tiers):
    names = list(tiers[0]["ops"])
    head = ["operation"] + [f"{t['encounters']:,}: p50 / p95 ms" for t in tiers]
    rows = [[n] + [f"{t['ops'][n]['p50']} / {t['ops'][n]['p95']}" for t in tiers] for n in names]
    rows.append(["flask retention (s)"] + [str(t["retention_s"]) for t in tiers])
    rows.append(["flask backup (s)"] + [str(t["backup_s"]) for t in tiers])
    rows.append(["database (MB)"] + [str(t["db_mb"]) for t in tiers])
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def write_plans(tiers, path=BENCH / "scale-plans.md"):
    t = tiers[-1]
    lines = [f"# EXPLAIN QUERY PLAN at {t['encounters']:,} encounters (written by bench/scale.py)", ""]
    for name, queries in t["plans"].items():
        lines += [f"## {name}", ""]
        for q in queries:
            lines += ["```sql", q["sql"], "```", "```"] + q["plan"] + ["```", ""]
    path.write_text("\n".join(lines))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiers", type=int, nargs="+", default=TIERS)
    ap.add_argument("--repeat", type=int, default=20, help="timed requests per operation (after 3 warm-ups)")
    args = ap.parse_args(argv)
    started, load = time.monotonic(), os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        tiers = run_tiers(args.tiers, args.repeat, stack)
    misses = check(tiers)
    write_plans(tiers)
    machine = {"duration_s": round(time.monotonic() - started), "loadavg_1min_start_end":
               [round(load, 2), round(os.getloadavg()[0], 2)], "nproc": os.cpu_count()}
    merge_into_results("scale", {"machine": machine, "ok": not misses, "misses": misses,
                                 "tiers": [{k: v for k, v in t.items() if k != "plans"} for t in tiers]})
    print(table(tiers))
    print(f"\n{machine['duration_s']} s, load {machine['loadavg_1min_start_end']}; plans in bench/scale-plans.md")
    if max(machine["loadavg_1min_start_end"]) > (os.cpu_count() or 1):
        print("WARNING: the machine was busy; rerun before trusting a miss.", file=sys.stderr)
    for m in misses:
        print("MISS " + m, file=sys.stderr)
    print("scale budgets met" if not misses else "SCALE BUDGET MISSED", file=sys.stderr if misses else sys.stdout)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
