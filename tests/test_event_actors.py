"""Event actors on the production pipeline (the ``nlp`` fixture: ``flows.nlp.load_nlp``): who does it and to whom.

The argument rules are tested on a trigger word given by the test, so they hold whatever decides which
words are triggers. The sentences are written for these tests.
"""

import pytest
from dateline.transforms.entities import doc_mentions
from dateline.transforms.event_actors import actor1, actor2, judged_subject, predicate, spoken_act
from dateline.transforms.event_mentions import MentionIndex


def actors(nlp, text: str, trigger: str, nth: int = 0, code: str | None = None) -> tuple[list[str], list[str]]:
    """(actor1, actor2) texts of the ``nth`` token spelled ``trigger`` in ``text`` (an event of type ``code``)."""
    doc = nlp(text)
    token = [t for t in doc if t.text == trigger][nth]
    index = MentionIndex(doc_mentions("d", doc))
    is_noun = token.pos_ in ("NOUN", "PROPN")
    pred = predicate(token) if is_noun else token
    first = actor1(token, pred, index, code=code)
    second = actor2(token, pred, index, {s for s, _ in first}, code)
    return [text[s:e] for s, e in first], [text[s:e] for s, e in second]


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        # passive "by" agent
        ("Two opposition leaders were arrested by the Turkish police in Ankara on Tuesday.", "arrested",
         (["Turkish"], [])),
        # "from" / "by" on an event noun; the one who faces it is the target
        ("Boris Johnson faced fierce criticism from the Labour Party over the deal.", "criticism",
         (["the Labour Party"], ["Boris Johnson"])),
        ("The budget plan drew sharp criticism from Angela Merkel.", "criticism", (["Angela Merkel"], [])),
        # the speaker of a reported clause is the one who acts in it
        ("Japan said it would impose tariffs on steel from Korea.", "impose", (["Japan"], ["Korea"])),
        # apposition
        ("The leader of China, Xi Jinping, met Vladimir Putin in Moscow.", "met", (["Xi Jinping"], ["Vladimir Putin"])),
        # the object of "urge" does what it is urged to do
        ("Macron urged Germany to impose sanctions on Iran.", "impose", (["Germany"], ["Iran"])),
        ("Macron urged Germany to impose sanctions on Iran.", "urged", (["Macron"], ["Germany"])),
        # a relative pronoun is the name it follows
        ("Justin Trudeau, who criticized the tariffs, will visit Mexico next week.", "criticized", (["Justin Trudeau"], [])),
        # "X and Y met": both
        ("Macron and Merkel met in Berlin on Friday.", "met", (["Macron", "Merkel"], [])),
    ],
)
def test_actor_roles(nlp, text, trigger, expected):
    assert actors(nlp, text, trigger) == expected


def test_a_pronoun_is_the_person_subject_of_the_sentence_before(nlp):
    text = "Angela Merkel arrived in Paris on Monday. She criticized the new tariffs on cars."
    assert actors(nlp, text, "criticized")[0] == ["Angela Merkel"]


def test_a_pronoun_opening_its_sentence_is_the_one_person_the_sentence_before_names(nlp):
    # no person subject before it: the one person named in the sentence before, else nobody
    text = "Police officers questioned Dana Cole about the fire. She denied the accusations."
    assert actors(nlp, text, "denied")[0] == ["Dana Cole"]
    text = "Police officers questioned Dana Cole and Tom Reed about the fire. She denied the accusations."
    assert actors(nlp, text, "denied")[0] == []
    # a passive subject is the one acted upon, not the person just named
    text = "The suspect was released by Sheriff Tom Reed. He was arrested again in May."
    assert actors(nlp, text, "arrested")[1] == []


def test_the_president_is_the_last_person_titled_president(nlp):
    text = "President Emmanuel Macron spoke to reporters in Lyon. The president condemned the attack on the embassy."
    assert actors(nlp, text, "condemned")[0] == ["Emmanuel Macron"]


def test_the_president_without_a_president_in_the_text_stays_unresolved(nlp):
    text = "Angela Merkel spoke to reporters in Lyon. The president condemned the attack on the embassy."
    assert actors(nlp, text, "condemned") == ([], [])


def test_they_is_not_guessed_from_distance(nlp):
    text = "Canada and Mexico signed the pact in June. The storm damaged the port. They condemned the attack."
    assert actors(nlp, text, "condemned") == ([], [])


