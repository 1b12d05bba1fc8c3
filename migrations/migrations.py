"""Schema steps for Gadekontakt, applied in order at start-up and by `flask migrate`.

Each step runs in a transaction together with its record in
``_sqlite_migrations`` (sqlite-utils' built-in ``Migrations``), so a failed
step leaves nothing half-applied. Never edit a step that has shipped; add one.
"""
from sqlite_utils import Migrations

migrations = Migrations("gadekontakt")


@migrations(name="0001_app_meta")
def m0001_app_meta(db):
    # Installation facts that outlive a restart, e.g. when the schema was created.
    db.execute(
        "CREATE TABLE app_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO app_meta (key, value) VALUES ('created_at', datetime('now'))"
    )
