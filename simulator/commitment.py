"""What a reply commits to: a time, an item, an action (a need's `commit:`).

An offer counts only when it says what the trainer asked for ("a mattress" is
not "a mattress in ten minutes"), and the customer's met line can repeat the
trainee's own words for it.
"""

from __future__ import annotations

import re

from simulator.scenario import Commitment

_COUNT = (
    r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|forty-five|fifty|sixty|a few|a couple of|the next)"
)
_CLOCK = (
    r"(?:\d{1,2}(?:[:.]\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.|o'clock|h))?|noon|midday|midnight|"
    r"(?:half|a quarter|quarter) (?:past|to) \w+|"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?:\s*(?:o'clock|thirty|fifteen|forty-five))?)"
)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# A clock time or a duration says more than "now", so it is looked for first.
EXACT_TIME = re.compile(
    rf"\b(?:(?:at|by|before|around|until|till|from|no later than) {_CLOCK}"
    rf"|\d{{1,2}}[:.]\d{{2}}|\d{{1,2}}\s*(?:am|pm)"
    rf"|(?:in|within|under|inside) (?:about |around |roughly |less than )?{_COUNT}(?: more)? "
    rf"(?:minutes?|mins?|hours?|days?|working days?)"
    rf"|(?:in|within) (?:about )?(?:half an hour|an hour|a quarter of an hour|the hour|a minute|a moment)"
    rf"|tomorrow(?: morning| afternoon| evening)?|(?:on |this |next ){_DAY}(?: morning| afternoon| evening)?"
    rf"|next week)\b",
    re.IGNORECASE,
)
LOOSE_TIME = re.compile(
    # Not a bare "now" or "today": "I'm sending a truck now" says nothing of when it comes.
    r"\b(?:right now|right away|straight away|immediately|at once|this minute"
    r"|tonight|this evening|this afternoon|this morning)\b",
    re.IGNORECASE,
)


def _phrase(options: list[str], text: str) -> str | None:
    """The first of the phrases the reply uses, in the reply's own words ("mattresses" for "mattress")."""
    for option in options:
        match = re.search(rf"\b{re.escape(option.strip())}\w*", text, re.IGNORECASE)
        if match:
            return match.group(0)
    return None


def commitments(reply: str, commit: Commitment) -> dict[str, str]:
    """The parts of `commit` this reply gives, each in the reply's own words."""
    found: dict[str, str] = {}
    if commit.time and (match := EXACT_TIME.search(reply) or LOOSE_TIME.search(reply)):
        found["time"] = match.group(0)
    if commit.item and (item := _phrase(commit.item, reply)):
        found["item"] = item
    if commit.action and (action := _phrase(commit.action, reply)):
        found["action"] = action
    return found


def missing(commit: Commitment, given: dict[str, str]) -> tuple[str, ...]:
    return tuple(part for part in commit.parts if part not in given)


def fill(line: str, given: dict[str, str]) -> str:
    """A met line with {time}, {item} and {action} replaced by what the trainee said."""
    filled = re.sub(r"\{(time|item|action)\}", lambda m: given.get(m.group(1), m.group(0)), line)
    # "{time}. OK." starts the line with the trainee's "in ten minutes".
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), filled)