def test_a_company_is_the_organization_subject_before_it(nlp):
    text = "Google announced a new phone on Monday. The company was sued by Microsoft last year."
    assert actors(nlp, text, "sued") == (["Microsoft"], ["Google"])


def test_the_one_arrested_is_the_target_not_the_doer(nlp):
    text = "The arrest of Alexei Navalny by Russian police angered the German government."
    assert actors(nlp, text, "arrest") == (["Russian"], ["Alexei Navalny"])


def test_a_noun_trigger_about_which_someone_is_questioned_has_its_own_participants(nlp):
    # the interviewee of "was interviewed about" is not a party to the calls
    text = "Hope Hicks was interviewed by the FBI about the phone calls with Michael Cohen."
    assert actors(nlp, text, "calls")[1] == ["Michael Cohen"]


def test_a_participle_clause_does_not_borrow_the_main_subject(nlp):
    text = "Ukraine wants to retake the towns seized by rebels in 2014."
    assert actors(nlp, text, "seized") == ([], [])


def test_the_president_s_demand_is_the_titled_president_s(nlp):
    text = "President Emmanuel Macron flew to Berlin. The president's demand for a new treaty surprised Germany."
    assert actors(nlp, text, "demand")[0] == ["Emmanuel Macron"]


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Voting rights groups have accused a Republican of lying about the count.", "accused"),
        ("The senators condemned anti-Semitism at the hearing on Tuesday.", "condemned"),
    ],
)
def test_an_unnamed_partisan_or_an_attitude_is_no_target(nlp, text, trigger):
    assert actors(nlp, text, trigger)[1] == []


def test_the_demonym_of_a_person_is_that_person(nlp):
    text = "Russian President Vladimir Putin arrived on Monday. Joe Biden accused the Russian of lying."
    assert actors(nlp, text, "accused") == (["Joe Biden"], ["Vladimir Putin"])


def test_a_denied_claim_has_no_target(nlp):
    # "X denied any plot against Y" is a REJECT by X of a claim; Y is not what X rejects
    assert actors(nlp, "Vladimir Putin denied any plot against Ukraine.", "denied") == (["Vladimir Putin"], [])


def test_i_in_a_quote_is_its_speaker(nlp):
    text = '"I have never criticized the judges," Angela Merkel said.'
    assert actors(nlp, text, "criticized")[0] == ["Angela Merkel"]


def test_a_role_with_modifiers_needs_a_person_introduced_with_them(nlp):
    text = ("Special Counsel Robert Mueller met the lawyers on Monday. On Tuesday the special counsel "
            "accused Paul Manafort of lying.")
    assert actors(nlp, text, "accused") == (["Robert Mueller"], ["Paul Manafort"])
    text = "President Emmanuel Macron flew to Berlin. The former president criticized the new treaty."
    assert actors(nlp, text, "criticized")[0] == []


def test_he_follows_a_chain_of_subjects_back_to_the_name(nlp):
    # the name is three sentences back, beyond the two sentences a pronoun looks at by itself
    text = ("Angela Merkel arrived in Paris on Monday. She spoke for an hour. She took no questions. "
            "She criticized the new tariffs on cars.")
    assert actors(nlp, text, "criticized")[0] == ["Angela Merkel"]
    text = ("President Emmanuel Macron flew to Berlin. The crowd waited for hours. The president spoke for an hour. "
            "He criticized the new tariffs on cars.")
    assert actors(nlp, text, "criticized")[0] == ["Emmanuel Macron"]


def test_we_in_a_quote_is_its_speaker(nlp):
    text = '"We will impose tariffs on steel from Korea," Shinzo Abe said on Friday.'
    assert actors(nlp, text, "impose") == (["Shinzo Abe"], ["Korea"])


def test_we_without_a_speaker_stays_unresolved(nlp):
    text = "Angela Merkel arrived in Paris on Monday. We criticized the new tariffs on cars."
    assert actors(nlp, text, "criticized")[0] == []


def test_a_possessive_pronoun_on_an_object_is_its_antecedent(nlp):
    text = "Angela Merkel asked for a meeting in Warsaw. Poland rejected her request on Monday."
    assert actors(nlp, text, "rejected") == (["Poland"], ["Angela Merkel"])


