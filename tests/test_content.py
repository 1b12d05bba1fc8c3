"""The content file holds the manual's facts exactly (model manual, Socialstyrelsen)."""
import re

import pytest

from pwa import content as c

DATA = c.content()

SECTION = re.compile(r"^(2\.4|3\.[2-5](\.[1-4])?|4\.3\.1|Bilag 1[ABC])$")


def test_bvc_items_are_the_six_of_appendix_1a_in_order():
    assert [i["name"] for i in c.bvc_items()] == [
        "Forvirring", "Irritabilitet", "Støjende adfærd",
        "Fysiske trusler", "Verbale trusler", "Angreb på ting eller genstande",
    ]
    assert len({i["id"] for i in c.bvc_items()}) == 6
    assert all(i["definition"].strip() for i in c.bvc_items())


def test_bvc_scoring_and_cut_offs_match_appendix_1a():
    bvc = DATA["bvc"]
    assert bvc["scoring"] == {"0": "Symptomet/adfærden er ikke til stede.",
                              "1": "Symptomet/adfærden er observeret."}
    assert bvc["max_score"] == 6
    bands = [(b["id"], b["min"], b["max"], b["label"]) for b in bvc["bands"]]
    assert bands == [("low", 0, 0, "Lille risiko for vold"),
                     ("moderate", 1, 2, "Moderat risiko for vold"),
                     ("high", 3, 6, "Høj risiko for vold")]
    actions = {b["id"]: b["action"] for b in bvc["bands"]}
    assert actions["moderate"] == "Deeskalering igangsættes."
    assert actions["high"] == "Deeskalering SKAL igangsættes, og der skal være planer for, hvordan volden undgås."


def test_pair_rules_cover_the_safety_rules_of_4_3_1():
    rules = " ".join(r["text"] for r in DATA["bvc"]["pair_rules"]).lower()
    assert all(r["source"] == "4.3.1" for r in DATA["bvc"]["pair_rules"])
    for phrase in ("aldrig alene", "ikke kender", "taler kun én af jer", "observerer", "sms"):
        assert phrase in rules, phrase
    assert DATA["bvc"]["plan_prompts"], "high risk must ask for a plan to avoid violence"


def test_bvc_licence_is_credited():
    assert "Almvik, Woods & Rasmussen (2000)" in DATA["bvc"]["licence"]
    assert "licens" in DATA["bvc"]["licence"]


def test_readiness_stages_are_the_models_four():
    assert [(s["name"], s["readiness"]) for s in c.stages()] == [
        ("Førovervejelse", "lav parathed"),
        ("Overvejelse", "middelhøj parathed"),
        ("Forberedelse, påbegyndelse og vedligeholdelse", "høj parathed"),
        ("Tilbagefald", None),
    ]


def test_full_circle_has_six_stages_each_in_one_readiness_stage():
    circle = [s["id"] for s in DATA["stages"]["circle"]]
    assert [s["name"] for s in DATA["stages"]["circle"]] == [
        "Førovervejelse", "Overvejelse", "Forberedelse", "Påbegyndelse", "Vedligeholdelse", "Tilbagefald"]
    grouped = [cid for s in c.stages() for cid in s["circle"]]
    assert sorted(grouped) == sorted(circle)


def test_method_fits_stage_as_the_manual_says():
    by_id = {s["id"]: s for s in c.stages()}
    method = {t["id"]: t["method"] for t in c.techniques()}
    assert by_id["precontemplation"]["method"] == "MI"
    assert by_id["contemplation"]["method"] == "MI"
    assert by_id["action"]["method"] == "LØFT"
    # In relapse, the techniques of the earlier stages (3.4.3).
    earlier = set(by_id["precontemplation"]["techniques"]) | set(by_id["contemplation"]["techniques"])
    assert set(by_id["relapse"]["techniques"]) == earlier
    assert {"skalaspoergsmaal", "maal"} <= set(by_id["action"]["techniques"])
    assert all(method[t] == "MI" for t in ("aabne_spoergsmaal", "spejling", "bekraeftelse", "opsummering"))
    for s in c.stages():
        assert s["work_on"], s["id"]
        assert all(t in method for t in s["techniques"])


