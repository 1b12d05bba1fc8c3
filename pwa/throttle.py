"""Login throttling that slows a guesser down without letting a stranger keep a worker out of their shift.

Behind the TLS proxy every client once had the proxy's address, so 20 failures
locked every login for 15 minutes, and 5 failures locked a known name even for
the right password (issue 12, item 4). Now, in three layers (numbers are
config, defaults in ``DEFAULTS``, documented in docs/security.md):

1. The pair (account name, client) is slowed first. The client is the phone
   if it is a *known device* of that account (it held a session of the
   account in the last 30 days and is not reported lost), else the address
   (``request.remote_addr``; behind a proxy, set the number of trusted proxies
   so it is the real client's). The first 5 failures in 24 hours cost
   nothing; then each attempt waits 30 seconds after the last failure,
   doubling (30 s, 1, 2, 4, 8 min) up to 15 minutes. A success clears the pair.
2. One address may fail 100 times in 15 minutes; then it waits until the
   count drops, but a known device is never held by its address, so the
   workers behind one proxy or one shelter's Wi-Fi keep logging in.
3. 50 failures of one account name in 24 hours, from anywhere, lock the name
   hard: no new device logs in until the team's administrator unlocks it on
   /team. The worker's own known phone still logs in (slowed only by its own
   pair), so a stranger cannot end a worker's shift; a guesser can.

Everything is keyed by the name as typed, never by whether it exists: an
unknown name is counted, slowed and locked like a real one, and a refused
attempt is answered before any password is checked, so the answers and the
work done are the same. Failures live a day in ``login_failures``; hard locks
in ``login_locks``, where an unlock stays as the record of who did it.
"""
from datetime import datetime, timedelta, timezone

from flask import current_app, request

from . import rules
from .db import transaction

FMT = "%Y-%m-%dT%H:%M:%SZ"
DEFAULTS = {
    "LOGIN_FREE_FAILURES": 5,             # per pair, in 24 hours, before any wait
    "LOGIN_FIRST_DELAY_SECONDS": 30,      # the first wait, doubling with each failure after it
    "LOGIN_MAX_DELAY_MINUTES": 15,        # the longest wait of a pair
    "LOGIN_ADDRESS_FAILURES": 100,        # per address ...
    "LOGIN_ADDRESS_WINDOW_MINUTES": 15,   # ... in this window, before new devices there wait
    "LOGIN_ACCOUNT_LOCK_FAILURES": 50,    # per account name in 24 hours, before the hard lock
    "LOGIN_KNOWN_DEVICE_DAYS": 30,        # how recent a session makes a phone known to an account
}
WINDOW = timedelta(days=1)
LOCKED = ("Kontoen er låst efter for mange forkerte forsøg. Log ind fra din egen telefon, "
          "eller bed teamets administrator om at låse den op.")


def _now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def _stamp(moment):
    return moment.strftime(FMT)


def _parse(text):
    return datetime.strptime(text, FMT).replace(tzinfo=timezone.utc)


def _cfg(key):
    return current_app.config[key]


