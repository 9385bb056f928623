"""The false-match classes found on scenarios the grader was not built with, and the
trainers' checks (expected grade bands, `simulator explain`).

The sentences here are written for these tests; none is from ../shared/eval or
from tests/data/grading.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator.cli import main
from simulator.grading import lexicon as lx
from simulator.grading.base import Grade, GradeContext
from simulator.grading.benchmark import (
    CORPUS_DIR,
    POLITENESS_FILE,
    Item,
    general_politeness,
    leave_one_situation_out,
    load_corpus,
)
from simulator.grading.rubric import Analysis, RubricGrader, _held
from simulator.loader import load_scenario, parse_scenario_text
from simulator.scenario import Scenario, in_band

PARCEL = CORPUS_DIR / "scenarios" / "moving-van-late.yaml"


@pytest.fixture(scope="module")
def grader() -> RubricGrader:
    return RubricGrader()


@pytest.fixture(scope="module")
def rules() -> RubricGrader:
    return RubricGrader(use_embeddings=False)


@pytest.fixture(params=["rules+embeddings", "rules"])
def any_grader(request: pytest.FixtureRequest, grader: RubricGrader, rules: RubricGrader) -> RubricGrader:
    return grader if request.param == "rules+embeddings" else rules


@pytest.fixture(scope="module")
def claims() -> Scenario:
    return load_scenario(CORPUS_DIR / "scenarios" / "insurance-windscreen.yaml")


def grade(g: RubricGrader, scenario: Scenario, reply: str, customer: str | None = None) -> Grade:
    return g.grade(reply, GradeContext(scenario=scenario, customer_line=customer or scenario.opening))


def reasons(g: Grade, dimension: str) -> set[str]:
    return {e.reason for e in g.evidence if e.dimension == dimension}


# -- the false-match classes -------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "I'm so sorry this hasn't been sorted yet. Could you give me your claim number?",
        "Sorry we haven't called you back; may I have the reference on your letter?",
    ],
)
def test_an_apology_then_a_request_for_details_is_not_a_refusal(
    any_grader: RubricGrader, claims: Scenario, reply: str
) -> None:
    g = grade(any_grader, claims, reply)
    assert "refusal" not in reasons(g, "flexibility")
    assert "refuses" not in g.acts
    assert g.flexibility >= 40
    assert g.courtesy >= 60


def test_a_rigid_response_stops_a_solution_match(grader: RubricGrader) -> None:
    """Adding a sentence to a need's rigid_responses must change how it is graded."""
    data = yaml.safe_load(PARCEL.read_text(encoding="utf-8"))
    reply = "Would you kindly fill in our delay form, and we will look at compensation."
    data["needs"][0]["solutions"].append({"text": "Send him the delay compensation form to fill in."})
    loose = parse_scenario_text(yaml.safe_dump(data), "loose.yaml")
    data["needs"][0]["rigid_responses"].append(reply)
    strict = parse_scenario_text(yaml.safe_dump(data), "strict.yaml")
    with_rigid = grade(grader, strict, reply)
    assert not with_rigid.needs_met
    assert with_rigid.rigid == ("move",)
    assert with_rigid.flexibility <= grade(grader, loose, reply).flexibility
    assert with_rigid.flexibility < 50


@pytest.mark.parametrize("reply", ["Of course.", "Of course!", "Sure."])
def test_of_course_after_a_question_that_proposes_nothing_accepts_nothing(
    any_grader: RubricGrader, claims: Scenario, reply: str
) -> None:
    g = grade(any_grader, claims, reply, customer="Why has nobody phoned me in twelve days?")
    assert "offers" not in g.acts
    assert not g.needs_met
    # It answers nothing: below the neutral middle (50), never an accepted proposal.
    assert g.flexibility < 50


def test_the_layer_is_held_where_the_rules_find_nothing_to_price(
    grader: RubricGrader, claims: Scenario
) -> None:
    """The layer weighs findings; a bare word gets no help it did not offer, and the
    hold is said in the evidence line, so the points still add up."""
    context = GradeContext(scenario=claims, customer_line="Why has nobody phoned me in twelve days?")
    g = grader.grade("Sure.", context)
    lines = [e for e in g.evidence if e.dimension == "flexibility"]
    assert sum(e.effect for e in lines) == g.flexibility
    assert g.flexibility <= 49
    # Whatever the shipped weights say, a layer that lifted it would be held, and say so.
    analysis = grader.analyse("Sure.", context)
    assert analysis.findings is not None
    held = _held("flexibility", 70, analysis.grade.flexibility, analysis.findings)
    assert held is not None and held[0] <= 49 and "offers nothing" in held[1]


def test_of_course_after_a_proposal_accepts_it(any_grader: RubricGrader, claims: Scenario) -> None:
    g = grade(
        any_grader, claims, "Of course, right away.", customer="Could you send the glass people to my house?"
    )
    assert "offers" in g.acts
    assert g.flexibility >= 60


@pytest.mark.parametrize(
    "reply",
    [
        "You must be worn out after all this, I'm sorry. I'm booking the repair for tomorrow morning.",
        "You must be so fed up. Let me approve it for you now.",
    ],
)
def test_you_must_be_tired_is_empathy_not_a_burden(
    any_grader: RubricGrader, claims: Scenario, reply: str
) -> None:
    g = grade(any_grader, claims, reply)
    assert "puts the burden on the customer" not in reasons(g, "courtesy")
    assert g.courtesy >= 65


def test_please_do_with_authorisation_above_the_limit_scores_well(
    any_grader: RubricGrader, claims: Scenario
) -> None:
    g = grade(
        any_grader,
        claims,
        "Please do leave it with me: it's just over what I can sign, so I'll ask my manager to authorise it today.",
        customer="Can you approve it even if it's a bit over your limit?",
    )
    assert g.courtesy >= 55
    assert g.flexibility >= 60


@pytest.mark.parametrize("reply", ["No.", "No. Not possible.", "Nope."])
def test_a_flat_no_to_a_request_is_low_flexibility(
    any_grader: RubricGrader, claims: Scenario, reply: str
) -> None:
    g = grade(any_grader, claims, reply, customer="Could you send someone out this week?")
    assert g.flexibility <= 30


@pytest.mark.parametrize("reply", ["Next.", "Form.", "Whatever you say.", "Not my department, mate."])
def test_curt_or_dismissive_is_30_or_less(any_grader: RubricGrader, claims: Scenario, reply: str) -> None:
    assert grade(any_grader, claims, reply).courtesy <= 30


def test_a_plain_neutral_reply_sits_near_the_middle(any_grader: RubricGrader, claims: Scenario) -> None:
    g = grade(any_grader, claims, "The claim is with the assessor at the moment.")
    assert 35 <= g.courtesy <= 65


def test_warm_and_concrete_is_near_the_top(grader: RubricGrader, claims: Scenario) -> None:
    g = grade(
        grader,
        claims,
        "I'm so sorry, twelve days is far too long, and I completely understand how frustrating that is. "
        "I'm approving your claim myself right now and booking the glass repair at your home for tomorrow morning.",
    )
    # The target is 85. Measured 84 / 78 with one writer's corpus, 87 / 73 with
    # six writers': their labels give one concrete fix with ownership a 4 as often as
    # a 5, and the learned layer follows them. Clearly a good grade on both, at least.
    assert g.courtesy >= 80
    assert g.flexibility >= 70


def test_a_new_verb_still_makes_a_commitment(any_grader: RubricGrader, claims: Scenario) -> None:
    """Verbs no list names ("laminate", "stamp") commit just as "bring" does."""
    g = grade(any_grader, claims, "I'll stamp the approval on your claim this minute.")
    assert "offers" in g.acts


@pytest.mark.parametrize(
    "reply",
    [
        "I'm sorry. I'll pass your details to the claims team and they'll get back to you.",
        "I'll make a note on your file.",
        "We will review it within ten working days.",
    ],
)
def test_promises_that_only_file_the_problem_are_deferrals(
    any_grader: RubricGrader, claims: Scenario, reply: str
) -> None:
    g = grade(any_grader, claims, reply)
    assert "offers" not in g.acts
    assert g.flexibility < 45


# -- the points add up ----------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "Stop wasting my time. Read the letter!!",
        "Good evening, thank you, I'm so sorry, please, of course, I understand, sir.",
        "I can't approve that. Try another insurer.",
        "I'm approving it now and I'll also cover your bus fares.",
        "What's your claim number?",
    ],
)
def test_evidence_points_add_up_to_each_score(any_grader: RubricGrader, claims: Scenario, reply: str) -> None:
    g = grade(any_grader, claims, reply)
    for dimension in ("courtesy", "flexibility"):
        assert sum(e.effect for e in g.evidence if e.dimension == dimension) == getattr(g, dimension)
    assert any(e.reason.startswith("starting point") for e in g.evidence)


def test_a_score_cap_is_shown_as_evidence(any_grader: RubricGrader, claims: Scenario) -> None:
    g = grade(any_grader, claims, "Thank you, sir, but you idiot, you should have read the policy.")
    assert any("caps courtesy" in e.reason for e in g.evidence)


# -- leave one situation out ------------------------------------------------------------


