"""The verifier's rules: what keeps a model-voiced customer in role."""

from __future__ import annotations

import re

import pytest

from simulator.scenario import Scenario
from simulator.voice.base import LineRequest
from simulator.voice.prompt import lead_words
from simulator.voice.verifier import Verifier, clean


def _request(scenario: Scenario, **kw: object) -> LineRequest:
    trigger = scenario.triggers[3]  # refused
    base = dict(
        scenario=scenario,
        intent=trigger.intent,
        authored=tuple(trigger.lines),
        beat=f"trigger:{trigger.id}",
        history=(("customer", scenario.opening), ("trainee", "No, sorry.")),
    )
    base.update(kw)
    return LineRequest(**base)  # type: ignore[arg-type]


def test_every_authored_line_passes_for_its_own_beat(hotel: Scenario) -> None:
    v = Verifier(hotel)
    for trigger in hotel.triggers:
        req = _request(hotel, intent=trigger.intent, authored=tuple(trigger.lines), beat=trigger.id)
        for line in trigger.lines:
            assert v.check(line, req).ok, (line, v.check(line, req).reason)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Good evening! How can I help you today?", "agent"),
        ("I'll bring a mattress up to your room right away.", "agent"),
        ("As an AI language model, I cannot sleep anywhere.", "AI"),
        ("One or two short sentences, nothing else.", "task"),
        ("The clerk says the room is full, and she sighs.", "narrates"),
        ("Thank you, Mrs. Levi, we will sort it out.", "customer by name"),
        ("I would love a pizza with extra cheese and a cold drink.", "off topic"),
        ("We are seven people and we need beds tonight, please.", "numbers"),
        ("Please ask Mr. Johnson about the children and the beds tonight.", "names"),
        ("", "empty"),
        ("please " * 60, "too long"),
        ("Twenty-five minutes. Good morning. Good morning.", "repeats itself"),
        ("Thank you. That's a joke. That's a joke.", "repeats itself"),
    ],
)
def test_rejects_out_of_role_lines(hotel: Scenario, line: str, reason: str) -> None:
    verdict = Verifier(hotel).check(line, _request(hotel))
    assert not verdict.ok
    assert reason.lower() in verdict.reason.lower() or reason in ("agent", "narrates", "task")


def test_rejects_a_repeat_of_an_earlier_line(hotel: Scenario) -> None:
    said = "Please, it's nearly midnight. Is there really nothing you can do?"
    verdict = Verifier(hotel).check(said, _request(hotel, said_before=(said,)))
    assert "repeats" in verdict.reason


def test_accepts_a_fresh_in_role_line(hotel: Scenario) -> None:
    line = "Nothing at all? The children are asleep on the sofa and it's nearly midnight."
    assert Verifier(hotel).check(line, _request(hotel)).ok


def test_clean_cuts_at_line_break_and_speaker_label() -> None:
    labels = ("Clerk", "Mrs. Dana Levi")
    assert clean(" Please help us.\nClerk: Sure.", labels) == "Please help us."
    assert clean("Mrs. Dana Levi: Please help us. Clerk: no", labels) == "Please help us."
    assert clean('"Please help us."', labels) == "Please help us."


def test_lead_words_take_the_opening_clause() -> None:
    assert lead_words("Another hotel? At eleven at night, with three sleeping children?") == "Another hotel?"
    assert lead_words("Short line here.") == ""


def test_clean_cuts_at_a_speaker_label_the_model_invented() -> None:
    from simulator.voice.verifier import clean

    assert clean("Thank you so much. Dante: I'd rather be here.") == "Thank you so much."
    assert clean("Thank you. Mr Lee: of course.") == "Thank you."
    # Times and a colon inside a sentence are not speakers.
    assert clean("It is 11:30 now. We are tired.") == "It is 11:30 now. We are tired."
    assert clean("Thank you: really.") == "Thank you: really."


def test_a_fact_line_must_carry_the_facts_numbers(tow: Scenario) -> None:
    fact = next(f for f in tow.customer.facts if any(ch.isdigit() for ch in " ".join(f.lines)))
    req = _request(tow, intent=fact.text, authored=tuple(fact.lines), beat=f"fact:{fact.id}")
    v = Verifier(tow)
    for line in fact.lines:  # the authored answers themselves pass
        assert v.check(line, req).ok, v.check(line, req).reason
    without = " ".join(w for w in fact.lines[0].split() if not any(ch.isdigit() for ch in w))
    verdict = v.check(without, req)
    assert not verdict.ok
    assert "leaves out the fact's numbers" in verdict.reason


def test_an_unclosed_quotation_is_garbled(hotel: Scenario) -> None:
    v = Verifier(hotel)
    req = _request(hotel)
    assert "unclosed quotation" in v.check('Please, it is late. "The quick red, the quick green', req).reason
    assert "quotation" not in v.check('Please, "nearly midnight" you said, and it is.', req).reason


def test_a_word_said_twice_is_not_a_loop(hotel: Scenario) -> None:
    assert (
        "repeats itself" not in Verifier(hotel).check("No. No. We need beds tonight.", _request(hotel)).reason
    )


def test_a_curly_apostrophe_does_not_hide_agent_speak(hotel: Scenario) -> None:
    for apostrophe in ("'", "\u2019"):
        verdict = Verifier(hotel).check(
            f"I{apostrophe}ll bring a mattress up to your room right away.", _request(hotel)
        )
        assert "speaks as the agent" in verdict.reasons


def test_a_fact_line_starts_the_model_after_the_facts(tow: Scenario) -> None:
    """The model adds the voice around a fact's numbers; it is not trusted to retype them."""
    from simulator.voice.prompt import line_lead

    member = next(f for f in tow.customer.facts if f.id == "member")
    req = _request(tow, intent=member.text, authored=tuple(member.lines), beat=f"fact:{member.id}")
    line = member.lines[0]
    lead = line_lead(req, line)
    assert line.startswith(lead) and len(lead) < len(line)
    assert {"4471", "208"} <= set(re.findall(r"\d+", lead))
    assert line_lead(_request(tow), line) == lead_words(line)  # other beats: the opening clause