def test_an_object_pronoun_is_not_the_subject_of_its_own_clause(nlp):
    text = "After Boris Johnson resigned, Angela Merkel called him and urged him to stay."
    assert actors(nlp, text, "urged") == (["Angela Merkel"], ["Boris Johnson"])


def test_a_participle_on_a_noun_trigger_names_its_doer_and_target(nlp):
    text = "Venezuela condemned the sanctions imposed on its oil industry by Canada last week."
    assert actors(nlp, text, "sanctions")[0] == ["Canada"]
    text = "The new sanctions imposed on Venezuela last week hurt the oil industry."
    assert actors(nlp, text, "sanctions") == ([], ["Venezuela"])


def test_the_capitalized_president_is_the_titled_president(nlp):
    text = "President Emmanuel Macron flew to Berlin on Monday. Angela Merkel criticized the President on Tuesday."
    assert actors(nlp, text, "criticized") == (["Angela Merkel"], ["Emmanuel Macron"])


def test_the_first_person_deep_in_a_quote_is_its_speaker(nlp):
    text = '"My criticism of the treaty is that it ignores the farmers," Angela Merkel said on Monday.'
    assert actors(nlp, text, "criticism")[0] == ["Angela Merkel"]
    text = '"The plan is to ask us to condemn the strike," Angela Merkel said on Monday.'
    assert actors(nlp, text, "condemn")[0] == ["Angela Merkel"]


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        ("Donald Trump met Kim Jong Un in June. Lawmakers said the Trump-Kim summit was a positive step.",
         "summit", (["Trump"], ["Kim"])),
        ("Vladimir Putin spoke with Xi Jinping in May. The Putin-Xi meeting lasted two hours.", "meeting",
         (["Putin"], ["Xi"])),
    ],
)
def test_a_hyphen_joined_pair_on_a_noun_trigger_is_both_actors(nlp, text, trigger, expected):
    assert actors(nlp, text, trigger) == expected


def test_between_on_a_noun_trigger_names_both_sides_whoever_the_clause_s_subject_is(nlp):
    text = "The White House prepared a call between Joe Biden and Emmanuel Macron."
    assert actors(nlp, text, "call", code="CONSULT") == (["Joe Biden"], ["Emmanuel Macron"])


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        # a person named before a meeting noun is the one met; the clause says who met them
        ("After the Macron summit, Joe Biden flew home.", "summit", (["Joe Biden"], ["Macron"])),
        # ... unless the noun names who is met, or is a journey: then it is the one who goes
        ("The Biden meeting with Macron lasted two hours.", "meeting", (["Biden"], ["Macron"])),
        ("Reporters waited for the Biden visit on Monday.", "visit", (["Biden"], [])),
    ],
)
def test_a_person_before_a_meeting_noun_is_the_one_met(nlp, text, trigger, expected):
    assert actors(nlp, text, trigger, code="CONSULT") == expected


def test_a_name_before_a_noun_trigger_is_its_doer_when_the_type_is_not_known(nlp):
    assert actors(nlp, "After the Macron summit, Joe Biden flew home.", "summit") == (["Macron"], [])


@pytest.mark.parametrize(
    ("text", "trigger", "code", "expected"),
    [
        ("Joe Biden spoke after the Helsinki summit.", "summit", "CONSULT", (["Joe Biden"], [])),
        ("Senators spoke about the Parkland shooting.", "shooting", "ASSAULT", ([], [])),
    ],
)
def test_a_place_before_a_meeting_or_an_attack_is_where_it_was_not_who(nlp, text, trigger, code, expected):
    assert actors(nlp, text, trigger, code=code) == expected


def test_a_noun_trigger_that_is_its_clause_s_subject_is_not_done_by_its_own_modifier(nlp):
    """The clause's subject is the noun itself: the one met ("Macron") is not named again as the doer."""
    text = "The Macron summit was a success."
    assert actors(nlp, text, "summit", code="CONSULT") == ([], ["Macron"])


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        # a participant of the object phrase, one or two prepositions deep
        ("Paul Manafort negotiated a deal with Robert Mueller's team.", "negotiated", ["Robert Mueller's"]),
        ("The court hindered the pursuit of an interview with Donald Trump.", "pursuit", ["Donald Trump"]),
        # not a place the object is in, nor a clause inside it
        ("A report accused dozens of priests in the United States of abuse.", "accused", []),
        ("Schumer opposed his nomination to head the Justice Department.", "opposed", []),
    ],
)
def test_a_target_inside_an_object_phrase_is_one_of_its_participants(nlp, text, trigger, expected):
    assert actors(nlp, text, trigger)[1] == expected