def test_leave_one_situation_out_never_trains_on_the_situation_it_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simulator.grading import benchmark

    seen: list[set[str | None]] = []
    real_train = benchmark.train

    def spy(items: list[Item], analyses: list[Analysis]):  # type: ignore[no-untyped-def]
        seen.append({i.scenario for i in items})
        return real_train(items, analyses)

    monkeypatch.setattr(benchmark, "train", spy)
    items, scenarios = load_corpus()
    some = [
        i
        for i in items
        if i.scenario in {"gym-cancel-injury", "bank-card-blocked", "train-missed-connection"}
    ]
    rules = RubricGrader(use_embeddings=False, use_learned=False)
    analyses = benchmark.analyse(some, rules, scenarios)
    result = leave_one_situation_out(some, analyses, learn=True)
    assert set(result.per_situation) == {"gym-cancel-injury", "bank-card-blocked", "train-missed-connection"}
    for situation, trained_on in zip(sorted(result.per_situation), seen, strict=True):
        assert situation not in trained_on
        assert len(trained_on) == 2


def test_leave_one_writer_out_never_trains_on_that_writers_situations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simulator.grading import benchmark

    seen: list[set[str | None]] = []
    real_train = benchmark.train

    def spy(items: list[Item], analyses: list[Analysis]):  # type: ignore[no-untyped-def]
        seen.append({i.scenario for i in items})
        return real_train(items, analyses)

    monkeypatch.setattr(benchmark, "train", spy)
    items, scenarios = load_corpus()
    writers = {
        "a": ["gym-cancel-injury", "bank-card-blocked"],
        "b": ["train-missed-connection"],
        "c": ["vet-closing-time"],
    }
    some = [i for i in items if any(i.scenario in v for v in writers.values())]
    rules = RubricGrader(use_embeddings=False, use_learned=False)
    result = benchmark.leave_one_writer_out(some, benchmark.analyse(some, rules, scenarios), writers)
    assert set(result) == {"courtesy", "flexibility"}
    assert [sorted(t) for t in seen] == [
        ["train-missed-connection", "vet-closing-time"],
        ["bank-card-blocked", "gym-cancel-injury", "vet-closing-time"],
        ["bank-card-blocked", "gym-cancel-injury", "train-missed-connection"],
    ]


def test_every_corpus_situation_belongs_to_one_writer() -> None:
    import json

    writers = json.loads((CORPUS_DIR / "writers" / "situations.json").read_text(encoding="utf-8"))
    listed = [s for situations in writers.values() for s in situations]
    _, scenarios = load_corpus()
    assert sorted(listed) == sorted(scenarios)


def test_the_corpus_has_twelve_situations_and_three_hundred_replies() -> None:
    items, scenarios = load_corpus()
    assert len(items) >= 300
    assert len(scenarios) >= 12
    assert {i.scenario for i in items} <= set(scenarios)


# -- expected grade bands and explain -------------------------------------------------------


def test_bands() -> None:
    assert in_band(">=70", 70) and not in_band(">=70", 69)
    assert in_band("<=40", 40) and not in_band("<=40", 41)
    assert in_band(">55", 56) and not in_band(">55", 55)
    assert in_band("<30", 29) and not in_band("<30", 30)
    assert in_band("40-60", 50) and not in_band("40-60", 61)


def _scenario_with_expectation(tmp_path: Path, band: str) -> Path:
    data = yaml.safe_load((CORPUS_DIR / "scenarios" / "gym-cancel-injury.yaml").read_text(encoding="utf-8"))
    data["samples"] = [
        {
            "name": "rude",
            "outcome": "unresolved",
            "replies": [{"text": "Not my problem. Read your contract.", "expect": {"courtesy": band}}],
        }
    ]
    path = tmp_path / "gym.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_validate_rehearse_reports_a_reply_outside_its_band(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _scenario_with_expectation(tmp_path, ">=70")
    assert main(["validate", str(path), "--rehearse"]) == 1
    out = capsys.readouterr().out
    assert "reply 1 got courtesy" in out and "expected >=70" in out
    assert "1 sample reply outside the expected grades" in out


def test_validate_rehearse_passes_a_reply_inside_its_band(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _scenario_with_expectation(tmp_path, "<=40")
    main(["validate", str(path), "--rehearse"])
    assert "0 sample replies outside the expected grades" in capsys.readouterr().out


def test_a_malformed_band_is_a_loader_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _scenario_with_expectation(tmp_path, "about 70")
    assert main(["validate", str(path)]) == 1
    assert "expect" in capsys.readouterr().out


def test_explain_shows_every_point_and_the_scenario_phrases(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--scenarios",
                str(CORPUS_DIR / "scenarios"),
                "explain",
                "--scenario",
                "moving-van-late",
                "I'm sorry. I'll book a partner van for you right now.",
                "--customer",
                "Can't you just send another van?",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Courtesy" in out and "Flexibility" in out
    assert "starting point" in out and "apology" in out
    assert out.count("(the points above add up to the score)") == 2
    assert "Closest scenario phrases" in out and "solution" in out


def test_explain_shows_control_characters_not_raw(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "--scenarios",
            str(CORPUS_DIR / "scenarios"),
            "explain",
            "--scenario",
            "gym-cancel-injury",
            "Hi\x1b[2J there",
        ]
    )
    out = capsys.readouterr().out
    assert "\x1b" not in out


def test_every_corpus_scenario_and_the_external_check_load() -> None:
    # They are what the grader reads in the measurements; a loader rule added later
    # (fact numbers in digits, say) must not leave one of them unreadable.
    paths = sorted((CORPUS_DIR / "scenarios").glob("*.yaml")) + sorted(
        (CORPUS_DIR / "external").glob("*.yaml")
    )
    assert len(paths) >= 14
    for path in paths:
        load_scenario(path)


_RULES = RubricGrader(use_embeddings=False, use_learned=False)


@pytest.mark.parametrize(
    ("reply", "customer", "act", "present"),
    [
        # Found through the other writers' replies: each a reading the rules got wrong.
        ("I know, and I'm so sorry. I'd be upset too.", None, "offers", False),
        ("Got it. Your heaters are booked, delivery by four.", None, "offers", True),
        ("The refund has been processed.", None, "offers", True),
        ("I'm afraid your flight is cancelled.", None, "offers", False),
        ("We are fully booked tonight.", None, "offers", False),
        ("Six days is ridiculous, I agree, and I'm sorry.", None, "rude", False),
        ("You're being ridiculous.", None, "rude", True),
        ("Not hard at all, and you shouldn't have had to ask.", None, "blames", False),
        ("My supervisor has signed off whatever the fare is.", None, "rude", False),
        ("Bloody hell, alright, I'll send someone.", None, "rude", True),
        ("Madam, I just work the desk.", None, "rude", True),
        ("Yes, of course.", "Couldn't we just sit in those empty seats?", "offers", True),
        ("Yes, of course.", "Could the vet not wait for us, just this once?", "offers", True),
        (
            "Yes, one can go out this afternoon.",
            "I wondered whether you might have a heater to lend?",
            "offers",
            True,
        ),
    ],
)
def test_readings_other_writers_showed(reply: str, customer: str | None, act: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext(customer_line=customer))
    assert (act in g.acts) is present, (reply, sorted(g.acts))


@pytest.mark.parametrize(
    ("reply", "dimension", "reason", "present"),
    [
        # Readings the six writers' left-one-out errors showed (this round's second pass).
        (
            "Oh no, poor thing. Bring him straight in and the vet will see him first.",
            "flexibility",
            "refusal",
            False,
        ),
        (
            "That's a brilliant idea. I'll hold the part for you at the front desk.",
            "courtesy",
            "sarcasm",
            False,
        ),
        ("Brilliant idea. Why didn't anyone think of that before.", "courtesy", "sarcasm", True),
        ("Oh no, so sorry!! I'll sort a replacement right now.", "courtesy", "shouting (!!)", False),
        ("Hand it over!! Now!!", "courtesy", "shouting (!!)", True),
        ("Please accept our apologies for the delay.", "courtesy", "polite word used to command", False),
        ("Please accept that the rules apply to everyone.", "courtesy", "polite word used to command", True),
        ("Don't panic, we can print a copy from the till.", "courtesy", "command without a softener", False),
        ("Of course you're upset, and it isn't your fault.", "courtesy", "blame", False),
        ("You could have just told me that at the start.", "courtesy", "blame", True),
        (
            "I'll raise your limit now so the payment goes through.",
            "flexibility",
            "defers with no action now",
            False,
        ),
        ("I'll raise it with the day team.", "flexibility", "defers with no action now", True),
        # And the two newest writers' replies: the clipped report of a thing done,
        # sparing the customer, impatience and mock reasons without a rude word.
        (
            "The penalty can be put on hold while you appeal; you won't be chased for it.",
            "flexibility",
            "refusal",
            False,
        ),
        ("I haven't got all day. The van's on its way.", "courtesy", "dismissal", True),
        ("I don't write the timetable, do I?", "courtesy", "sarcasm", True),
        ("Oh great, because I control the traffic now.", "courtesy", "sarcasm", True),
    ],
)
def test_readings_the_next_writers_showed(reply: str, dimension: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, dimension)) is present, (reply, sorted(reasons(g, dimension)))


