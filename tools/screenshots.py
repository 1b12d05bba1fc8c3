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

PAGES = {"home": "/", "bvc": "/bvc?borger=ukendt", "bvc-moderate": "/bvc?items=forvirring",
         "bvc-high": "/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler",
         "stages": "/stages?stage=contemplation", "prompts": "/prompts?stage=action", "manual": "/manual",
         "about": "/about", "offline": "/offline", "log": "/log", "citizens": "/citizens", "team": "/team",
         "timer": "/timer", "settings": "/settings", "access-log": "/admin/access-log", "search": "/search?q=skala"}
# What issue 13's contact-log half changed: the next steps after setup, and the prompts before a stage is chosen.
PAGES.update({"team-start": "/team/start", "prompts-all": "/prompts?stage=alle", "citizens": "/citizens"})
# Issue 16's makkerscore: the team's disagreements (the /bvc states are in pair_states).
PAGES.update({"team-makkerscore": "/team/makkerscore"})
# The team's places (issue 18): the list, a place, its form, the printable mapping, coverage, today's round.
PAGES.update({"places": "/places", "place": "/places/1", "place-edit": "/places/1/edit",
              "mapping": "/places/mapping", "coverage": "/places/coverage", "round": "/round"})
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
            if i >= 3:   # the last two were makkerscores: the partner saw only confusion
                records[-1]["bvc_partner"] = dict.fromkeys(bvc, 0) | {"forvirring": 1}
    req.post(base + "/api/sync", data={"records": records}, headers={"X-CSRFToken": session["csrf_token"]})
    seed_places(req, base)
    return records[0]["id"]


def seed_places(req, base):
    for name, area, kind, safety in (("Banegårdsparken", "Centrum", "park", "To udgange. Hunde. Handel efter kl. 20."),
                                     ("Varmestuen", "Centrum", "vaerested", ""),
                                     ("Kirkepladsen", "Nord", "plads", "Dårlig belysning om aftenen.")):
        token = _token(req.get(base + "/places/new").text())
        req.post(base + "/places/new", form={
            "csrf_token": token, "name": name, "area": area, "kind": kind, "safety_notes": safety, "visit_days": "7",
            "times": "man-aften", "access_notes": "Indgang fra Søgade" if kind == "park" else "",
            "partners-0-organisation": "Kirkens Korshær" if kind == "park" else "",
            "partners-0-contact": "Lise" if kind == "park" else "",
            "partners-0-phone": "+45 12 34 56 78" if kind == "park" else ""})


def tiles(page, path):
    """Tiles of one phone screen each: readable, unlike one tall strip."""
    width = page.viewport_size["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    for i, top in enumerate(range(0, height, 740)):
        page.screenshot(path=f"{path}-{i}.png", full_page=True,
                        clip={"x": 0, "y": top, "width": width, "height": min(740, height - top)})


def timer_states(ctx, base, out, suffix):
    """The check-in timer as it is used: idle on a new phone, running, overdue, and the chip it
    puts on every other page. The page's clock is Playwright's, so nothing waits in real time."""
    page = ctx.new_page()
    page.clock.install(time=datetime(2026, 11, 23, 12, 44))
    page.goto(base + "/timer?band=high")
    page.evaluate("localStorage.clear()")
    page.reload()
    tiles(page, f"{out}/timer-idle-{suffix}")
    page.get_by_label("Sted").fill("Banegårdsparken")
    page.get_by_label("Dit navn").fill("Mette")
    page.get_by_label("Makkerens mobilnummer").fill("12 34 56 78")
    page.get_by_label("Koordinatorens mobilnummer").fill("87 65 43 21")
    page.get_by_role("button", name="Start timer (15 min)").click()
    page.screenshot(path=f"{out}/timer-running-{suffix}-0.png")
    page.clock.run_for("15:05")
    tiles(page, f"{out}/timer-alarm-{suffix}")
    page.goto(base + "/stages?stage=contemplation")
    page.clock.run_for(3000)
    page.get_by_role("link", name="Tjek ind nu").wait_for()
    page.screenshot(path=f"{out}/chip-{suffix}-0.png")
    page.close()


def pair_states(ctx, base, out, suffix):
    """The makkerscore on /bvc: the first score, the partner's turn (the first hidden), both shown."""
    page = ctx.new_page()
    page.goto(base + "/bvc")
    page.evaluate("localStorage.removeItem('gk.bvc')")
    page.reload()
    for item in ("Forvirring", "Irritabilitet"):
        page.get_by_text(item, exact=True).click()
    page.screenshot(path=f"{out}/pair-solo-{suffix}-0.png")
    page.get_by_role("button", name="Skjul og giv videre").click()
    for item in ("Irritabilitet", "Verbale trusler", "Fysiske trusler"):
        page.get_by_text(item, exact=True).click()
    page.screenshot(path=f"{out}/pair-partner-{suffix}-0.png")
    page.get_by_role("button", name="Vis begge").click()
    page.evaluate("window.scrollTo(0, 0)")
    tiles(page, f"{out}/pair-both-{suffix}")
    page.get_by_role("link", name="Gem i kontaktlog").click()
    page.locator("#log-bvc-toggle").click()
    page.locator("#log-pair").scroll_into_view_if_needed()
    page.screenshot(path=f"{out}/pair-log-{suffix}-0.png")
    page.close()


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
                    tiles(page, f"{out}/{name}-{width}-{scheme}")
                page.close()
                timer_states(ctx, base, out, f"{width}-{scheme}")
                pair_states(ctx, base, out, f"{width}-{scheme}")
                ctx.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
