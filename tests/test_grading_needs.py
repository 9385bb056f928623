"""Which need an offer meets follows what is offered, not how the offer is phrased.

The session marks a need as met from `Grade.needs_met` and the customer reacts
to it, so a mattress must meet "beds" even when a linen example reads "I'll
bring sheets, pillows and blankets up myself". Cases written for these tests.
"""

from __future__ import annotations

import pytest

from simulator.grading.base import GradeContext
from simulator.grading.content import content_of, content_stems, stem
from simulator.grading.rubric import RubricGrader
from simulator.loader import load_scenario
from simulator.scenario import Scenario
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def grader() -> RubricGrader:
    g = RubricGrader()
    if not g.uses_embeddings:
        pytest.skip("all-MiniLM-L6-v2 is not installed (see the README set-up)")
    return g


_scenarios: dict[str, Scenario] = {}


def needs_met(grader: RubricGrader, scenario_id: str, reply: str) -> set[str]:
    scenario = _scenarios.get(scenario_id) or load_scenario(SCENARIOS / f"{scenario_id}.yaml")
    _scenarios[scenario_id] = scenario
    grade = grader.grade(reply, GradeContext(scenario=scenario, customer_line=scenario.opening))
    return set(grade.needs_met)


# -- the frame is not the content --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("I'll bring a folding bed up for you right away.", "a folding bed"),
        ("Would you like me to move you to a bigger room?", "move to a bigger room"),
        ("Of course, we can get some fresh sheets sent up.", "fresh sheets"),
        ("If it drops again, I'll book a technician.", "book a technician"),
        ("Let me arrange for an engineer to visit.", "an engineer to visit"),
    ],
)
def test_content_drops_the_offer_frame(text: str, content: str) -> None:
    assert content_of(text) == content


def test_light_stemming_joins_forms_of_a_word() -> None:
    assert stem("mattresses") == stem("mattress") == "mattress"
    assert stem("confirming") == stem("confirmation") == stem("confirmed")
    assert content_stems("I'm bringing two extra pillows") == {"extra", "pillow"}


# -- one need, whatever the phrasing -----------------------------------------------

ONE_NEED = [
    ("china-hotel-beds", "I'll bring a mattress.", {"beds"}),
    ("china-hotel-beds", "I'll bring a folding bed.", {"beds"}),
    ("china-hotel-beds", "We can put a rollaway in your room tonight.", {"beds"}),
    ("china-hotel-beds", "Let me get a camp bed sent up for the kids.", {"beds"}),
    ("china-hotel-beds", "How about I upgrade you to our family suite?", {"beds"}),
    ("china-hotel-beds", "I can switch you to a family suite on the top floor.", {"beds"}),
    ("china-hotel-beds", "Someone will bring you extra bedding shortly.", {"linen"}),
    ("china-hotel-beds", "I'll fetch a couple of pillows and a blanket for you.", {"linen"}),
    ("china-hotel-beds", "I'm sending up two duvets and a set of sheets.", {"linen"}),
    ("tow-truck-ride", "I'll send a recovery truck, it'll be with you in twenty minutes.", {"tow"}),
    ("tow-truck-ride", "The driver can give you a lift to the garage in his cab.", {"ride"}),
    ("tow-truck-ride", "We'll pay for a taxi to get you to your office.", {"ride"}),
    ("tech-support-router", "I can reboot your router remotely from here.", {"restart"}),
    (
        "tech-support-router",
        "I'll ring you back after your video call to make sure it still works.",
        {"safety-net"},
    ),
    (
        "tech-support-router",
        "If it's still not working, I'll arrange for an engineer to visit tomorrow at no cost.",
        {"safety-net"},
    ),
    ("promised-upgrade-denied", "I'll credit the seventy-five back today.", {"honour"}),
    ("promised-upgrade-denied", "I'll email you written confirmation of the credit.", {"written"}),
    ("silent-subscriber", "We'll copy your photos onto a USB stick and mail it to you.", {"photos-back"}),
    ("silent-subscriber", "I'll give you a free month to thank you for your loyalty.", {"recognition"}),
    ("repeat-fault", "I'll send our most senior engineer on Saturday morning.", {"real-fix"}),
    ("repeat-fault", "I'll phone you a week after the repair to make sure it's holding.", {"follow-through"}),
    ("delivery-follow-up", "I can turn off the night schedule remotely for you.", {"warm-nights"}),
    ("delivery-follow-up", "I'll text you a short video guide showing how it works.", {"confidence"}),
]


