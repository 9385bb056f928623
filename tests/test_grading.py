"""Behaviour of the grader on cases written for these tests (not the dev set)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simulator.grading import default_grader
from simulator.grading.base import Grade, GradeContext
from simulator.grading.rubric import RubricGrader
from simulator.scenario import Scenario

OPENING = "Good evening. There are beds for three and we are five. Can you help us, please?"


@pytest.fixture(scope="module")
def grader() -> RubricGrader:
    return RubricGrader()


@pytest.fixture(scope="module")
def rules() -> RubricGrader:
    return RubricGrader(use_embeddings=False)


def grade(g: RubricGrader, hotel: Scenario, reply: str, **context: object) -> Grade:
    ctx = GradeContext(scenario=hotel, customer_line=context.pop("customer_line", OPENING), **context)  # type: ignore[arg-type]
    return g.grade(reply, ctx)


def reasons(g: Grade, dimension: str | None = None) -> set[str]:
    return {e.reason for e in g.evidence if dimension is None or e.dimension == dimension}


@pytest.fixture(params=["rules+embeddings", "rules"])
def any_grader(request: pytest.FixtureRequest, grader: RubricGrader, rules: RubricGrader) -> RubricGrader:
    return grader if request.param == "rules+embeddings" else rules


def test_default_grader_is_the_rubric_grader() -> None:
    assert isinstance(default_grader(), RubricGrader)


# -- negation and refusal ----------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "I'm afraid we can't give you a mattress tonight.",
        "We don't have any spare mattresses, sorry.",
        "There is no way I can move you to a bigger room.",
        "Unfortunately an extra bed isn't possible in this room.",
    ],
)
def test_a_negated_solution_is_not_an_offer(any_grader: RubricGrader, hotel: Scenario, reply: str) -> None:
    g = grade(any_grader, hotel, reply)
    assert "offers" not in g.acts
    assert "beds" not in g.needs_met
    assert g.flexibility < 35
    assert g.acts & {"refuses", "cites_policy"}


def test_a_no_followed_by_an_alternative_is_flexible(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(any_grader, hotel, "I can't change the booking, but I'll bring two extra mattresses up myself.")
    assert "offers" in g.acts and "owns" in g.acts
    assert "beds" in g.needs_met
    # One concrete solution is a 4 of 5: 60-80 on the calibrated scale (70 at its middle).
    assert g.flexibility >= 60


@pytest.mark.parametrize(
    "reply",
    [
        "Give me five minutes and I'll carry a spare mattress up to your room.",
        "We'll put a folding bed in your room tonight, no charge.",
        "I can move the five of you to a larger room on the third floor.",
    ],
)
def test_paraphrased_solutions_meet_the_need(any_grader: RubricGrader, hotel: Scenario, reply: str) -> None:
    g = grade(any_grader, hotel, reply)
    assert "beds" in g.needs_met
    # One concrete solution: a 4 of 5, 60-80 on the calibrated scale.
    assert g.flexibility >= 60


def test_a_solution_said_in_other_words_is_found_by_meaning(grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(grader, hotel, "A rollaway bed will be in your room in ten minutes.")
    assert g.flexibility >= 60


def test_accepting_the_customers_own_proposal(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(
        any_grader,
        hotel,
        "Of course, right away.",
        customer_line="What about an extra mattress on the floor?",
    )
    assert "offers" in g.acts
    assert "beds" in g.needs_met
    assert "accepts the customer's proposal" in reasons(g, "flexibility")


def test_sending_away_and_its_negation(any_grader: RubricGrader, hotel: Scenario) -> None:
    away = grade(any_grader, hotel, "You could try the hotel across the road, they might have space.")
    assert "sends_away" in away.acts and away.flexibility < 30
    stay = grade(
        any_grader, hotel, "I won't send you to another hotel at this hour; I'll find you a bed here."
    )
    assert "sends_away" not in stay.acts
    assert "offers" in stay.acts and stay.flexibility >= 60


def test_hiding_behind_policy(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(any_grader, hotel, "Company policy says no extra bedding after ten.")
    assert "cites_policy" in g.acts
    assert g.flexibility < 30
    assert g.model_answer is not None


def test_a_small_exception_is_going_beyond(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(
        any_grader,
        hotel,
        "The rule is for suites, but I'll make an exception and bring a rollaway bed up now.",
    )
    assert "goes_beyond" in g.acts and "cites_policy" not in g.acts
    assert g.flexibility >= 80


def test_deferral_with_no_action(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(any_grader, hotel, "The morning shift can look at it tomorrow.")
    assert "defers" in g.acts
    assert g.flexibility < 40


def test_repeating_a_rejected_solution_is_not_flexible(any_grader: RubricGrader, hotel: Scenario) -> None:
    fresh = grade(any_grader, hotel, "I can book you a room at our sister hotel across town.")
    g = grade(
        any_grader,
        hotel,
        "I can book you a room at our sister hotel across town.",
        rejected=("a room at our sister hotel across town",),
    )
    assert "repeats_rejected" in g.acts
    assert g.flexibility < fresh.flexibility


def test_a_clarifying_question_is_fine_first_and_weak_later(
    any_grader: RubricGrader, hotel: Scenario
) -> None:
    first = grade(any_grader, hotel, "Which room are you in, please?", turn=1)
    fourth = grade(any_grader, hotel, "Which room are you in, please?", turn=4)
    assert "asks" in first.acts
    assert 40 <= first.flexibility <= 60
    assert fourth.flexibility < first.flexibility
    assert "asked enough" in fourth.tip


# -- courtesy ----------------------------------------------------------------


def test_please_used_to_command(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(any_grader, hotel, "Please just read the booking policy.")
    assert "commands" in g.acts
    assert "please" not in reasons(g, "courtesy")
    assert g.courtesy < 45


def test_bare_commands_and_softened_requests(any_grader: RubricGrader, hotel: Scenario) -> None:
    bare = grade(any_grader, hotel, "Show me the confirmation. Quickly.")
    soft = grade(any_grader, hotel, "Could you show me the confirmation, please?")
    assert "commands" in bare.acts and "commands" not in soft.acts
    assert soft.courtesy - bare.courtesy >= 30


@pytest.mark.parametrize(
    "reply",
    [
        "Oh wonderful, yet another guest who can't read a booking form.",
        "Congratulations, you found the one hotel that follows its rules.",
    ],
)
def test_sarcasm_is_rude(any_grader: RubricGrader, hotel: Scenario, reply: str) -> None:
    g = grade(any_grader, hotel, reply)
    assert "rude" in g.acts
    assert g.courtesy <= 30


def test_shouting(any_grader: RubricGrader, hotel: Scenario) -> None:
    caps = grade(any_grader, hotel, "THERE ARE NO MORE ROOMS TONIGHT")
    bangs = grade(any_grader, hotel, "We are full!!!")
    assert "rude" in caps.acts and caps.courtesy <= 30
    assert "rude" in bangs.acts and bangs.courtesy <= 30
    happy = grade(any_grader, hotel, "Thank you so much for waiting! I'll bring it up now.")
    assert "rude" not in happy.acts


def test_blame_and_insult(any_grader: RubricGrader, hotel: Scenario) -> None:
    blame = grade(any_grader, hotel, "You should have checked the room type when you booked.")
    insult = grade(any_grader, hotel, "That's a stupid question.")
    assert "blames" in blame.acts and blame.courtesy < 45
    assert "rude" in insult.acts and insult.courtesy <= 15


def test_warmth_name_and_interest_in_the_person(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(
        any_grader,
        hotel,
        "Good evening, Mrs. Levi. What a long day you've all had; are the children warm enough? "
        "I'll bring a mattress and blankets up myself.",
    )
    assert {"greets", "empathises", "offers", "owns"} <= g.acts
    assert "uses the customer's name" in reasons(g, "courtesy")
    # One concrete fix with ownership: the writers give it a 4 as often as a 5,
    # and a 4 reads 60-80; a clearly good grade, as for the claims scenario.
    assert g.courtesy >= 85 and g.flexibility >= 70


def test_ignoring_an_upset_customer(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(any_grader, hotel, "The room has three beds.", customer_upset=True)
    assert "ignores_feelings" in g.acts


# -- evidence, tip, model answer, facts --------------------------------------


def test_every_evidence_phrase_is_the_trainees_words(any_grader: RubricGrader, hotel: Scenario) -> None:
    reply = "Sorry, madam, extra beds are against the rules. Try the hotel next door!!"
    g = grade(any_grader, hotel, reply)
    assert g.evidence
    for e in g.evidence:
        assert e.dimension in {"courtesy", "flexibility", "empathy", "ownership"}
        assert not e.phrase or e.phrase.lower() in reply.lower()
    assert any(e.effect < 0 and e.dimension == "flexibility" for e in g.evidence)
    assert g.tip and "\n" not in g.tip


def test_model_answer_fits_the_customer_line(grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(
        grader,
        hotel,
        "Extra linen is not something we hand out at night.",
        customer_line="Could we have some sheets and a blanket for the extra bed, please?",
    )
    assert g.model_answer is not None
    assert "sheets" in g.model_answer or "linen" in g.model_answer
    good = grade(grader, hotel, "I'll bring sheets and blankets up myself, right away.")
    assert good.model_answer is None


def test_questions_about_the_customers_facts(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(
        any_grader, hotel, "Could you tell me the name on the reservation, please, so I can look it up?"
    )
    assert "name" in g.facts_asked
    statement = grade(any_grader, hotel, "Your booking is fine and your name is on it.")
    assert statement.facts_asked == ()


def test_grades_without_a_scenario(any_grader: RubricGrader) -> None:
    g = any_grader.grade("Hello! I'm so sorry. I'll drive you home myself.", GradeContext())
    # With no scenario nothing says which need the drive meets: a 4's band, 60-80.
    # A greeting, an apology and a deed, with no word for the customer's feelings:
    # polite (a 4, about 72) or warm; either is fine.
    assert g.courtesy >= 70 and g.flexibility >= 60
    assert g.model_answer is None


def test_an_empty_reply(any_grader: RubricGrader, hotel: Scenario) -> None:
    g = grade(any_grader, hotel, "   ")
    assert g.courtesy == 0 and g.flexibility == 0 and g.tip


def test_a_missing_model_falls_back_to_rules(
    monkeypatch: pytest.MonkeyPatch, hotel: Scenario, tmp_path
) -> None:
    from simulator.grading.embeddings import Embedder

    monkeypatch.setenv("SIMULATOR_EMBEDDING_MODEL", str(tmp_path / "nowhere"))
    g = RubricGrader(embedder=Embedder())
    result = g.grade("I'll bring a mattress up now.", GradeContext(scenario=hotel))
    assert result.extra["method"] in {"rules", "rules+learned"}
    assert "beds" in result.needs_met


def test_grading_imports_neither_torch_nor_textual() -> None:
    code = (
        "import sys, simulator.session, simulator.grading, simulator.grading.rubric, "
        "simulator.grading.embeddings, simulator.grading.benchmark; "
        "bad = {'torch', 'textual', 'transformers'} & set(sys.modules); print(sorted(bad)); sys.exit(bool(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