@pytest.mark.parametrize(
    ("reply", "offers"),
    [
        ("Rebooked you on the 18:40, seat 12A.", True),
        ("Fee refunded, replacement couriered today.", True),
        ("ive cancelled ur fine, all done", True),
        ("Your new card can be issued at the desk this afternoon.", True),
        ("If I could, I would. It takes ten working days.", False),
        ("You could have renewed it online.", False),
        ("Refunds are processed within 5-7 working days.", False),
        ("Sure, because I can conjure a van out of thin air.", False),
        ("Oh, I can hear how worried you are.", False),
        ("Phones don't work for free abroad.", False),
        ("What I can do is put you on the phone with her for a minute now.", True),
        ("Please take a seat while I book the station hotel for you.", True),
        ("Here's what I'll do: a courtesy car at your door by nine.", True),
    ],
)
def test_what_counts_as_an_offer(reply: str, offers: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert ("offers" in g.acts) is offers, (reply, sorted(g.acts))


def test_impatience_is_discourteous_but_does_not_dismiss_the_offer() -> None:
    g = _RULES.grade("The van's coming within the hour. Stop messaging.", GradeContext())
    assert "rude" in g.acts and g.courtesy <= 35
    assert "offers" in g.acts and "dismisses the problem" not in reasons(g, "flexibility")


def test_a_solution_named_in_a_note_meets_the_need(grader: RubricGrader, claims: Scenario) -> None:
    """ "Mobile glass repair at your home tomorrow morning.": an offer with no verb."""
    g = grade(grader, claims, "Mobile glass repair at your home tomorrow morning.")
    assert g.needs_met and g.flexibility >= 60
    # A note asking for details, or naming the rules, offers nothing.
    assert not grade(grader, claims, "Claim number and postcode.").needs_met
    assert grade(grader, claims, "Policy terms, section four.").flexibility <= 30


def test_the_held_out_writers_are_never_trained_on() -> None:
    from simulator.grading.benchmark import HELDOUT_DIR

    held_items, held = load_corpus(HELDOUT_DIR)
    items, corpus = load_corpus()
    assert len(held_items) >= 300 and len(held) >= 12
    assert not set(held) & set(corpus)  # write_weights and --loso train on the corpus only
    assert {i.scenario for i in items} <= set(corpus)


@pytest.mark.parametrize(
    ("reply", "dimension", "reason", "present"),
    [
        # The sixth batch of writers: names of things in capitals, kind imperatives,
        # mock offers after "of course", a rule restated as its own reason, blame
        # in the writers' own spelling, and impatience without a rude word.
        ("I've reset your PIN and the new SIM goes out today.", "courtesy", "shouting (capitals)", False),
        ("NO. READ THE SIGN.", "courtesy", "shouting (capitals)", True),
        ("Take your time, I'm right here.", "courtesy", "command without a softener", False),
        ("Tell her nobody is cancelling anything tonight.", "courtesy", "command without a softener", False),
        ("Of course, and shall we buy you a new boat too?", "courtesy", "sarcasm", True),
        ("Oh sure, and who covers that, my boss?", "courtesy", "sarcasm", True),
        ("A refund is a refund. We don't do partial ones.", "courtesy", "dismissal", True),
        ("you should of booked it sooner", "courtesy", "blame", True),
        ("You were told about the deadline in March.", "courtesy", "blame", True),
        ("If you were told the wrong time, that's on us.", "courtesy", "blame", False),
        ("If you'd locked it, none of this would have happened.", "courtesy", "blame", True),
        ("I heard you, alright.", "courtesy", "dismissal", True),
        ("Stop hovering, it'll be ready when it's ready.", "courtesy", "dismissal", True),
    ],
)
def test_readings_the_sixth_batch_showed(reply: str, dimension: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, dimension)) is present, (reply, sorted(reasons(g, dimension)))


def test_an_instruction_the_agent_then_takes_up_is_not_a_bare_command() -> None:
    shared = _RULES.grade("Email me the receipt and I'll refund it today.", GradeContext())
    bare = _RULES.grade("Email me the receipt.", GradeContext())
    assert "commands" not in shared.acts and "commands" in bare.acts
    assert shared.courtesy > bare.courtesy


@pytest.mark.parametrize(
    ("reply", "offers"),
    [
        ("We can try re-sending the tickets from the office now.", True),
        ("I've unblocked your card and cleared the hold.", True),
        ("I've noticed the error on your statement.", False),
        ("You won't be charged for the missed lesson.", True),
        ("I've already explained what we can do.", False),
        ("We need your passport before we can issue anything.", False),
        ("There's a spare locker by the door; you're most welcome to it.", True),
    ],
)
def test_what_counts_as_an_offer_sixth_batch(reply: str, offers: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert ("offers" in g.acts) is offers, (reply, sorted(g.acts))


def test_promising_to_look_and_report_back_is_a_look_not_a_deferral() -> None:
    look = _RULES.grade("Let me check the stockroom and get back to you.", GradeContext())
    deferral = _RULES.grade("We'll get back to you.", GradeContext())
    assert "defers with no action now" not in reasons(look, "flexibility")
    assert look.flexibility > deferral.flexibility


@pytest.mark.parametrize(
    ("reply", "offers"),
    [
        # The fifth batch of writers, read once a new held-out batch replaced it.
        ("Crate collected, rent for March waived, new unit booked.", True),
        ("Done: this week's delivery charge refunded, a new slot booked.", True),
        ("I have reissued the ticket, added a note to your account, and emailed you the receipt.", True),
        ("omg so sorry!! ill chuck in a free dessert for the table", True),
        ("A crew will patch the fence by noon.", True),
        ("I'd be livid too, honestly.", False),
        ("I'd be distraught too.", False),
        ("The shelves have been checked already.", False),
        ("Come back when it's fixed.", False),
        ("No. Everybody's booked tonight.", False),
    ],
)
def test_what_counts_as_an_offer_fifth_batch(reply: str, offers: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert ("offers" in g.acts) is offers, (reply, sorted(g.acts))


def test_several_clipped_deeds_count_as_more_than_one_solution() -> None:
    one = _RULES.grade("Booking fee refunded.", GradeContext())
    three = _RULES.grade("Booking fee refunded, seat upgraded, lounge pass added.", GradeContext())
    assert "more than one solution, or a choice" in reasons(three, "flexibility")
    assert three.flexibility > one.flexibility


@pytest.mark.parametrize(
    ("reply", "refuses"),
    [
        # A negation in a condition, a purpose or an instruction given denies nothing.
        ("I've told the porters not to empty the bins until we've searched them.", False),
        ("I won't have you walking home in this, the hotel car will take you.", False),
        ("We can't refit the kitchen before Christmas.", True),
    ],
)
def test_negations_that_do_not_refuse(
    grader: RubricGrader, claims: Scenario, reply: str, refuses: bool
) -> None:
    g = grade(grader, claims, reply)
    assert ("refuses" in g.acts) is refuses, (reply, sorted(g.acts), g.evidence)


def test_a_kind_handover_is_care_in_passing_on_not_a_solution() -> None:
    handover = _RULES.grade(
        "I'm transferring you to a supervisor, and I'll hold on with you so you needn't explain again.",
        GradeContext(),
    )
    fix = _RULES.grade("I'll send a replacement out today.", GradeContext())
    assert handover.flexibility < fix.flexibility
    assert handover.flexibility <= 60


@pytest.mark.parametrize(
    ("reply", "dimension", "reason", "present"),
    [
        # The eighth batch of writers: closing jabs, blame after the fact, and
        # credit where "you should have" praises.
        ("The refund's gone through. Satisfied?", "courtesy", "dismissal", True),
        ("Okay, okay, no need for the lecture. It's booked.", "courtesy", "dismissal", True),
        ("I've moved you to row 4. Can I go now?", "courtesy", "dismissal", True),
        ("Should've renewed it before it lapsed.", "courtesy", "blame", True),
        ("You should really have rung ahead.", "courtesy", "blame", True),
        ("That's just what you should have done, and I'm sorry.", "courtesy", "blame", False),
        (
            "You've had such a hard morning; this is the least you deserve.",
            "courtesy",
            "acknowledges feelings",
            True,
        ),
    ],
)
def test_readings_the_eighth_batch_showed(reply: str, dimension: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, dimension)) is present, (reply, sorted(reasons(g, dimension)))


@pytest.mark.parametrize(
    ("reply", "offers"),
    [
        ("Of course, I'll just cancel the whole invoice because you asked, shall I?", False),
        ("Absolutely, and shall we repaint your house too?", False),
        ("I'll post you a claim form.", False),
        ("I've re-run the quote and knocked 20% off.", True),
    ],
)
def test_what_counts_as_an_offer_eighth_batch(reply: str, offers: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert ("offers" in g.acts) is offers, (reply, sorted(g.acts))


def test_take_it_or_leave_it_is_rude_but_keeps_the_offer() -> None:
    g = _RULES.grade("I've knocked the fee off. Take it or leave it.", GradeContext())
    assert "rude" in g.acts and "offers" in g.acts
    assert "dismisses the problem" not in reasons(g, "flexibility")


@pytest.mark.parametrize(
    ("reply", "dimension", "reason", "present"),
    [
        # The ninth batch: writers asked for live chat, formal letters, second-language
        # English and call-centre scripts.
        ("not really my problem, sorry", "courtesy", "dismissal", True),
        ("what did u expect on a bank holiday", "courtesy", "dismissal", True),
        ("lol want me to post you the whole shop too?", "courtesy", "sarcasm", True),
        ("Would you like a blanket as well?", "courtesy", "sarcasm", False),
        (
            "That's not fair at all when you were told a different price on the phone.",
            "courtesy",
            "blame",
            False,
        ),
        ("Which seat were you in, and when did you leave the train?", "courtesy", "blame", False),
        ("Did you leave the boot open overnight?", "courtesy", "blame", True),
    ],
)
def test_readings_the_ninth_batch_showed(reply: str, dimension: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, dimension)) is present, (reply, sorted(reasons(g, dimension)))


@pytest.mark.parametrize(
    ("reply", "dimension", "reason", "present"),
    [
        # Text-speak warmth is eagerness, not shouting; capitals with "!!" still shout.
        ("sry abt that!! checking with the owner now", "courtesy", "shouting (!!)", False),
        ("NO!! Read the sign!!", "courtesy", "shouting (!!)", True),
        # Feelings acknowledged with a degree word, or in the trainee's own shoes.
        ("That's really frustrating, right before a party.", "courtesy", "acknowledges feelings", True),
        ("I'd be stressed out of my mind too.", "courtesy", "acknowledges feelings", True),
        # A pause before a deed, and reassurance sent through the customer, do not command.
        ("Hold on, let me just ask the driver.", "courtesy", "command without a softener", False),
        (
            "Tell him he's going to be fine, the vet is on her way.",
            "courtesy",
            "command without a softener",
            False,
        ),
        # What the customer should have had is the company's failing.
        ("Sorry! Let me check which size you should have had.", "courtesy", "blame", False),
        ("You should have read the terms.", "courtesy", "blame", True),
        # The company taking it up with someone is not sending the customer to.
        ("Our team will take it up with the other driver's insurer.", "courtesy", "blame", False),
        ("Take it up with the insurer.", "courtesy", "blame", True),
        ("I'm refunding the fee; you shouldn't have had this worry.", "courtesy", "blame", False),
        # "Shut up shop" closes a shop; "whatever I arrange" is not a shrug.
        ("The garage has shut up shop for the weekend.", "courtesy", "insult", False),
        ("Shut up.", "courtesy", "insult", True),
        ("Which day suits you, so whatever I arrange works?", "courtesy", "dismissal", False),
        ("Fine, whatever.", "courtesy", "dismissal", True),
        # Taking the problem on, and inviting the customer in, do not command.
        ("Right, leave this with me.", "courtesy", "command without a softener", False),
        ("Come round to the side door, it's warm in here.", "courtesy", "command without a softener", False),
        ("Bring it in whenever suits you.", "courtesy", "command without a softener", False),
        ("You'll have to take it up with the shop.", "courtesy", "blame", True),
        ("Tell him to stop calling.", "courtesy", "command without a softener", True),
        # Reassurance that starts with "you" credits the customer.
        ("You did exactly the right thing calling us.", "courtesy", 'starts with "you"', False),
        ("You did exactly the right thing calling us.", "courtesy", "deference: credits the customer", True),
        ("You're going to be fine, I promise.", "courtesy", 'starts with "you"', False),
        ("You need to calm down.", "courtesy", 'starts with "you"', True),
    ],
)
def test_readings_the_tenth_batch_showed(reply: str, dimension: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, dimension)) is present, (reply, sorted(reasons(g, dimension)))