@pytest.mark.parametrize(
    ("text", "trigger", "code", "expected"),
    [
        # a claim, a demand or a permission is aimed at the subject of the clause it reports
        ("Angela Merkel claimed that Boris Johnson lied to Parliament.", "claimed", "DISAPPROVE",
         (["Angela Merkel"], ["Boris Johnson"])),
        ("Israel decided to allow Rashida Tlaib to visit her family.", "allow", "CONCEDE",
         (["Israel"], ["Rashida Tlaib"])),
        # a denial is aimed at no one
        ("Boris Johnson denied that Angela Merkel was right.", "denied", "DISAPPROVE", (["Boris Johnson"], [])),
        # a criticism's reported passive is aimed at its subject, not at its "by" doer
        ("Mayor Dan Ortiz claimed that the Harbor Authority was bribed by builders.", "claimed", "DISAPPROVE",
         (["Dan Ortiz"], ["the Harbor Authority"])),
    ],
)
def test_a_verb_s_reported_clause_names_whom_it_is_aimed_at(nlp, text, trigger, code, expected):
    assert actors(nlp, text, trigger, code=code) == expected


@pytest.mark.parametrize(
    ("text", "trigger", "code", "expected"),
    [
        ("The White House dismissed CNN's lawsuit on Tuesday.", "lawsuit", "DISAPPROVE",
         (["CNN"], ["The White House"])),
        ("Nancy Pelosi responded to criticism from Donald Trump.", "criticism", "DISAPPROVE",
         (["Donald Trump"], ["Nancy Pelosi"])),
        # a meeting is aimed at no one: whoever uses the summit is not the one met
        ("Emmanuel Macron used the G-7 summit to call for action.", "summit", "CONSULT", (["G-7"], [])),
    ],
)
def test_the_subject_reacting_to_someone_s_act_is_its_target(nlp, text, trigger, code, expected):
    assert actors(nlp, text, trigger, code=code) == expected


def test_the_by_agent_of_a_decision_noun_does_its_infinitive(nlp):
    text = "The decision by Germany to expel the diplomats angered Moscow."
    assert actors(nlp, text, "expel")[0] == ["Germany"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("House Speaker Nancy Pelosi held a news conference. The speaker criticized the decision.",
         ["Nancy Pelosi"]),
        ("Attorney General William Barr testified on Monday. The attorney general criticized the decision.",
         ["William Barr"]),
        # no one introduced as speaker: the role stays unresolved
        ("Nancy Pelosi held a news conference. The speaker criticized the decision.", []),
    ],
)
def test_more_titles_refer_back_to_the_person_introduced_with_them(nlp, text, expected):
    assert actors(nlp, text, "criticized")[0] == expected


def test_a_spokesman_for_an_actor_speaks_for_it(nlp):
    assert actors(nlp, "A spokesman for the Kremlin denied the allegations.", "denied")[0] == ["Kremlin"]
    # "for" on any other noun names no doer
    assert actors(nlp, "The demand for Russia to leave was denied.", "denied")[0] == []


def test_a_quote_without_its_own_speaker_is_spoken_by_the_next_quoted_sentence_s_speaker(nlp):
    text = '"We need a new treaty. It has to be signed this year," Angela Merkel said in Berlin.'
    assert actors(nlp, text, "need")[0] == ["Angela Merkel"]
    # no quote marks: first person stays unresolved
    text = "We need a new treaty. Angela Merkel said in Berlin that the talks were over."
    assert actors(nlp, text, "need")[0] == []


def test_quoted_sentences_whose_speakers_are_pronouns_do_not_send_each_other_back(nlp):
    """'"…," we said. "…," we added.': each quote's speaker is a pronoun whose own quote would look to the
    other; the search takes one step, so the actor is unresolved instead of an endless recursion."""
    text = '"We need a deal," we said. "We will reject it," we added. "We will sanction them," we said.'
    assert actors(nlp, text, "reject") == ([], [])
    assert actors(nlp, text, "sanction")[0] == []


