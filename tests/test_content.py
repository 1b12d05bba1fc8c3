"""The content file holds the manual's facts exactly (model manual, Socialstyrelsen), and
says of every guidance text whose words it is: the manual's, our advice, or the team's."""
import re

import pytest

from pwa import bvc
from pwa import content as c

DATA = c.content()

# The sections the content may cite: Part I 2.1-2.4, Part II 3.2-3.5.4, Part III 4.3.1 and
# 4.5.1, appendix 1A-1C and 2B (the geographic mapping); one or several, comma-separated.
ONE_SECTION = r"(2\.[1-4]|3\.[2-5](\.[1-4])?|4\.3\.1|4\.5\.1|Bilag 1[ABC]|Bilag 2B)"
SECTION = re.compile(rf"^{ONE_SECTION}(, {ONE_SECTION})*$")
# What a citation of the manual looks like inside a text.
CITES_MANUAL = re.compile(r"\b[234]\.\d(\.\d)?\b|\bbilag [12][abc]\b|\bmanualen\b", re.I)
KINDS = {"manual", "practice", "team"}
# Not guidance: the publication's own name, the labels of the kinds, and bibliographic references.
META = {"manual", "source_kinds", "references"}
# Keys whose strings are identifiers or citations, not text a worker reads.
ID_KEYS = {"id", "kind", "section", "page", "near", "circle", "techniques", "method"}


def test_bvc_items_are_the_six_of_appendix_1a_in_order():
    assert [i["name"] for i in bvc.items()] == [
        "Forvirring", "Irritabilitet", "Støjende adfærd",
        "Fysiske trusler", "Verbale trusler", "Angreb på ting eller genstande",
    ]
    assert len({i["id"] for i in bvc.items()}) == 6
    assert all(i["definition"].strip() for i in bvc.items())


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
    assert all(r["source"] == {"kind": "manual", "section": "4.3.1"} for r in DATA["bvc"]["pair_rules"])
    for phrase in ("som udgangspunkt bør i aldrig gå alene", "ikke kender", "begyndende uro", "taler kun én af jer",
                   "observerer", "sikkerhedsmæssigt forsvarligt", "sms til en kollega", "uanmeldt"):
        assert phrase in rules, phrase
    assert DATA["bvc"]["plan_prompts"], "high risk must ask for a plan to avoid violence"


def test_the_manual_says_only_score_and_label_for_the_low_band():
    # Appendix 1A gives "Lille risiko for vold" and nothing to do; what we add is our advice.
    low = DATA["bvc"]["bands"][0]
    assert low["action"] == "" and low["note"]["source"] == {"kind": "practice"}


def test_bvc_is_credited_with_its_published_source():
    ref = DATA["references"]["bvc"]
    assert ref["copyright"] == "© Almvik, Woods & Rasmussen (2000)"
    assert "Journal of Interpersonal Violence 15(12)" in ref["published"]


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
    assert DATA["change_talk"]["source"] == {"kind": "manual", "section": "3.4.4"}


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
        assert cl.get("ref") == "change_talk" or (cl["source"]["section"] == checklist_section and cl["items"])


def test_inclusion_criteria_of_3_3_3():
    inc = DATA["inclusion_criteria"]
    assert inc["source"] == {"kind": "manual", "section": "2.1, 3.3.3"} and len(inc["items"]) == 6
    text = " ".join(inc["items"])
    assert "Servicelovens § 101" in text
    assert "fysisk helbred, psykisk helbred, økonomi, kriminalitet og familiemæssige og sociale relationer" in text


# --- whose words: every guidance text is the manual's, our advice or the team's ---------------

