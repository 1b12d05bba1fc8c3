"""Screenshots of every page at 360 and 320 px, light and dark, for a human to look at.

Usage: .venv/bin/python tools/screenshots.py [base_url] [out_dir]
Needs a running server (make run) and Debian's Chromium. On a fresh install it
creates a demo team (user "demo") and a few made-up citizens so the logged-in
pages have something to show; never point it at a real deployment.
"""
import re
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {"home": "/", "bvc": "/bvc", "bvc-high": "/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler",
         "stages": "/stages?stage=contemplation", "prompts": "/prompts?stage=action", "manual": "/manual",
         "about": "/about", "offline": "/offline", "log": "/log", "citizens": "/citizens", "team": "/team",
         "timer": "/timer", "settings": "/settings", "access-log": "/admin/access-log", "search": "/search?q=skala"}
# What issue 13's contact-log half changed: the next steps after setup, and the prompts before a stage is chosen.
PAGES.update({"team-start": "/team/start", "prompts-all": "/prompts?stage=alle", "citizens": "/citizens"})
PASSWORD = "demo-adgangskode-123"


def _token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def login(ctx, base):
    """Log in as the demo user, creating the demo team and data on a fresh install."""
    req = ctx.request
    page = req.get(base + "/setup")
    if page.url.endswith("/setup"):
        req.post(base + "/setup", form={"csrf_token": _token(page.text()), "team_name": "Demoteam",
                                        "name": "Dina Demo", "username": "demo", "password": PASSWORD,
                                        "password_confirm": PASSWORD})
        seed(req, base)
    else:
        page = req.get(base + "/login")
        req.post(base + "/login", form={"csrf_token": _token(page.text()), "username": "demo", "password": PASSWORD})


def seed(req, base):
    session = req.get(base + "/api/session").json()
    me = session["user"]["id"]
    records, now = [], datetime.now(timezone.utc)
    stages = ["precontemplation", "precontemplation", "contemplation", "contemplation", "action"]
    for alias, desc in (("K.K.", "Grøn jakke, altid med hund"), ("Lone", "Sidder ved kiosken om morgenen")):
        cid = str(uuid.uuid4())
        records.append({"kind": "citizen", "id": cid, "alias": alias, "description": desc, "places": "Banegårdsparken"})
        for i, stage in enumerate(stages):
            items = [1 if j < (3 - i % 3) else 0 for j in range(6)]
            bvc = dict(zip(["forvirring", "irritabilitet", "stoejende_adfaerd", "fysiske_trusler",
                            "verbale_trusler", "angreb_paa_ting"], items))
            records.append({"kind": "encounter", "id": str(uuid.uuid4()), "citizen_id": cid,
                            "occurred_at": (now - timedelta(days=20 - 4 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "place": "Banegårdsparken", "worker_ids": [me], "bvc": bvc, "stage": stage,
                            "techniques": ["aabne_spoergsmaal", "spejling"], "note": "Kort snak om dagen.",
                            "followup_step": "Tal om lægebesøg", "followup_date": None})
    req.post(base + "/api/sync", data={"records": records}, headers={"X-CSRFToken": session["csrf_token"]})
    return records[0]["id"]


def main(base="http://127.0.0.1:5000", out="screenshots"):
    Path(out).mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width in (360, 320):
            for scheme in ("light", "dark"):
                ctx = browser.new_context(viewport={"width": width, "height": 740}, color_scheme=scheme,
                                          device_scale_factor=1, service_workers="block")
                login(ctx, base)
                citizens = ctx.request.get(base + "/api/citizens").json()["citizens"]
                pages = dict(PAGES, citizen=f"/citizens/{citizens[0]['id']}") if citizens else PAGES
                page = ctx.new_page()
                for name, path in pages.items():
                    page.goto(base + path)
                    # Tiles of one phone screen each: readable, unlike one tall strip.
                    height = page.evaluate("document.documentElement.scrollHeight")
                    for i, top in enumerate(range(0, height, 740)):
                        page.screenshot(path=f"{out}/{name}-{width}-{scheme}-{i}.png", full_page=True,
                                        clip={"x": 0, "y": top, "width": width, "height": min(740, height - top)})
                ctx.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