def spoken_spans(nlp, text: str, trigger: str, code: str):
    """The (actor1, actor2) spans of a trigger of type ``code`` before and after ``event_actors.spoken_act``."""
    doc = nlp(text)
    token = next(t for t in doc if t.text == trigger)
    index = MentionIndex(doc_mentions("d", doc))
    pred = predicate(token) if token.pos_ in ("NOUN", "PROPN") else token
    first = actor1(token, pred, index)
    second = actor2(token, pred, index, exclude={s for s, _ in first})
    return (first, second), spoken_act(token, pred, code, (first, second), index)


def spoken(nlp, text: str, trigger: str, code: str) -> tuple[list[str], list[str]]:
    """(actor1, actor2) texts after ``event_actors.spoken_act`` for a trigger of type ``code``."""
    _, (first, second) = spoken_spans(nlp, text, trigger, code)
    return [text[s:e] for s, e in first], [text[s:e] for s, e in second]


@pytest.mark.parametrize(
    ("text", "trigger", "code", "expected"),
    [
        # what a speaker says of someone else is the speaker's criticism of them
        ("Senator Maria Lopez said that Governor Tom Reed is wrecking the state budget.", "wrecking",
         "DISAPPROVE", (["Maria Lopez"], ["Tom Reed"])),
        ('"Canada should stop dumping cheap steel," Prime Minister Anna Berg told reporters.', "stop",
         "DEMAND", (["Anna Berg"], ["Canada"])),
        ("Mayor Dan Ortiz said the Harbor Authority must release the dock records.", "release",
         "DEMAND", (["Dan Ortiz"], ["the Harbor Authority"])),
        # "she was troubled": the speaker's own disapproval, told in the passive
        ("Senator Maria Lopez said she was troubled by the budget.", "troubled", "DISAPPROVE",
         (["Maria Lopez"], [])),
        # a quotation whose speech verb is outside its quotation marks (the parse does not report it)
        ('Mayor Dan Ortiz told reporters on Friday that it was time for change: "The Harbor Authority has'
         ' betrayed every family on this coast."', "betrayed", "DISAPPROVE", (["Dan Ortiz"], ["The Harbor Authority"])),
        # a noun judgement the clause holds as its object
        ("Senator Maria Lopez said Governor Tom Reed has shown a reckless contempt for voters.", "contempt",
         "DISAPPROVE", (["Maria Lopez"], ["Tom Reed"])),
    ],
)
def test_a_speaker_s_judgement_of_someone_else_is_the_speaker_s_act(nlp, text, trigger, code, expected):
    assert spoken(nlp, text, trigger, code) == expected


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        # the one told what to do is the target of the demand, whoever makes it
        ("Canada should stop dumping cheap steel on the market.", "stop", ([], ["Canada"])),
        ("On Thursday, the joint statement stressed that Dan Ortiz should resign.", "resign", ([], ["Dan Ortiz"])),
    ],
)
def test_a_demand_told_with_should_by_no_named_speaker_has_its_subject_as_target(nlp, text, trigger, expected):
    assert spoken(nlp, text, trigger, "DEMAND") == expected