@pytest.mark.parametrize(("scenario_id", "reply", "needs"), ONE_NEED)
def test_an_offer_meets_the_need_it_is_about(
    grader: RubricGrader, scenario_id: str, reply: str, needs: set[str]
) -> None:
    assert needs_met(grader, scenario_id, reply) == needs


# -- one offer, several needs ------------------------------------------------------

COMPOUND = [
    ("china-hotel-beds", "I'll bring some blankets and pillows, and a folding bed.", {"beds", "linen"}),
    ("china-hotel-beds", "I'll bring a spare mattress and fresh sheets.", {"beds", "linen"}),
    ("china-hotel-beds", "We're happy to add a rollaway bed and bring extra pillows.", {"beds", "linen"}),
    ("tow-truck-ride", "I'll send a recovery truck and book you a taxi to work.", {"tow", "ride"}),
    (
        "promised-upgrade-denied",
        "I'll remove the charges and send you an email confirming it.",
        {"honour", "written"},
    ),
    (
        "repeat-fault",
        "I'll book a senior technician for Saturday and call you the week after to check.",
        {"real-fix", "follow-through"},
    ),
    (
        "silent-subscriber",
        "I'm adding a free month to your account, and our team will email you a download link by tomorrow.",
        {"recognition", "photos-back"},
    ),
    (
        "delivery-follow-up",
        "I'll switch the night mode off from here, and text you a little video so you can do it yourself.",
        {"warm-nights", "confidence"},
    ),
]


@pytest.mark.parametrize(("scenario_id", "reply", "needs"), COMPOUND)
def test_a_compound_offer_meets_each_need(
    grader: RubricGrader, scenario_id: str, reply: str, needs: set[str]
) -> None:
    assert needs_met(grader, scenario_id, reply) == needs


# -- nothing offered, nothing met ----------------------------------------------------

NONE = [
    ("china-hotel-beds", "We can't give you a mattress."),
    ("china-hotel-beds", "I can't bring extra sheets, I'm afraid."),
    ("china-hotel-beds", "We cannot add a bed or give you more linen."),
    ("china-hotel-beds", "I won't be bringing any mattresses tonight."),
    ("china-hotel-beds", "Let me check whether we have a spare cot."),  # looking, not yet offering
    ("china-hotel-beds", "I'll bring you a cup of tea."),  # kind, but no need lists it
    ("tow-truck-ride", "We can't send a truck tonight."),
    ("tow-truck-ride", "We won't pay for a taxi."),
    ("promised-upgrade-denied", "We can't refund the installation fee."),
    ("repeat-fault", "We can't send anyone before next month."),
]


@pytest.mark.parametrize(("scenario_id", "reply"), NONE)
def test_a_refused_or_unlisted_offer_meets_nothing(
    grader: RubricGrader, scenario_id: str, reply: str
) -> None:
    assert needs_met(grader, scenario_id, reply) == set()


def test_blame_after_an_offer_meets_the_offer_and_costs_courtesy(grader: RubricGrader) -> None:
    scenario = load_scenario(SCENARIOS / "china-hotel-beds.yaml")
    context = GradeContext(scenario=scenario, customer_line=scenario.opening)
    plain = grader.grade("I'll bring a mattress.", context)
    blaming = grader.grade("I'll bring a mattress, and you should have booked better.", context)
    assert set(blaming.needs_met) == {"beds"}
    assert blaming.courtesy < plain.courtesy
    assert any(e.reason == "blame" and e.effect < 0 for e in blaming.evidence)


def test_staying_on_the_line_is_company_not_the_tow(grader: RubricGrader) -> None:
    assert needs_met(grader, "tow-truck-ride", "I'll stay on the phone with you until help arrives.") == {
        "company"
    }