def test_technique_names_match_the_fact_boxes_of_3_2():
    names = {t["method"]: [] for t in c.techniques()}
    for t in c.techniques():
        names[t["method"]].append(t["name"])
    assert names["MI"] == ["Åbne spørgsmål", "Spejling", "Bekræftelse", "Opsummeringer"]
    assert names["LØFT"] == ["Undtagelsesspørgsmål", "Skalaspørgsmål", "Spørgsmål til forskelle",
                             "Coping-orienterede spørgsmål", "Mirakelspørgsmål",
                             "Spørgsmål til at arbejde med mål"]
    spejling = next(t for t in c.techniques() if t["id"] == "spejling")
    assert [v["name"] for v in spejling["variants"]] == ["Enkeltsidet spejling", "Dobbeltsidet spejling"]


def test_every_technique_has_short_prompts_one_question_per_card():
    for t in c.techniques():
        assert len(t["prompts"]) >= 4, t["id"]
        for p in t["prompts"]:
            assert len(p) <= 120, p


def test_scaling_question_has_follow_up_templates():
    scale = next(t for t in c.techniques() if t["id"] == "skalaspoergsmaal")["scale"]
    assert "{n}" in scale["followup_lower"] and "{lower}" in scale["followup_lower"]
    assert "{higher}" in scale["followup_higher"]


def test_what_to_avoid():
    assert [a["name"] for a in DATA["avoid"]["items"]] == [
        "Konfrontationer", "Advarsler", "Trusler", "Bedrevidende råd", "Hvorfor-spørgsmål"]


def test_ten_strategies_for_change_talk():
    assert len(DATA["change_talk"]["strategies"]) == 10
    assert DATA["change_talk"]["source"] == "3.4.4"


@pytest.mark.parametrize("phase, name, steps", [
    ("fase1", "Fase 1: Udgående og kontaktskabende indsats",
     ["Trin 1: Synlighed og tilgængelighed", "Trin 2: Kontaktskabelse", "Trin 3: Forscreening"]),
    ("fase2", "Fase 2: Motivationsarbejde",
     ["Trin 1: Opbygning af relation og behandlingsalliance",
      "Trin 2: Fokus på motivation i en proces mod recovery", "Trin 3: Plan for det videre forløb"]),
    ("fase3", "Fase 3: Fortsat behandling og brobygning til øvrige sociale og sundhedsfaglige tilbud",
     ["Trin 1: Brobygning til stofmisbrugsbehandling", "Trin 2: Behandling i eksisterende stofmisbrugsbehandling",
      "Trin 3: Brobygning til øvrige sociale og sundhedsfaglige tilbud"]),
])
def test_phases_and_steps(phase, name, steps):
    p = next(p for p in DATA["phases"] if p["id"] == phase)
    assert p["name"] == name
    assert [s["name"] for s in p["steps"]] == steps
    checklist_section = {"fase1": "3.3.4", "fase2": "3.4.4", "fase3": "3.5.4"}[phase]
    for s in p["steps"]:
        cl = s["checklist"]
        assert cl.get("ref") == "change_talk" or (cl["source"] == checklist_section and cl["items"])


def test_inclusion_criteria_of_3_3_3():
    inc = DATA["inclusion_criteria"]
    assert inc["source"] == "3.3.3" and len(inc["items"]) == 6
    text = " ".join(inc["items"])
    assert "Servicelovens § 101" in text
    assert "fysisk helbred, psykisk helbred, økonomi, kriminalitet og familiemæssige og sociale relationer" in text


def _sources(node, path="$"):
    if isinstance(node, dict):
        if "source" in node:
            yield path, node["source"]
        for k, v in node.items():
            yield from _sources(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _sources(v, f"{path}[{i}]")


def test_every_citation_names_a_real_section():
    found = list(_sources(DATA))
    assert len(found) > 40
    bad = [(p, s) for p, s in found if not SECTION.match(s)]
    assert not bad


@pytest.mark.parametrize("path", ["bvc.deescalation", "bvc.plan_prompts", "bvc.pair_rules", "techniques",
                                  "stages.readiness", "phases"])
def test_every_entry_cites_its_section(path):
    node = DATA
    for key in path.split("."):
        node = node[key]
    assert all(SECTION.match(entry["source"]) for entry in node)