@pytest.mark.parametrize(
    ("text", "trigger", "code"),
    [
        # the speaker speaks of themself: nothing moves
        ("Senator Maria Lopez said she is losing patience with the governor.", "losing", "DISAPPROVE"),
        # a demand without "should" / "must" is what the subject does
        ("Mayor Dan Ortiz said the Harbor Authority released the dock records.", "released", "DEMAND"),
        # a passive tells what someone else did to its subject
        ("Denver police said on Friday that Tom Reed was charged with fraud.", "charged", "DISAPPROVE"),
        # the speaker is the passive's subject, but its doer is named: what they did to the speaker
        ("Michael Cohen has been insulted by Senator Ann Cole, he said.", "insulted", "DISAPPROVE"),
        ("Tom Reed was mocked and called names by Governor Dan Ortiz, he said.", "mocked", "DISAPPROVE"),
        # no speech verb reports the clause
        ("Governor Tom Reed is wrecking the state budget.", "wrecking", "DISAPPROVE"),
        # other types are the subject's own acts
        ("Senator Maria Lopez said that Governor Tom Reed is wrecking the state budget.", "wrecking", "ASSAULT"),
        # a noun that names its own doer keeps it
        ("Senator Maria Lopez said Tom Reed's contempt for voters was plain.", "contempt", "DISAPPROVE"),
        # "we need to": the speaker's own resolve, not a demand made of the speaker
        ('"We need to support the striking workers. It has to happen now," Governor Tom Reed said.', "need",
         "DEMAND"),
    ],
)
def test_a_clause_not_spoken_of_another_keeps_its_subject(nlp, text, trigger, code):
    before, after = spoken_spans(nlp, text, trigger, code)
    assert after == before


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        # what one is arrested, jailed or charged for is the offence, not the one arrested
        ("He was the third Rangers pitcher to be arrested for DUI this season.", "arrested", []),
        ("Officers arrested Dana Cole for DWI on Route 9.", "arrested", ["Dana Cole"]),
        ("Dana Cole was jailed on OWI charges in Madison.", "jailed", ["Dana Cole"]),
        ("Cole had a prior DUI arrest in Ohio.", "arrest", []),
        ("The DUI arrest of Dana Cole came after midnight.", "arrest", ["Dana Cole"]),
        # a person named on the noun is the one arrested
        ("Prosecutors announced the DUI arrest of Dana Cole on Friday.", "arrest", ["Dana Cole"]),
    ],
)
def test_an_offence_is_never_the_one_arrested(nlp, text, trigger, expected):
    assert actors(nlp, text, trigger, code="COERCE")[1] == expected


def judged(nlp, text: str, trigger: str, code: str) -> tuple[list[str], list[str]]:
    """(actor1, actor2) texts after ``event_actors.judged_subject`` for a trigger of type ``code``."""
    doc = nlp(text)
    token = next(t for t in doc if t.text == trigger)
    index = MentionIndex(doc_mentions("d", doc))
    first = actor1(token, token, index)
    second = actor2(token, token, index, exclude={s for s, _ in first})
    first, second = judged_subject(token, code, (first, second), index)
    return [text[s:e] for s, e in first], [text[s:e] for s, e in second]


@pytest.mark.parametrize(
    ("text", "trigger", "code", "expected"),
    [
        # the subject of "be" is what is judged; the judge is the speaker, or no one when none is named
        ("Senator Maria Lopez said Governor Tom Reed was reckless.", "reckless", "DISAPPROVE",
         (["Maria Lopez"], ["Tom Reed"])),
        ("Governor Tom Reed is unfit.", "unfit", "DISAPPROVE", ([], ["Tom Reed"])),
        ('"Mayor Dan Ortiz is wonderful," Senator Maria Lopez said.', "wonderful", "SUPPORT",
         (["Maria Lopez"], ["Dan Ortiz"])),
        # a relative pronoun stands for what was done there, not for the place it follows
        ("Rioters burned cars in Portland, which is unacceptable.", "unacceptable", "DISAPPROVE", ([], [])),
    ],
)
def test_an_adjective_that_judges_the_subject_of_be_is_the_speaker_s_judgement(nlp, text, trigger, code, expected):
    assert judged(nlp, text, trigger, code) == expected


@pytest.mark.parametrize(
    ("text", "trigger", "code"),
    [
        # what the subject feels or does: a complement of its own, a participle, the speaker's own feeling
        ("Governor Tom Reed has been critical of the mayor.", "critical", "DISAPPROVE"),
        ("Governor Tom Reed is outraged.", "outraged", "DISAPPROVE"),
        ("Senator Maria Lopez said she was grateful.", "grateful", "SUPPORT"),
        # other types keep the subject as their doer
        ("Governor Tom Reed is reckless.", "reckless", "ASSAULT"),
    ],
)
def test_an_adjective_of_what_the_subject_feels_or_does_keeps_its_subject(nlp, text, trigger, code):
    doc = nlp(text)
    token = next(t for t in doc if t.text == trigger)
    index = MentionIndex(doc_mentions("d", doc))
    first = actor1(token, token, index)
    second = actor2(token, token, index, exclude={s for s, _ in first})
    assert judged_subject(token, code, (first, second), index) == (first, second)


