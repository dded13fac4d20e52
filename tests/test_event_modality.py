"""Modality of event mentions: rules that depend on the event around the trigger.

The sentences are written for these tests. ``nlp`` and ``lexicon`` are the production ones (conftest);
the modality rules are called on the parse directly with the event type they are given in the pipeline,
so they do not depend on which words the detector types.
"""

from dateline.transforms.event_actors import predicate
from dateline.transforms.event_modality import modality


def _modality(nlp, text: str, word: str, code: str) -> str:
    doc = nlp(text)
    token = next(t for t in doc if t.text == word)
    pred = predicate(token) if token.pos_ in ("NOUN", "PROPN") else token
    return modality(token, pred, code)


def test_a_rejection_made_by_a_negation_is_asserted(nlp):
    assert _modality(nlp, "The governor does not believe in the new tax plan.", "believe", "REJECT") == "asserted"
    assert _modality(nlp, "“We are not going to do that,” the leader told reporters.", "going", "REJECT") == (
        "asserted"
    )
    # a word that rejects by itself is negated by its negation, and other types keep theirs
    assert _modality(nlp, "The senator did not reject the offer.", "reject", "REJECT") == "negated"
    assert _modality(nlp, "The senator did not praise the mayor.", "praise", "SUPPORT") == "negated"


def test_a_denied_or_refused_event_noun_is_still_there(nlp):
    assert _modality(nlp, "The minister denied the allegations of fraud.", "allegations", "DISAPPROVE") == (
        "asserted"
    )
    assert _modality(nlp, "The court refused the government's request to delay the trial.", "request",
                     "DEMAND") == "asserted"
    # what the denial or refusal turns down as an act did not happen; a cancelled visit neither
    assert _modality(nlp, "The Kremlin denied any plans to invade the country.", "invade", "ASSAULT") == "negated"
    assert _modality(nlp, "The union refused to negotiate with the company.", "negotiate", "CONSULT") == "negated"
    assert _modality(nlp, "The premier cancelled his visit to Paris.", "visit", "CONSULT") == "negated"


def test_an_event_noun_demanded_or_threatened_is_hypothetical(nlp):
    assert _modality(nlp, "The White House threatened a veto of the spending bill.", "veto", "REJECT") == (
        "hypothetical"
    )
    assert _modality(nlp, "The students demanded talks with the university.", "talks", "CONSULT") == "hypothetical"
    assert _modality(nlp, "The senators held talks with the university.", "talks", "CONSULT") == "asserted"


def test_a_curly_will_and_a_decision_to_act_are_planned(nlp):
    assert _modality(nlp, "He’ll meet the Chinese president in Beijing.", "meet", "CONSULT") == "planned"
    assert _modality(nlp, "The president made a decision to withdraw the troops.", "withdraw", "RETREAT") == (
        "planned"
    )


def test_to_be_to_and_a_planned_noun_are_planned(nlp):
    assert _modality(nlp, "The country is to expel three diplomats.", "expel", "SANCTION") == "planned"
    assert _modality(nlp, "Both sides discussed a planned meeting of negotiators.", "meeting", "CONSULT") == (
        "planned"
    )
    # "is" with a noun or an adjective is no plan
    assert _modality(nlp, "The country is ready to expel three diplomats.", "expel", "SANCTION") == "hypothetical"


def test_a_demand_told_with_should_or_must_is_made_when_it_is_said(nlp):
    # telling someone what they should do is the demand itself, which happened
    assert _modality(nlp, "The council said that Mayor Dan Ortiz should resign.", "resign", "DEMAND") == "asserted"
    assert _modality(nlp, "“The harbor board must release the dock records,” Berg said.", "release", "DEMAND") == (
        "asserted"
    )
    assert _modality(nlp, "Perhaps the agency should go back to school!", "go", "DISAPPROVE") == "asserted"
    # other types keep their modal, and a demand in a condition or under a fear stays hypothetical
    assert _modality(nlp, "The council said that the police should arrest the driver.", "arrest", "COERCE") == (
        "hypothetical"
    )
    assert _modality(nlp, "If the mayor should resign, the council will meet.", "resign", "DEMAND") == "hypothetical"


def test_what_is_threatened_or_weighed_is_hypothetical(nlp):
    assert _modality(nlp, "Senator Ann Cole has threatened to sue the harbor board.", "sue", "DISAPPROVE") == (
        "hypothetical"
    )
    assert _modality(nlp, "The ministry is considering imposing tariffs on steel.", "imposing", "SANCTION") == (
        "hypothetical"
    )
    # a clause that only hangs on the threatened infinitive happened
    assert _modality(nlp, "The move threatened to raise tensions after the ministry imposed tariffs on steel.",
                     "imposed", "SANCTION") == "asserted"
    # the threat itself is made
    assert _modality(nlp, "Senator Ann Cole has threatened to sue the harbor board.", "threatened", "THREATEN") == (
        "asserted"
    )


def test_an_event_noun_a_verb_only_speaks_of_keeps_its_own_modality(nlp):
    # "did not mention the annexation": the annexation happened whatever is said of it
    assert _modality(nlp, "The minister did not mention the annexation of the island.", "annexation", "COERCE") == (
        "asserted"
    )
    assert _modality(nlp, "The envoy never discussed the sanctions on the bank.", "sanctions", "SANCTION") == (
        "asserted"
    )
    # a verb that does the act keeps negating it
    assert _modality(nlp, "The two leaders did not hold talks in Paris.", "talks", "CONSULT") == "negated"
