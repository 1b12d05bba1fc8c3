"""Search across the field kit's content, built once from content/da.json.

The index is small (one entry per card, stage, technique, checklist step and
BVC item) and goes into the /search page itself, so the precached page can
search with no network; js/search.js matches exactly as ``find`` does here
(every word of the query somewhere in the entry, titles first), and the
server answers the same query for a phone without JavaScript.
"""
from functools import cache

from . import content as c

MAX_RESULTS = 30


def _entry(title, url, source, texts):
    return {"title": title, "url": url, "source": c.source_label(source), "kind": source["kind"],
            "texts": [t for t in texts if t]}


def _text(item):
    return item["text"] if isinstance(item, dict) else item


@cache
def index():
    data = c.content()
    bvc = data["bvc"]
    out = [_entry(card["title"], f"{card['page']}#c-{card['id']}", card["source"],
                  [card.get("lead"), *card["points"]]) for card in data["cards"]]
    out += [_entry(f"BVC: {item['name']}", "/bvc", bvc["source"], [item["definition"]]) for item in bvc["items"]]
    for key, title in (("deescalation", "Deeskalering"), ("plan_prompts", "Plan for at undgå vold"),
                       ("pair_rules", "Parrets sikkerhedsregler")):
        out += [_entry(title, "/bvc", g["source"], [g["text"]]) for g in bvc[key]]
    out += [_entry(s["name"], f"/stages?stage={s['id']}", s["source"],
                   [s["characterises"], *map(_text, s["work_on"]), s["method_note"]["text"]])
            for s in data["stages"]["readiness"]]
    for t in data["techniques"]:
        variants = [f"{v['name']}: {v['what']}" for v in t.get("variants", [])]
        out.append(_entry(t["name"], f"/prompts?stage=alle#t-{t['id']}", t["source"],
                          [t["what"], *variants, *t["prompts"]]))
    out += [_entry(f"Undgå: {a['name']}", "/prompts?stage=alle#h-avoid", a["source"], [a.get("why")])
            for a in data["avoid"]["items"]]
    ct = data["change_talk"]
    out += [_entry(f"{ct['name']}: {s['title']}", "/prompts?stage=alle#h-ct", ct["source"], [s["text"]])
            for s in ct["strategies"]]
    for phase in data["phases"]:
        for step in phase["steps"]:
            items = step["checklist"].get("items", [])
            out.append(_entry(f"{phase['name'].split(':')[0]}, {step['name']}", f"/manual#{step['id']}",
                              step["source"], [step["goal"], *items]))
    inc = data["inclusion_criteria"]
    out.append(_entry(inc["title"], "/manual#maalgruppe", inc["source"], inc["items"]))
    inst = data["install"]
    out.append(_entry(inst["title"], "/about#installer", inst["source"],
                      [inst["lead"], *(f"{p['name']}: {' '.join(p['steps'])}" for p in inst["platforms"])]))
    return out


def _words(query):
    return query.casefold().split()


def find(query):
    """Entries holding every word of the query, those with a word in the title
    first, each with the text that best shows why it matched."""
    words = _words(query)
    if not words:
        return []
    hits = []
    for entry in index():
        haystack = " ".join([entry["title"], *entry["texts"]]).casefold()
        if all(w in haystack for w in words):
            in_title = any(w in entry["title"].casefold() for w in words)
            hits.append((not in_title, entry))
    hits.sort(key=lambda h: h[0])
    return [dict(entry, snippet=_snippet(entry, words)) for _, entry in hits[:MAX_RESULTS]]


def _snippet(entry, words):
    texts = entry["texts"] or [""]
    return next((t for t in texts if any(w in t.casefold() for w in words)), texts[0])