def test_a_third_person_inside_a_quote_is_not_the_one_quoting(nlp):
    """'"He criticized …," Merkel said': the quoted "he" is someone the speaker talks about, never the speaker;
    without quotation marks "Merkel said he criticized" keeps reading "he" as the speaker."""
    text = '"He criticized the new tariffs on cars," Angela Merkel said on Monday.'
    assert actors(nlp, text, "criticized")[0] == []
    text = "Angela Merkel said he would criticize the new tariffs on cars."
    assert actors(nlp, text, "criticize")[0] == ["Angela Merkel"]
    # both inside a quotation another source reports, the speaker and her "she" are one
    text = 'The Herald reported, "The same day, Angela Merkel announced that she would criticize the new tariffs.'
    assert actors(nlp, text, "criticize")[0] == ["Angela Merkel"]


@pytest.mark.parametrize(
    ("text", "trigger", "code", "expected"),
    [
        # a quotation opened in one sentence and closed in the next, with its speaker after the closing mark
        ('"Republicans should stop blocking the budget. The voters are tired of it," Senator Maria Lopez said.',
         "stop", "DEMAND", (["Maria Lopez"], ["Republicans"])),
        ('"Governor Tom Reed is wrecking the state budget. Nobody trusts him any more," Senator Maria Lopez said.',
         "wrecking", "DISAPPROVE", (["Maria Lopez"], ["Tom Reed"])),
    ],
)
def test_a_quotation_split_into_sentences_is_spoken_by_the_speaker_after_its_closing_mark(
    nlp, text, trigger, code, expected
):
    assert spoken(nlp, text, trigger, code) == expected


def test_a_quotation_closed_in_its_own_sentence_takes_no_speaker_from_the_next(nlp):
    text = '"Governor Tom Reed is wrecking the state budget." Senator Maria Lopez said the vote was close.'
    assert spoken(nlp, text, "wrecking", "DISAPPROVE")[0] == ["Tom Reed"]


def test_a_building_leaders_meet_in_is_where_a_meeting_is_held_not_who_holds_it(nlp):
    # the recognizer tags "Oval Office" / "White House" as the institution; before a meeting noun it is the venue
    text = "Senator Ana Ruiz attended an Oval Office meeting with President Tom Reed on Friday."
    assert actors(nlp, text, "meeting", code="CONSULT") == (["Ana Ruiz"], ["Tom Reed"])
    text = "The Kremlin said the talks with France were useful."
    assert actors(nlp, text, "talks", code="CONSULT")[1] == ["France"]