class Attempt:
    """One login attempt: the name as typed, where it comes from, and the keys it is counted under."""

    def __init__(self, db, username, device_id):
        self.db, self.name = db, username.strip().lower()
        self.address = f"addr:{request.remote_addr}"
        device_id = rules.parse_uuid(device_id)
        self.known = bool(device_id) and self._known_device(device_id)
        self.pair = f"pair:{self.name}|" + (f"dev:{device_id}" if self.known else self.address)
        self.account = f"user:{self.name}"

    def _known_device(self, device_id):
        since = _stamp(_now() - timedelta(days=_cfg("LOGIN_KNOWN_DEVICE_DAYS")))
        return self.db.execute(
            "SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id JOIN devices d ON d.id = s.device_id "
            "WHERE s.device_id = ? AND u.username = ? AND s.created_at > ? AND d.lost_at IS NULL "
            "AND d.team_id = u.team_id LIMIT 1", [device_id, self.name, since]).fetchone() is not None

    def _failures(self, key, since, limit=-1):
        return [_parse(r["at"]) for r in self.db.execute(
            "SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?",
            [key, _stamp(since), limit])]

    def refusal(self):
        """None if the password may be checked now; else (message, seconds to wait or None)."""
        now = _now()
        if not self.known and self.db.execute(
                "SELECT 1 FROM login_locks WHERE username = ? AND unlocked_at IS NULL", [self.name]).fetchone():
            return LOCKED, None
        waits = [self._pair_wait(now)]
        if not self.known:
            waits.append(self._address_wait(now))
        wait = max(waits)
        if wait > 0:
            return f"For mange forkerte forsøg. Prøv igen om {_in_words(wait)}.", wait
        return None

    def _pair_wait(self, now):
        failures = self._failures(self.pair, now - WINDOW)
        extra = len(failures) - _cfg("LOGIN_FREE_FAILURES")
        if extra < 0:
            return 0
        delay = min(_cfg("LOGIN_FIRST_DELAY_SECONDS") * 2 ** min(extra, 30), _cfg("LOGIN_MAX_DELAY_MINUTES") * 60)
        return int((failures[0] + timedelta(seconds=delay) - now).total_seconds())

    def _address_wait(self, now):
        window = timedelta(minutes=_cfg("LOGIN_ADDRESS_WINDOW_MINUTES"))
        limit = _cfg("LOGIN_ADDRESS_FAILURES")
        failures = self._failures(self.address, now - window, limit)
        if len(failures) < limit:
            return 0
        # At least a second (a failure exactly one window old no longer counts), but no
        # more than the window: "15 minutter" after fifteen minutes' failures, never 16.
        return max(1, int((failures[-1] + window - now).total_seconds()))

    def failed(self):
        """Count a wrong password (or name); lock the name hard once it has failed too often."""
        now = _now()
        # A known phone's failures are its own: they do not count against the address it shares.
        keys = [self.pair, self.account] + ([] if self.known else [self.address])
        with transaction(self.db):
            self.db.conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                                     [(k, _stamp(now)) for k in keys])
            if len(self._failures(self.account, now - WINDOW)) >= _cfg("LOGIN_ACCOUNT_LOCK_FAILURES"):
                self.db.execute("INSERT OR IGNORE INTO login_locks (username, locked_at) VALUES (?, ?)",
                                [self.name, _stamp(now)])
            # Keep the table small: nothing older than a day matters.
            self.db.execute("DELETE FROM login_failures WHERE at < ?", [_stamp(now - WINDOW)])

    def succeeded(self):
        with transaction(self.db):
            self.db.execute("DELETE FROM login_failures WHERE key = ?", [self.pair])


def _in_words(seconds):
    if seconds < 60:
        return f"{seconds} sekund{'er' if seconds > 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minut{'ter' if minutes > 1 else ''}"


def locked_usernames(db, team_id):
    """{lower-case username: locked_at} of the team's workers whose name is locked hard."""
    return {r["username"]: r["locked_at"] for r in db.execute(
        "SELECT l.username, l.locked_at FROM login_locks l JOIN users u ON lower(u.username) = l.username "
        "WHERE u.team_id = ? AND l.unlocked_at IS NULL", [team_id])}


def unlock(db, username, by_user_id):
    """End the hard lock of a name (its count starts again); returns whether it was locked. Call in a transaction."""
    name = username.lower()
    changed = db.execute("UPDATE login_locks SET unlocked_at = ?, unlocked_by = ? WHERE username = ? "
                         "AND unlocked_at IS NULL", [_stamp(_now()), by_user_id, name]).rowcount
    db.execute("DELETE FROM login_failures WHERE key = ?", [f"user:{name}"])
    return bool(changed)


def init_app(app):
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