def _sources(node, path="$"):
    if isinstance(node, dict):
        if "source" in node:
            yield path, node["source"]
        for k, v in node.items():
            yield from _sources(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _sources(v, f"{path}[{i}]")


def _texts(node, source=None, path="$"):
    """Every string a worker reads, with the source it falls under (its own or the nearest above it)."""
    if isinstance(node, dict):
        source = node.get("source", source)
        for k, v in node.items():
            ids = k in ID_KEYS and (isinstance(v, str) or all(isinstance(x, str) for x in v))
            if k != "source" and not ids:
                yield from _texts(v, source, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _texts(v, source, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, source, node


GUIDANCE = {k: v for k, v in DATA.items() if k not in META}


def test_every_source_is_one_of_the_three_kinds():
    found = list(_sources(GUIDANCE))
    assert len(found) > 80
    bad = [(p, s) for p, s in found if not isinstance(s, dict) or s.get("kind") not in KINDS]
    assert bad == []


def test_a_section_is_cited_only_by_the_manuals_own_words():
    for path, source in _sources(GUIDANCE):
        if source["kind"] == "manual":
            assert SECTION.match(source.get("section", "")), (path, source)
        else:
            assert "section" not in source, (path, source)


def test_every_guidance_text_has_a_kind():
    texts = list(_texts(GUIDANCE))
    assert len(texts) > 250
    assert [(p, t) for p, s, t in texts if s is None] == []


def test_no_text_of_ours_or_the_teams_cites_the_manual():
    ours = [(p, t) for p, s, t in _texts(GUIDANCE) if s["kind"] != "manual"]
    assert len(ours) > 10
    assert [(p, t) for p, t in ours if CITES_MANUAL.search(t)] == []


@pytest.mark.parametrize("text", [
    "Kontakt kan indledes",                      # band 0: appendix 1A says only "Lille risiko for vold"
    "tal stille og venligt",                     # de-escalation tips: not in 3.4.2
    "bland jer ikke i konflikter",
    "Hold god afstand",
    "Hvilke tegn får os til at afbryde",
    "Hvem ved, hvor vi er",                      # plan questions: not in 4.3.1
    "uden bebrejdelse",                          # relapse: not in 3.4.3
])
def test_advice_the_manual_does_not_give_is_not_presented_as_the_manuals(text):
    holding = [(p, s) for p, s, t in _texts(GUIDANCE) if text.lower() in t.lower()]
    assert all(s["kind"] != "manual" for _, s in holding), holding


@pytest.mark.parametrize("text", ["vej væk fra stedet", "kodeordet, går I begge", "Den anden holder lidt afstand",
                                  "Vokser uroen, forlader I stedet", "Ofte her, relationsarbejdet",
                                  "i tvivl om, hvorvidt den kan lykkes", "Så tanken", "Gør aftalen fast",
                                  "Parathed er ofte", "fx ved karantæne", "sidst, det gik godt"])
def test_what_the_review_found_wrong_is_gone(text):
    assert [(p, t) for p, _, t in _texts(DATA) if text in t] == []


def test_quotes_are_danish():
    # »…«, not «…» or the manual's ”…”.
    assert [(p, t) for p, _, t in _texts(DATA) if re.search(r"«\w|[”“„\"]", t)] == []


def test_the_manuals_conditions_are_kept():
    rules = " ".join(r["text"] for r in DATA["bvc"]["pair_rules"])
    # 4.3.1: one talks and the other observes *when unrest begins*; not alone *as a starting point*.
    assert "Mærker I begyndende uro i gruppen, taler kun én af jer" in rules
    assert "Som udgangspunkt bør I aldrig gå alene" in rules
    assert "Som udgangspunkt går I ikke alene" in DATA["bvc"]["unknown_note"]["text"]


def test_high_readiness_cites_3_4_3_only_for_scaling_and_goal_questions():
    action = c.stage("action")
    assert {"skalaspoergsmaal", "maal"} <= set(action["techniques"])
    # The other LØFT questions fit here through 2.4, and the page says so.
    assert action["techniques_note"]["source"]["section"] == "2.4, 3.4.3"
    assert "Undtagelser, forskelle og coping" in action["techniques_note"]["text"]


def test_the_bvc_items_are_word_for_word_appendix_1a():
    defs = {i["id"]: i["definition"] for i in bvc.items()}
    assert defs["stoejende_adfaerd"] == ("Viser en åbenbar og vredladen adfærd, f.eks. smækker med døren, "
                                         "råber i stedet for at tale osv.")
    assert defs["verbale_trusler"] == ("Foretager et verbalt udbrud som er mere end bare at hæve stemmen og "
                                       "har til hensigt at ydmyge eller skræmme en anden person.")


# --- field cards ----------------------------------------------------------------------

CARDS = {card["id"]: card for card in DATA["cards"]}


@pytest.mark.parametrize("card_id, section, words", [
    ("foer-kontakten", "3.3.2", ["Observér", "samarbejdspartnere eller andre borgere"]),
    ("relation", "3.4.1", ["fælles tredje", "små opgaver, der med sikkerhed lykkes", "vedholdende"]),
    ("fremmende", "3.4.2", ["autonomi", "Bed om lov, før du giver ekspertviden"]),
    ("vaerdier", "3.4.2", ["værdier", "diskrepans"]),
    ("mi-kerne", "2.4", ["Omsorg", "Accept", "Samarbejde", "egne argumenter", "aldrig blive et kriterium"]),
    ("grundprincipper", "2.3", ["Recovery-orienteret", "omdrejningspunkt", "Rummelighed", "Helhedsperspektivet",
                                "Udgående indsats", "Brobygning"]),
    ("uden-for-maalgruppen", "3.3.3", ["uden for målgruppen", "Overlad"]),
    ("udebliver", "3.5.2", ["udeblive", "klar aftale"]),
    ("send-med", "3.5.1", ["behandlingsplan", "social anamnese", "notat"]),
    ("tavshedspligt", "4.5.1", ["tavshedspligt", "kommet i behandling"]),
    ("aabne-lukkede", "3.4.1", ["Lukkede spørgsmål", "Har du …?", "hvorfor"]),
    ("mirakel-hele", "3.4.1", ["Mens du sover, sker der et mirakel", "første tegn", "Hvad mere",
                               "Hvordan vil andre lægge mærke til"]),
])
def test_the_field_cards_exist_with_their_sections(card_id, section, words):
    card = CARDS[card_id]
    assert card["source"] == {"kind": "manual", "section": section}
    text = " ".join([card["title"], card.get("lead", ""), *card["points"]])
    for w in words:
        assert w.lower() in text.lower(), w


def test_the_udebliver_card_has_the_manuals_title():
    assert CARDS["udebliver"]["title"] == "Borgeren udebliver fra behandling"


def test_the_six_principles_are_six():
    assert len(CARDS["grundprincipper"]["points"]) == 6


def test_the_team_rules_are_worded_once_and_defined_once():
    from pwa import team_rules
    worded = [r["id"] for r in DATA["team_rules"]["rules"]]
    assert worded == [r.id for r in team_rules.RULES]
    assert all(r["source"] == {"kind": "team"} for r in DATA["team_rules"]["rules"])