@pytest.mark.parametrize(
    ("text", "trigger", "code", "expected"),
    [
        # a demand's "for X to ..." clause names the one asked to act
        ("Senator Collins called for Governor Brown to resign.", "called", "DEMAND", (["Collins"], ["Brown"])),
        # a verb naming no target is aimed at its infinitive's objects ...
        ("Boeing threatened to sue the Federal Aviation Administration.", "threatened", "THREATEN",
         (["Boeing"], ["the Federal Aviation Administration"])),
        ("Canada agreed to send aid to Ukraine.", "agreed", "AGREE", (["Canada"], ["Ukraine"])),
        # ... not the owner of what the infinitive handles
        ("The agency refused to release Boeing's records.", "refused", "REJECT", ([], [])),
        # ... unless it is something the owner asks for
        ("The Supreme Court declined to hear Exxon's appeal.", "declined", "REJECT", (["The Supreme Court"], ["Exxon"])),
        # a threat is aimed at whoever must meet its condition
        ("Putin threatened to cut gas supplies if Ukraine does not pay.", "threatened", "THREATEN",
         (["Putin"], ["Ukraine"])),
        # a criticism is aimed at whom it is "about"
        ("Senator Warren made false accusations about the Democrats.", "accusations", "DISAPPROVE",
         (["Warren"], ["Democrats"])),
        # the "by" doer of a long object phrase
        ("The court reversed a decision by the Department of Labor to cut the program for farmers in the west.",
         "reversed", "REJECT", ([], ["the Department of Labor"])),
        # who leads it, who is responsible for it, where it comes from: its doer
        ("The Saudi-led campaign in Yemen continued.", "campaign", "FIGHT", (["Saudi"], [])),
        ("Officials said the Assad regime was responsible for the attack.", "attack", "ASSAULT", (["Assad"], [])),
        ("Hamas claimed responsibility for the attack.", "attack", "ASSAULT", (["Hamas"], [])),
        ("The remark came from Kelly Sadler.", "remark", "DISAPPROVE", (["Kelly Sadler"], [])),
        # who comes under an act undergoes it, whoever does it
        ("Senator Collins came under fierce criticism over the vote.", "criticism", "DISAPPROVE", ([], ["Collins"])),
        # the subject of a relative clause whose verb performs the noun's act
        ("Farmers hate the tariffs that Senator Collins proposed.", "tariffs", "SANCTION", (["Collins"], [])),
        # a participle on a noun set beside a name: the name does it
        ("Ted Olson, a lawyer challenging the new rule, spoke on Monday.", "challenging", "DISAPPROVE",
         (["Ted Olson"], [])),
        # "on a call" frames the call as its clause's act
        ("Senator Collins got on a conference call with Boeing.", "call", "CONSULT", (["Collins"], ["Boeing"])),
        # a "to" phrase the parser hangs as a dative
        ("Japan provided modest economic benefits to North Korea.", "provided", "AID", (["Japan"], ["North Korea"])),
        # who calls something a word says it
        ('Cohen called the remarks "inaccurate."', "inaccurate", "REJECT", (["Cohen"], [])),
        # what one withdraws is one's own; what one withdraws from (however deep its name) is the target
        ("The prime minister withdrew Canada from the trade pact with Peru.", "withdrew", "REJECT", ([], ["Peru"])),
        ("Brazil withdrew from its fishing treaty with Argentina.", "withdrew", "REJECT", (["Brazil"], ["Argentina"])),
        ("Brazil was withdrawing from the Lima trade pact, a deal that its farmers had long criticized for its many"
         " tariffs on their goods.", "withdrawing", "REJECT", (["Brazil"], ["Lima"])),
        # the "by" of a clause with its own subject on the noun is that clause's doer, not the noun's
        # ... and the subject of a criticism noun's "that" clause is whom it is aimed at (not a relative clause's)
        ("Suggestions that Senator Ruiz was bribed by Acme Corp spread on Monday.", "Suggestions", "DISAPPROVE",
         ([], ["Ruiz"])),
        ("Senator Lopez repeated her accusation that Mayor Ruiz took bribes.", "accusation", "DISAPPROVE",
         (["Lopez"], ["Ruiz"])),
        ("The charges that Canada could bring worried Peru.", "charges", "DISAPPROVE", ([], [])),
        # a passive without a subject of its own is done by its "by" agent, never by the subject it would borrow:
        # that one undergoes it (in an adjunct)
        ("Maria Lopez fled Chile after being tortured by soldiers.", "tortured", "ASSAULT", ([], ["Maria Lopez"])),
        # forces deployed are aimed only at whom they are "against", not at where they go or what is sent
        ("Peru deployed two thousand troops to the Bolivian border.", "deployed", "MOBILIZE", (["Peru"], [])),
        ("Peru sent the frigate Almirante Grau to the drills.", "sent", "MOBILIZE", (["Peru"], [])),
        ("Peru massed its troops against Chile.", "massed", "MOBILIZE", (["Peru"], ["Chile"])),
        # a penalty hits what the verb of aiming it is the subject, the participle or the "with" instrument of, and
        # whoever hits someone with it imposes it (not what a penalty merely raises)
        ("Canada hit Peru with new tariffs on copper.", "tariffs", "SANCTION", (["Canada"], ["Peru"])),
        ("The tariffs would pressure Peru to open its markets.", "tariffs", "SANCTION", ([], ["Peru"])),
        ("Canada approved sanctions punishing Peru for the raid.", "sanctions", "SANCTION", (["Canada"], ["Peru"])),
        ("The tariffs would raise the cost of Peru's exports.", "tariffs", "SANCTION", ([], [])),
        ("Two reporters were detained at the airport and questioned by the FBI.", "questioned", "CONSULT",
         (["FBI"], [])),
    ],
)
def test_named_participants_the_clause_names_around_the_trigger(nlp, text, trigger, code, expected):
    assert actors(nlp, text, trigger, code=code) == expected


def test_a_speech_verb_between_two_quotations_speaks_the_second(nlp):
    # the speech verb stands outside both quotations (between them): its doer speaks the word in the second
    text = '"The vote was a farce," Senator Maria Lopez wrote, adding that the Harbor Authority "was neither tolerant nor fair."'
    assert spoken(nlp, text, "tolerant", "DISAPPROVE") == (["Maria Lopez"], ["the Harbor Authority"])