@pytest.mark.parametrize(
    ("reply", "offers"),
    [
        ("I'm afraid we can't post it, but I can certainly courier it to you tonight.", True),
        ("There's a slot on Friday at 9:10 at the north clinic.", True),
        ("There's a rota for a reason.", False),
        ("I'd advise contacting the maker.", False),
        ("I'd be glad to email you a link to the complaints form online.", False),
        ("Once the parcel has been signed for, it is your responsibility.", False),
    ],
)
def test_what_counts_as_an_offer_ninth_batch(reply: str, offers: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert ("offers" in g.acts) is offers, (reply, sorted(g.acts))


@pytest.mark.parametrize(
    ("reply", "offers"),
    [
        # The informal yes with no subject, and a purpose clause in text speak.
        ("soz!! can send a new charger 2day so ur not without one", True),
        ("Can't do Monday. Can book you in on Tuesday at ten.", True),
        # "Raised" files a ticket, but raising the order is the deed.
        ("I've raised a replacement order on next-day courier for you.", True),
        ("I've raised a ticket with the depot.", False),
        # A deed joined by "and" to a message keeps the message's subject.
        ("I'll tell the driver you're coming and hold the bus for five minutes.", True),
        ("I'll tell the driver you're coming.", False),
        # A thing waiting or held for the customer is on offer.
        ("A hire car is waiting for you at the depot.", True),
        # An adverb after "can" leaves the verb to decide: a feeling, or a deed.
        ("I can completely understand how frightening that was.", False),
        ("I can easily move you to a quieter room.", True),
        # "I've got" a thing for the customer, or a queue of my own.
        ("I've got a queue of people waiting, so upload the photo.", False),
        ("I've got you a seat on the morning ferry.", True),
        # "What I can do:" introduces the offer that follows.
        ("What I can do: a loan phone and a courier tomorrow.", True),
        ("Tell me what I can do.", False),
        # A note left for someone files the problem.
        ("I'll leave the office a note about it.", False),
        # A deed in the present with "now", as a learner of English may say it.
        ("I phone the locksmith now.", True),
        ("I see now what went wrong.", False),
        # A refusal with an alternative offers the alternative.
        ("I can't cancel it today, but I can put it on hold until the appeal.", True),
        ("I can't change the date, but I can write to your manager today.", True),
        ("Write to head office.", False),
        ("I'll pass it on.", False),
    ],
)
def test_what_counts_as_an_offer_corpus_errors(reply: str, offers: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert ("offers" in g.acts) is offers, (reply, sorted(g.acts))


def test_an_exclamation_over_the_customers_plight_neither_offers_nor_refuses(
    grader: RubricGrader, claims: Scenario
) -> None:
    """ "Oh no, ... and no hire car" describes the plight; "No hire car, I'm afraid" refuses."""
    plight = grade(grader, claims, "Oh no, a cracked windscreen and no hire car. I'm so sorry.")
    assert "refuses" not in plight.acts and "offers" not in plight.acts
    assert "refuses" in grade(grader, claims, "No hire car, I'm afraid.").acts
    # Naming a solution in an exclamation offers it no more than naming the problem.
    assert "offers" not in grade(grader, claims, "Oh dear, the mobile glass repair. I'm sorry.").acts
    assert "offers" in grade(grader, claims, "Oh, and a hire car until the repair, on us.").acts


@pytest.mark.parametrize(
    "reply",
    [
        "Hire cars are all taken today.",
        "Mobile glass repairs are handled by our partner.",
        "Our glass partner is booked all week.",
        # A wish, a maybe and the customer's own task are not offers either.
        "I really wish I could approve the claim now.",
        "That would need the team leader's approval first.",
        "You'll need to send the claim form in writing.",
    ],
)
def test_a_state_with_nothing_on_offer_does_not_offer_a_solution_by_meaning(
    grader: RubricGrader, claims: Scenario, reply: str
) -> None:
    """Words close to a solution's, said as what is full, taken or someone else's job,
    describe the problem; the same words as a note of what is done still offer."""
    g = grade(grader, claims, reply)
    assert "offers" not in g.acts
    assert "offers a solution (by meaning)" not in reasons(g, "flexibility")
    assert g.flexibility < 50
    assert "offers" in grade(grader, claims, "Mobile glass repair at your home tomorrow morning.").acts


def test_a_closing_question_gathers_nothing(any_grader: RubricGrader, claims: Scenario) -> None:
    g = grade(any_grader, claims, "Noted. Is there anything else I can help you with today?")
    assert "asks" not in g.acts and g.flexibility < 50
    assert "asks" in grade(any_grader, claims, "Which garage is the car at?").acts


def test_a_list_of_notes_offers_what_it_lists(grader: RubricGrader, claims: Scenario) -> None:
    """A terse reply that lists solutions as notes offers them; a list of details asked for does not."""
    notes = grade(
        grader,
        claims,
        "Right. Mobile glass repair at home Thursday, a hire car meanwhile, the full amount covered.",
    )
    assert "offers" in notes.acts and notes.flexibility >= 60
    asks = grade(grader, claims, "Fine. Your policy number, the date of the damage, a photo of the crack.")
    assert "offers" not in asks.acts and asks.flexibility < 60


# -- general politeness, outside customer service ------------------------------------
# Requests between colleagues or in an online community, graded with no scenario: the
# paper's strategies and plain English insults and commands must read there too.


def plain(g: RubricGrader, text: str) -> Grade:
    return g.grade(text, GradeContext(scenario=None, customer_line=None))


@pytest.mark.parametrize(
    ("text", "dimension", "reason", "present"),
    [
        # A counterfactual needs a past participle; "if you had a minute" is a kind ask.
        (
            "I was hoping, if you had a spare minute, to go over the rota with you.",
            "courtesy",
            "blame",
            False,
        ),
        ("If you had labelled the boxes, we would know which is which.", "courtesy", "blame", True),
        # "Your problem" as a brush-off, not as the thing being solved.
        ("Did the new cable solve your problem with the printer?", "courtesy", "blame", False),
        ("The printer jams? Sounds like your problem, not mine.", "courtesy", "blame", True),
        # Praise of the other's work is deference.
        (
            "Lovely job on the timetable. Would you share the file with the night team?",
            "courtesy",
            "deference: credits the customer",
            True,
        ),
        # The first-person plural suggestion and the aside are indirect.
        ("Could we move the glossary to its own page?", "courtesy", "indirect request", True),
        ("By the way, is the map on the second page yours?", "courtesy", "indirect request", True),
        # A pointed "why" at the other person; "why don't you ..." is a suggestion.
        (
            "Why did you rename the category without asking?",
            "courtesy",
            'a pointed "why" at the other person',
            True,
        ),
        (
            "Why don't you sit down while I ring them?",
            "courtesy",
            'a pointed "why" at the other person',
            False,
        ),
        # A verdict on the other's own work, not on the situation or on ourselves.
        ("Your reading of the chart is simply wrong.", "courtesy", "a verdict on the other's own work", True),
        ("The chart was wrong, and that is on us.", "courtesy", "a verdict on the other's own work", False),
        # Insisting on the facts against the other person, not conceding them.
        ("In fact you deleted the whole paragraph twice.", "courtesy", "insists on the facts", True),
        ("The repair is in fact our job, so I'll book it today.", "courtesy", "insists on the facts", False),
        # Talking down: "at least", "as I already said", asking someone to stop doing a thing.
        (
            "Could you at least tell me which form you lost?",
            "courtesy",
            "talks down to the other person",
            True,
        ),
        (
            "As I already explained, the van comes on Tuesday.",
            "courtesy",
            "talks down to the other person",
            True,
        ),
        ("Will you stop tapping the counter?", "courtesy", "talks down to the other person", True),
        ("Could you stop by the desk on your way out?", "courtesy", "talks down to the other person", False),
        (
            "Could you stop using the old card until the new one arrives?",
            "courtesy",
            "talks down to the other person",
            False,
        ),
        ("Where exactly is the car parked now?", "courtesy", "talks down to the other person", False),
        # Calling one's own question silly is modesty.
        ("Forgive me if I'm being stupid, but which switch runs the heating?", "courtesy", "insult", False),
        # Praise of the other's work is deference, in any of its common words.
        (
            "Thank you for the really clear summary. Could you add the totals?",
            "courtesy",
            "deference: credits the customer",
            True,
        ),
        # Plain imperatives of editing and fixing are commands.
        ("Undo that merge.", "courtesy", "command without a softener", True),
        ("Delete the duplicate rows before lunch.", "courtesy", "command without a softener", True),
        # A noun that can be a verb opens a statement, not an order.
        ("Post arrives after ten on Saturdays.", "courtesy", "command without a softener", False),
        # Superlatives and name-calling are insults; swearing in any form is swearing.
        ("That is the stupidest spreadsheet I have opened this year.", "courtesy", "insult", True),
        ("Stop sulking, you overgrown clown.", "courtesy", "insult", True),
        ("Fix your own form or get lost.", "courtesy", "insult", True),
        ("Bags get lost on tight connections; I'll trace yours now.", "courtesy", "insult", False),
        ("Rest helps your brain heal after a fall like that.", "courtesy", "insult", False),
        ("Open the damned ticket queue and look.", "courtesy", "swearing", True),
    ],
)
def test_general_requests_read_as_the_paper_reads_them(
    rules: RubricGrader, text: str, dimension: str, reason: str, present: bool
) -> None:
    assert (reason in reasons(plain(rules, text), dimension)) is present


def test_general_requests_rank_from_rude_to_warm(any_grader: RubricGrader) -> None:
    ranked = [
        "Who let you near the database, you clown? Fix it.",
        "Undo your change to the style guide.",
        "The style guide changed on Monday. Can you check it?",
        "Good morning! Great work on the style guide. Would you mind checking the heading rules whenever you're free?",
    ]
    scores = [plain(any_grader, t).courtesy for t in ranked]
    assert scores == sorted(scores) and len(set(scores)) == len(scores), scores


def test_courtesy_separates_polite_from_impolite_requests_outside_service(rules: RubricGrader) -> None:
    figures = general_politeness(rules, POLITENESS_FILE)
    assert set(figures) == {"staged-1", "staged-2", "community-read", "community-unread"}
    for name, (n, rho, area) in figures.items():
        assert n == (160 if name.startswith("staged") else 120)
        # Staged requests show each strategy plainly; community ones are subtler.
        floor = (0.75, 0.9) if name.startswith("staged") else (0.45, 0.8)
        assert rho > floor[0] and area > floor[1], (name, rho, area)


@pytest.mark.parametrize(
    ("text", "insult"),
    [
        ("Sorry, maybe a daft question: is the lift working?", False),
        ("Excuse me, this is probably a stupid question, but is it cash only?", False),
        ("That is a stupid question.", True),
        ("What a stupid question, honestly.", True),
    ],
)
def test_modesty_about_ones_own_question_is_not_an_insult(
    rules: RubricGrader, text: str, insult: bool
) -> None:
    assert ("insult" in reasons(plain(rules, text), "courtesy")) is insult


def test_a_reminder_is_not_talking_down(rules: RubricGrader, claims: Scenario) -> None:
    """ "As I mentioned before" reminds; "as I already said" and "as I said twice" talk down."""
    reminder = grade(
        rules, claims, "As I mentioned before, the fitter comes at two, and I've booked him for you."
    )
    assert "talks down to the other person" not in reasons(reminder, "courtesy")
    assert reminder.courtesy > 30
    weary = grade(rules, claims, "As I said twice, the fitter comes at two.")
    assert "talks down to the other person" in reasons(weary, "courtesy")


@pytest.mark.parametrize(
    ("reply", "act", "present"),
    [
        # Someone named by their work, with a word before it, can do the thing.
        ("Leave it with us tonight and the night mechanic can have it done by eight.", "offers", True),
        ("One of our drivers can pick you up from the station.", "offers", True),
        # "Only they can" says who may; "they'll call you back" is a queue.
        ("I'm afraid only the billing team can lift the hold.", "offers", False),
        ("The billing team will call you back.", "offers", False),
        # Telling the people who do it to do it; not a message, not a manager.
        ("I'll tell the chef to make the sauce without nuts.", "offers", True),
        ("I'll tell my manager to ring you.", "offers", False),
        # The queue everyone joins is no way round it.
        ("Sorry, we're full today. I can put your name on the waiting list.", "offers", False),
        ("Sorry, we're full today. I can put your name on the waiting list.", "defers", True),
        ("I'll put you at the front of the queue for the next van and ring you.", "offers", True),
        # Ringing the place down the road for the customer is not sending them there.
        ("I'll ring the garage across the road and book you in for this afternoon.", "sends_away", False),
        ("Try the garage across the road.", "sends_away", True),
        ("Of course, I'll go and ask the stockroom right now.", "sends_away", False),
        # An offer's frame around a filing files it; around a hand-on for a purpose, acts.
        ("What I can do is raise a complaint, and head office will look into it.", "offers", False),
        ("What I can do is pass it to our engineer to test the unit today.", "offers", True),
        # A deed told in the simple past, or under way on "both".
        ("Right, I booked you a courtesy car and refunded the call-out fee.", "offers", True),
        ("Normally it's one night, but I'm extending both.", "offers", True),
        # A day named with a deed for that day defers nothing.
        ("I'll bring a spare heater up tomorrow morning.", "defers", False),
        ("Call back tomorrow.", "defers", True),
    ],
)
def test_readings_the_eleventh_batch_showed(reply: str, act: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (act in g.acts) is present, (reply, sorted(g.acts))


def test_a_request_mocked_is_a_request_turned_down() -> None:
    mocked = _RULES.grade(
        "Oh sure, we keep a magic wand behind the till. I'll go and wave it.", GradeContext()
    )
    plain_no = _RULES.grade("I'll go and look behind the till.", GradeContext())
    assert "dismisses the problem" in reasons(mocked, "flexibility")
    assert mocked.flexibility <= 25 < plain_no.flexibility
    # Praise for the idea, then acting on it, is meant.
    meant = _RULES.grade(
        "That's a brilliant idea. I'll keep the parcel behind the counter for you.", GradeContext()
    )
    assert "offers" in meant.acts and "dismisses the problem" not in reasons(meant, "flexibility")


def test_naming_the_let_down_is_not_refusing(any_grader: RubricGrader, claims: Scenario) -> None:
    g = grade(any_grader, claims, "That isn't how you wanted your week to go, I know.")
    assert "empathises" in g.acts and "refuses" not in g.acts, sorted(g.acts)


@pytest.mark.parametrize(
    ("reply", "reason", "present"),
    [
        # A question that is not asked, and a tag that presses.
        ("Do you want the refund or not?", "dismissal", True),
        ("The part isn't in, alright? Come back Friday.", "dismissal", True),
        ("Card cancelled. Okay?", "dismissal", True),
        ("I'll ring you the moment it lands, alright?", "dismissal", False),
        ("Is that okay?", "dismissal", False),
        ("What would you like me to do, rebuild the bridge?", "dismissal", True),
        ("What would you like me to do?", "dismissal", False),
        ("As you've been told, the office is shut.", "dismissal", True),
        ("There's no need to get so worked up.", "dismissal", True),
        # Mock idioms and mock titles; a regretful "I can't magic one up" is not mockery.
        ("Would you like me to magic a plumber up too?", "sarcasm", True),
        ("Sorry, the loan phones have all gone and I can't magic one up from nowhere.", "sarcasm", False),
        ("Ten minutes late. Stop the presses.", "sarcasm", True),
        ("Will that be all, your majesty?", "sarcasm", True),
        ("I'm sure the bride will like it anyway.", "sarcasm", True),
    ],
)
def test_tone_the_eleventh_batch_showed(reply: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, "courtesy")) is present, (reply, sorted(reasons(g, "courtesy")))


def test_a_pressing_tag_costs_courtesy_not_the_offer() -> None:
    g = _RULES.grade("Look, I've refunded the fee and booked the engineer for nine. Okay?", GradeContext())
    assert "offers" in g.acts and "dismissal" in reasons(g, "courtesy")
    assert "dismisses the problem" not in reasons(g, "flexibility")


@pytest.mark.parametrize(
    ("reply", "offers"),
    [
        # A word before the deed is no deed of its own.
        ("ok fine, moved you to the front row and added a free drink.", True),
        # Notes of what the customer gets.
        ("Right. Extra night's free, breakfast on me.", True),
        ("Seats together, plus a meal voucher for the wait.", True),
        ("Fifteen pounds credit on your account.", True),
        ("Refund for the missed lesson, and Sam takes you next week.", True),
        # Free as in available, or a voucher that is only talked about.
        ("Let me see who's free this afternoon.", False),
        ("The voucher has expired.", False),
        ("You can't use a voucher here.", False),
    ],
)
def test_what_counts_as_an_offer_eleventh_batch(reply: str, offers: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert ("offers" in g.acts) is offers, (reply, sorted(g.acts))


@pytest.mark.parametrize(
    ("reply", "act", "present"),
    [
        # A refusal with its subject dropped, or said in two words.
        ("Can't help, the depot's closed.", "refuses", True),
        ("Cannot do that on a Sunday.", "refuses", True),
        ("Can't wait to get you sorted!", "refuses", False),
        ("Afraid not. The last ferry has gone.", "refuses", True),
        ("Sadly not, the kiosk sold out an hour ago.", "refuses", True),
        # The customer sent to the queue, outside, or to another night.
        ("You'll need to join the queue at the side door.", "defers", True),
        ("Please wait outside until your number is called.", "defers", True),
        ("Maybe try us another night? Come back another evening.", "defers", True),
        ("Patients are seen in order of arrival.", "defers", True),
        # Talking to someone is looking; talking to them and then doing it acts.
        ("Let me talk to the shift leader.", "offers", False),
        ("I'll speak to the head gardener and have the hedge cut back this week.", "offers", True),
        ("Let me talk to the garage and get back to you.", "offers", False),
        ("Let me check with the depot and find a way.", "offers", False),
        ("Allow me a minute to reprint your pass.", "offers", True),
        # An offer with a check on the end is still an offer.
        ("I can swap you onto the early bus, is that okay?", "offers", True),
        ("Sorry, I can change you to the window seat, ok?", "offers", True),
    ],
)
def test_readings_the_twelfth_batch_showed(reply: str, act: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (act in g.acts) is present, (reply, sorted(g.acts))


@pytest.mark.parametrize(
    ("reply", "reason", "present"),
    [
        # The mistake owned is an apology.
        ("That's our mistake, and I'll put it right today.", "apology", True),
        ("Our error entirely: the new pass is printing now.", "apology", True),
        ("That one's on us.", "apology", True),
        ("It was a mistake to bring the dog.", "apology", False),
        # The rule restated as its own reason.
        ("No ticket, no entry.", "dismissal", True),
        ("No worries, no rush.", "dismissal", False),
        # The queue called on past the customer.
        ("We're closed for lunch. Next!", "dismissal", True),
        ("Next week works for us.", "dismissal", False),
    ],
)
def test_tone_the_twelfth_batch_showed(reply: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, "courtesy")) is present, (reply, sorted(reasons(g, "courtesy")))


def test_calling_the_next_customer_costs_courtesy_not_the_offer() -> None:
    g = _RULES.grade("New card's in the post, fee refunded. Next!", GradeContext())
    assert "offers" in g.acts and "dismissal" in reasons(g, "courtesy")
    assert "dismisses the problem" not in reasons(g, "flexibility")


def test_a_booking_name_is_not_the_customer_addressed(rules: RubricGrader, claims: Scenario) -> None:
    name = claims.customer.name.split()[-1]
    said = rules.grade(f"There's nothing under {name}, I'm afraid.", GradeContext(scenario=claims))
    addressed = rules.grade(f"I'm afraid there's nothing here, Mr {name}.", GradeContext(scenario=claims))
    assert "uses the customer's name" not in reasons(said, "courtesy")
    assert "uses the customer's name" in reasons(addressed, "courtesy")


@pytest.mark.parametrize(
    ("reply", "reason", "present"),
    [
        # Asked in to be helped is no order; an order is still one.
        ("Bring him straight in, I'll have the nurse ready.", "command without a softener", False),
        (
            "Hold on one second, I'm putting you through to the pharmacist.",
            "command without a softener",
            False,
        ),
        ("Come now, the mechanic will look at it before he locks up.", "command without a softener", False),
        ("Bring the paperwork in on Monday.", "command without a softener", True),
        # What the place is not, as the answer; a lesson for the customer.
        ("We're not a bank, madam.", "dismissal", True),
        ("We're not a big branch, but I'll order it in for you.", "dismissal", False),
        ("You really should back your photos up somewhere.", "blame", True),
        # Mock idioms and brush-offs without a rude word.
        ("Do I look like a plumber?", "sarcasm", True),
        ("If I had a euro for every lost ticket story, I'd retire.", "sarcasm", True),
        ("How is that my problem?", "dismissal", True),
        ("How should I know when the bus comes?", "dismissal", True),
        ("I'm not a mind reader. Which flight?", "dismissal", True),
        ("Done. Anything else or can I go?", "dismissal", True),
        ("Quick, please, there's a queue behind you.", "dismissal", True),
        ("Should've come in the morning.", "blame", True),
    ],
)
def test_tone_the_thirteenth_batch_showed(reply: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, "courtesy")) is present, (reply, sorted(reasons(g, "courtesy")))


@pytest.mark.parametrize(
    ("reply", "act", "present"),
    [
        # The customer told to ring someone else is sent away; ringing for them is not.
        ("Ring the council, it's their bin.", "sends_away", True),
        ("You'll have to contact the airline.", "sends_away", True),
        ("Call me back if it happens again.", "sends_away", False),
        ("I'll ring the council for you now.", "sends_away", False),
        # Keeping an eye on something is advice, not a thing granted.
        ("Keep an eye on him tonight.", "offers", False),
        ("Keep the spare charger, it's yours.", "offers", True),
    ],
)
def test_readings_the_thirteenth_batch_showed(reply: str, act: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (act in g.acts) is present, (reply, sorted(g.acts))


def test_a_brush_off_costs_courtesy_not_the_question() -> None:
    g = _RULES.grade("How should I know? What's the order number?", GradeContext())
    assert "dismissal" in reasons(g, "courtesy")
    assert "dismisses the problem" not in reasons(g, "flexibility")


@pytest.mark.parametrize(
    ("reply", "reason", "present"),
    [
        # Short and kind is not clipped; the feeling named without "so" or "really".
        ("Don't worry. I'm ringing the locksmith now.", "clipped fragment", False),
        ("It's horrible waiting for news like that.", "acknowledges feelings", True),
        ("It's Tuesday, I think.", "acknowledges feelings", False),
        # A thing judged is not a feeling named.
        ("This is terrible wiring, please replace it.", "acknowledges feelings", False),
        ("You're doing everything right. Is he breathing normally?", "deference: credits the customer", True),
        # Kind instructions in a crisis.
        ("Try not to panic, the crew is five minutes away.", "command without a softener", False),
        ("Don't hang up, I'm fetching the duty nurse.", "command without a softener", False),
    ],
)
def test_tone_the_fourteenth_batch_showed(reply: str, reason: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (reason in reasons(g, "courtesy")) is present, (reply, sorted(reasons(g, "courtesy")))


@pytest.mark.parametrize(
    ("reply", "act", "present"),
    [
        # Fetching someone senior hands the decision on: a look, not a solution.
        ("Let me grab the store manager for you.", "offers", False),
        ("I'm fetching my supervisor now, bear with me.", "offers", False),
        ("I'll call the area manager, she decides on refunds.", "offers", False),
        ("I'll get the duty manager to refund the deposit.", "offers", True),
        # A deed promised in other words than "I'll".
        ("Give me five minutes to print a new ticket.", "offers", True),
        ("It would be my pleasure to carry the bags up.", "offers", True),
        ("We are able to offer a replacement kettle.", "offers", True),
        ("I've gone ahead and renewed the permit.", "offers", True),
        ("What I'll do is post a new one today.", "offers", True),
        ("Glad to swap it for you.", "offers", True),
        ("No problem, will send it today.", "offers", True),
        # The speaker's own deed, or a thing, put as a question.
        ("What if I phoned the warehouse and reserved one for you?", "offers", True),
        ("How does a free delivery sound?", "offers", True),
        ("Would a loan phone help?", "offers", True),
        ("What if you tried the branch in town?", "offers", False),
        # What is there for the customer, said as a state.
        ("There's room in the afternoon class.", "offers", True),
        ("There's no room in the afternoon class.", "offers", False),
        ("The side room is all yours.", "offers", True),
        ("A pot of tea, compliments of the house.", "offers", True),
        ("The quiet carriage is free if you'd like it.", "offers", True),
        # The queue everyone joins is a deferral, however it is put.
        ("I'll add you to the waiting list.", "defers", True),
        ("I can only offer you the waiting list.", "defers", True),
        # Not caring is rude, and refuses nothing.
        ("Borrow the umbrella if you want, I don't care.", "refuses", False),
        # A bare "I can't" refuses; "things I can't" describes someone else's power.
        ("I'm afraid we can't.", "refuses", True),
        ("She can sign off things I can't.", "refuses", False),
        # Choices listed are offered.
        ("You have two options: a refund or the next size up.", "offers", True),
        # Two explanations are no choice offered.
        ("So either the courier lost it or you gave the wrong flat number.", "offers", False),
        # An offer with a check on the end, and an exception granted as a plain yes.
        ("We could lend you a folding bike, would that work?", "offers", True),
        ("We don't usually allow it, but this once, sure.", "offers", True),
        # Refusals with the subject left out, or said as who a thing is for.
        ("Probably not, the printer's jammed.", "refuses", True),
        ("Can't be arranged before the holidays.", "refuses", True),
        ("Loan bikes are only for annual members.", "refuses", True),
        # The customer sent to write to someone else, however politely; not "email me".
        ("You may wish to contact the registry office.", "sends_away", True),
        ("Email the council about the bins.", "sends_away", True),
        ("Email me the receipt and I'll refund it.", "sends_away", False),
        ("Email receipt on its way now.", "sends_away", False),
        # Leave to come back another time is a deferral, not a thing granted.
        ("You can come back to the counter on Friday afternoon, after the delivery.", "offers", False),
        # Their promise to report back is no deed done.
        ("The billing team will come back to you by Monday.", "offers", False),
        # A complaint raised or a transfer to head office hands the problem on.
        ("I can raise a formal complaint for you.", "defers", True),
        ("I'll put you on to head office.", "defers", True),
        ("Try the shop on the high street.", "sends_away", True),
        ("Can't promise, sorry.", "refuses", True),
    ],
)
def test_readings_the_fifteenth_batch_showed(reply: str, act: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (act in g.acts) is present, (reply, sorted(g.acts))


def test_the_mistake_owned_in_other_words_is_an_apology() -> None:
    for reply in ("The error is ours, madam.", "We got it wrong."):
        assert "apology" in reasons(_RULES.grade(reply, GradeContext()), "courtesy"), reply


def test_a_follow_up_the_scenario_lists_is_that_solution(grader: RubricGrader) -> None:
    """ "I'll message you when the part comes in" puts the customer off, unless the
    trainer lists that follow-up as a solution."""
    data = yaml.safe_load(PARCEL.read_text(encoding="utf-8"))
    reply = "I'll message you as soon as a van comes back free."
    plain = parse_scenario_text(yaml.safe_dump(data), "plain.yaml")
    data["needs"][0]["solutions"].append(
        {
            "text": "Text him the moment a van comes back free.",
            "examples": ["I'll text you the moment a van is free."],
        }
    )
    listed = parse_scenario_text(yaml.safe_dump(data), "listed.yaml")
    assert "offers" not in grade(grader, plain, reply).acts
    with_listed = grade(grader, listed, reply)
    assert "offers" in with_listed.acts
    assert with_listed.flexibility > grade(grader, plain, reply).flexibility


def test_a_no_that_says_why_is_above_a_bare_no() -> None:
    """Label 2 is a refusal with an excuse, label 1 a flat refusal."""
    bare = _RULES.grade("No. Can't do it.", GradeContext())
    reasoned = _RULES.grade("Sorry, I can't, the kiln is broken until Friday.", GradeContext())
    assert "says why not" in reasons(reasoned, "flexibility")
    assert "says why not" not in reasons(bare, "flexibility")
    assert bare.flexibility < reasoned.flexibility < 30
    # Hiding behind the rules is no reason given.
    ruled = _RULES.grade("Sorry, it's against policy because the kiln is broken.", GradeContext())
    assert "says why not" not in reasons(ruled, "flexibility")


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("Couldn't I just leave the pram by the stairs?", "Yep."),
        ("Couldn't I just leave the pram by the stairs?", "Fine."),
        ("Couldn't I just leave the pram by the stairs?", "OK, go ahead."),
        ("Couldn't I just leave the pram by the stairs?", "If you insist, fine."),
        ("Will you at least hold the parcel till Saturday?", "Sure."),
        ("Is there another locker I could use instead?", "Yes."),
        ("Couldn't one of your mechanics just patch it for now?", "Okay, we'll do that."),
    ],
)
def test_a_plain_yes_to_a_proposal_accepts_it(line: str, reply: str) -> None:
    g = _RULES.grade(reply, GradeContext(customer_line=line))
    assert "offers" in g.acts, (line, reply)
    assert g.flexibility >= 70


def test_the_yes_and_the_deed_that_carries_it_out_are_one_solution() -> None:
    line = "Couldn't you just post it to my sister's flat?"
    both = _RULES.grade("Fine, I'll post it there today.", GradeContext(customer_line=line))
    assert "more than one solution, or a choice" not in reasons(both, "flexibility")


@pytest.mark.parametrize(
    ("reply", "act", "present"),
    [
        # A deed done to the customer, put as a question, is offered; a transfer, a hold,
        # a call back or a chore handed over is not.
        ("Could we squeeze you in by the fireplace?", "offers", True),
        ("Can I book you on the later ferry instead?", "offers", True),
        ("Can I call you a cab to the station?", "offers", True),
        ("Can I put you through to accounts?", "offers", False),
        ("Could I call you back after lunch?", "offers", False),
        ("Can I get you to sign this form?", "offers", False),
        # A thing held out as a question: "would X do?", "fancy X?", "are you happy to...".
        ("Would the garden room do?", "offers", True),
        ("Is a courtesy bike any use to you?", "offers", True),
        ("Fancy a coffee while the tyres go on?", "offers", True),
        ("Would you be all right with a bunk bed?", "offers", True),
        ("Are you happy to take the earlier slot?", "offers", True),
        ("Are you happy to wait?", "offers", False),
        ("Are you happy with the service so far?", "offers", False),
        ("Do you mind waiting a bit longer?", "offers", False),
        # What the customer will have, said as settled; not news, a wait or a cost.
        ("You'll get your deposit back in full.", "offers", True),
        ("You're getting the garden suite.", "offers", True),
        ("You'll get a letter confirming the decision.", "offers", False),
        ("You'll get a late fee if it's not paid.", "offers", False),
        ("You'll have to wait for the next one.", "offers", False),
        # An arrangement reported as settled; not a place on a list.
        ("Right, you're on the 7:15 ferry.", "offers", True),
        ("You're all set for Thursday at ten.", "offers", True),
        ("That's all sorted for you.", "offers", True),
        ("You're on the waiting list.", "offers", False),
        ("You're on the waiting list.", "defers", True),
        ("You're set to lose the deposit.", "offers", False),
        # A way out named as a suggestion or an alternative.
        ("I'd suggest the annexe; it's quieter.", "offers", True),
        ("The sleeper train is an option.", "offers", True),
        ("There's always the late bus.", "offers", True),
        ("We do have the overflow car park.", "offers", True),
        ("Alternatively, a full credit note.", "offers", True),
        ("I'd suggest you call the helpline.", "offers", False),
        ("There's always a risk with old pipes.", "offers", False),
        ("We do have a policy on this.", "offers", False),
        # "Can't promise" is a hedge before one's own effort, a no on its own or before a put-off.
        ("I can't promise a slot, but I'll ring round the depots.", "refuses", False),
        ("No promises, but let me ask the foreman.", "refuses", False),
        ("I can't promise anything.", "refuses", True),
        ("I can't promise, but you're welcome to call us on Monday.", "refuses", True),
        # Hiding behind someone else's decision.
        ("It's out of my hands, I'm afraid.", "cites_policy", True),
        # A place in the queue, however it is put.
        ("I'll pop you on the waiting list.", "defers", True),
        ("I'll put your name down and let you know.", "defers", True),
    ],
)
def test_readings_the_sixteenth_batch_showed(reply: str, act: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (act in g.acts) is present, (reply, sorted(g.acts))


def test_doing_ones_best_is_a_look_after_a_hedge() -> None:
    g = _RULES.grade("I can't promise a refund, but I'll do my best.", GradeContext())
    assert "refuses" not in g.acts
    assert 45 <= g.flexibility <= 60


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("Couldn't you just leave the gate unlocked for us?", "I suppose so."),
        ("Couldn't you just leave the gate unlocked for us?", "Hang on, actually, yes."),
        ("Couldn't you just leave the gate unlocked for us?", "Oh, go on then."),
    ],
)
def test_a_yes_after_a_beat_accepts_the_proposal(line: str, reply: str) -> None:
    assert "offers" in _RULES.grade(reply, GradeContext(customer_line=line)).acts


@pytest.mark.parametrize(
    ("reply", "reason", "present"),
    [
        # Owning the mistake in other words.
        ("It must have been a slip at our end.", "apology", True),
        ("That was my fault.", "apology", True),
        # An invitation, the choice left to the customer, is no order.
        ("Pick any seat you like, and I'll bring the menus over.", "command without a softener", False),
        ("Sit down and wait.", "command without a softener", True),
        # "Hang on, actually, yes": a beat before good news.
        ("Hang on, I think I can fit you in.", "command without a softener", False),
        ("Hang on there.", "command without a softener", True),
    ],
)
def test_tone_the_sixteenth_batch_showed(reply: str, reason: str, present: bool) -> None:
    assert (reason in reasons(_RULES.grade(reply, GradeContext()), "courtesy")) is present, reply


def _with_an_optional_need() -> Scenario:
    data = yaml.safe_load(PARCEL.read_text(encoding="utf-8"))
    data["needs"].append(
        {
            "id": "sweetener",
            "required": False,
            "description": "Something to make up for the wait.",
            "solutions": [
                {
                    "text": "Bring the family pizzas while they wait.",
                    "beyond": True,
                    "examples": ["We'll send pizzas round for everyone while you wait."],
                }
            ],
            "met_lines": ["That's kind."],
            "nudge_lines": ["The children are starving."],
            "mood_when_met": 10,
        }
    )
    return parse_scenario_text(yaml.safe_dump(data), "optional.yaml")


def test_an_extra_with_the_main_need_put_off_is_not_a_solution(rules: RubricGrader) -> None:
    """A kind extra while the main need waits is worth more than a bare put-off and less
    than solving it."""
    scenario = _with_an_optional_need()
    extra = grade(rules, scenario, "The van won't come before tomorrow, but pizzas are on us while you wait.")
    solved = grade(rules, scenario, "I'm booking a partner van to be with you by half past eleven.")
    put_off = grade(rules, scenario, "The van won't come before tomorrow.")
    assert "only an extra, the main need put off: capped" in reasons(extra, "flexibility")
    assert put_off.flexibility < extra.flexibility < solved.flexibility
    # An offer that meets the main need is not capped, however it is put off as well.
    both = grade(
        rules, scenario, "I'm booking a partner van for half eleven, and I'll call you tomorrow to check."
    )
    assert "only an extra, the main need put off: capped" not in reasons(both, "flexibility")


def test_good_wishes_meet_no_need(grader: RubricGrader) -> None:
    data = yaml.safe_load(PARCEL.read_text(encoding="utf-8"))
    data["needs"][0]["solutions"].append(
        {
            "text": "Tell the crew it is her birthday move.",
            "examples": ["I'll tell the crew it's your birthday."],
        }
    )
    scenario = parse_scenario_text(yaml.safe_dump(data), "wishes.yaml")
    g = grade(grader, scenario, "Happy birthday!")
    assert not g.needs_met
    assert "offers" not in g.acts


@pytest.mark.parametrize(
    ("reply", "act", "present"),
    [
        # "We're not able to" refuses, however the subject and verb are joined.
        ("We're not able to reopen the claim.", "refuses", True),
        ("I'm not able to waive the fee, sorry.", "refuses", True),
        # A no at the end of a clause, and text-speak.
        ("The hall's full tonight, so no.", "refuses", True),
        ("cant help sorry", "refuses", True),
        # Having people to serve is no deed.
        ("I've got forty callers waiting, so no.", "offers", False),
        ("I've got you a seat on the 6:05.", "offers", True),
        # A thing still free, or a slot with room, is on offer.
        ("The balcony seats are still free, if you'd like them.", "offers", True),
        ("The four o'clock tour has still got space.", "offers", True),
        ("Her room under the stairs floods every winter.", "offers", False),
        ("Try the hostels in town, one of them might have room.", "offers", False),
        # A promise to send word is no deed.
        ("The part arrives Monday. We'll send a text.", "offers", False),
        # What a look looks into is not done yet.
        ("Hold on, I'm asking the stores what time they can deliver.", "offers", False),
        ("Let me check whether the manager can sign it off.", "offers", False),
        ("I'll check the system and if it's there I'll reissue it.", "offers", True),
        # A lesson for next time is no help.
        ("Maybe charge it properly next time?", "blames", True),
        # "Take a deep breath" is care, not a thing granted.
        ("Take a deep breath, it's going to be fine.", "offers", False),
    ],
)
def test_readings_the_seventeenth_batch_showed(reply: str, act: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (act in g.acts) is present, (reply, sorted(g.acts))


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("couldnt you just print a new one?", "ok"),
        ("Could you not simply reissue it today?", "Very well."),
    ],
)
def test_a_yes_in_text_speak_or_formal_accepts(line: str, reply: str) -> None:
    assert "offers" in _RULES.grade(reply, GradeContext(customer_line=line)).acts


@pytest.mark.parametrize(
    ("reply", "reason", "present"),
    [
        (
            "Okay, enough with the guilt trip. Your refund's going through.",
            "talks down to the other person",
            True,
        ),
        ("Right, and? What's the reference?", "talks down to the other person", True),
        ("Take a deep breath, it's going to be fine.", "command without a softener", False),
    ],
)
def test_tone_the_seventeenth_batch_showed(reply: str, reason: str, present: bool) -> None:
    assert (reason in reasons(_RULES.grade(reply, GradeContext()), "courtesy")) is present, reply


@pytest.mark.parametrize(
    ("line", "proposes"),
    [
        # The customer's own idea, whoever would carry it out.
        ("Can't I just take the charger out and keep it with me?", True),
        ("Could she start on Monday instead, with the other group?", True),
        ("Isn't there anybody who could look at it today?", True),
        ("Is there somewhere we could wait with the dog?", True),
        ("Haven't you got those loan bikes any more?", True),
        # A complaint or a plea put as a question proposes nothing.
        ("How could you lose it twice?", False),
        ("What can I do now?", False),
        ("Can I ask why it was cancelled?", False),
    ],
)
def test_a_proposal_is_read_whoever_would_do_it(line: str, proposes: bool) -> None:
    assert bool(lx.CUSTOMER_PROPOSAL.search(line.lower())) is proposes, line


@pytest.mark.parametrize(
    ("reply", "act", "present"),
    [
        # What would follow from a supposition is no deed.
        ("If I gave one to everybody, I'd have none for the weekend.", "offers", False),
        ("If we refunded you, we'd have to refund the whole coach.", "offers", False),
        # "I have no way of" refuses; "and I have" with a no after it is no deed.
        ("The system locks it and I have no way of changing it.", "refuses", True),
        ("The system locks it and I have no way of changing it.", "offers", False),
        # A queue kept in strict order, and a whole team booked, refuse.
        ("Sorry, appointments are taken strictly in order.", "refuses", True),
        ("Sorry, all fitters is busy until Tuesday.", "refuses", True),
        ("That's all I can tell you, I'm afraid.", "refuses", True),
        # A thing that will be sent on is not the customer sent away; a standing rule still is.
        ("Your notes will go to the ward sister this afternoon.", "sends_away", False),
        ("Refund claims go to the insurer.", "sends_away", True),
        # Leave that hangs on someone else, the fix bought elsewhere, waiting and seeing.
        ("Check with your manager if you can come in later.", "offers", False),
        ("You could get a cheap adaptor from a phone shop.", "sends_away", True),
        ("We'll see about the refund once the audit's done.", "defers", True),
        ("Best wait for the engineer.", "defers", True),
        # Settled, however tersely.
        ("You're rebooked on the 4:15.", "offers", True),
        ("She's on.", "offers", True),
        ("He's on holiday.", "offers", False),
        # A look handed on.
        ("I've asked the office to look for an earlier date.", "offers", False),
    ],
)
def test_readings_the_eighteenth_batch_showed(reply: str, act: str, present: bool) -> None:
    g = _RULES.grade(reply, GradeContext())
    assert (act in g.acts) is present, (reply, sorted(g.acts))


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("Can't I just bring the form back tomorrow?", "You can, yes."),
        ("I'm not paying that fee again.", "You won't have to."),
    ],
)
def test_a_yes_in_other_words_answers_the_customer(line: str, reply: str) -> None:
    assert "offers" in _RULES.grade(reply, GradeContext(customer_line=line)).acts


def test_a_rule_restated_and_a_lesson_cost_courtesy() -> None:
    assert "dismissal" in reasons(
        _RULES.grade("Rain happens. The price is still the price.", GradeContext()), "courtesy"
    )
    assert "blame" in reasons(_RULES.grade("Book a proper slot next time.", GradeContext()), "courtesy")
