"""What an offer is about, without how it is said.

Sentence embeddings weigh the form of a sentence as much as its content: "I'll
bring a mattress" is closer to "I'll bring sheets, pillows and blankets up
myself" than to "Bring an extra mattress or a rollaway bed up to the room". So
which need an offer meets is decided on its content: the commitment frame ("I'll
bring", "we can", "would you like me to"), light verbs and fillers are taken off
both the reply and the scenario's solutions before they are compared, and the
content words they share (lightly stemmed) count too.
"""

from __future__ import annotations

import re

from simulator.grading.text import normalise

# Openers that carry no content: "Of course, ...", "If you like, ...".
_LEAD = re.compile(
    r"^(?:(?:of course|sure|certainly|absolutely|no problem|right|ok|okay|yes|good news|great|then|so|and|also|"
    r"first|instead|if you(?:'d| would)? (?:like|prefer)|don't worry)[,.:!]?\s+)+"
)
# A condition is when the offer applies, not what it is: "If it drops again, ...".
_CONDITION = re.compile(r"^(?:if|in case|unless|once|when)\b[^,;]*,\s+")
# The commitment or offer frame: who will do it and how willing they are.
_FRAME = re.compile(
    r"^(?:(?:would you like|would you prefer|do you want|shall|should|can|could|may)\s+(?:me|us|i|we)\s+(?:to\s+)?|"
    r"how about (?:if )?(?:i|we)\s+|let (?:me|us)\s+|let's\s+|"
    r"(?:i|we|someone|somebody)(?:'ll|'d|'m|'re|'ve| will| would| shall| can| could| am| are| have| may| might)?"
    r"(?:\s+(?:be|now|also|then|just|personally|gladly|happily|immediately|right|quickly|already|really|"
    r"absolutely|certainly|definitely))*"
    r"(?:\s+(?:happy|glad|able|going|about|pleased))?(?:\s+to)?\s+)"
)
# Verbs that say an offer is made, not what it is: "bring" a mattress or sheets alike.
_LIGHT_VERBS = (
    r"bring|bringing|brings|brought|get|getting|gets|got|send|sending|sends|sent|give|giving|gives|given|"
    r"have|having|put|putting|take|taking|fetch|fetching|arrange|arranging|arranged|organi[sz]e|organi[sz]ing|"
    r"provide|providing|make|making|add|adding|offer|offering|find|finding|do|doing|sort out|set up"
)
_LIGHT = re.compile(rf"^(?:{_LIGHT_VERBS})(?:\s+for)?\s+")
_LIGHT_INSIDE = re.compile(rf"\b(?:{_LIGHT_VERBS})\b")
# Who it is for and when: true of every solution alike.
_FILLER = re.compile(
    r"\b(?:you|him|her|them|up|myself|ourselves|personally|right away|straight away|right now|now|"
    r"immediately|tonight|today|for you|to you|shortly|soon|as well|too|please|some|just|"
    r"for (?:the|your) (?:kids|children|little ones|family)|"
    r"(?:at )?no (?:extra )?(?:cost|charge)|free of charge|at the same (?:rate|price)|on the house)\b"
)
_SPACES = re.compile(r"\s+")

# "a spare mattress and fresh sheets", "blankets, pillows and a folding bed"
_CONJUNCTS = re.compile(
    r",\s*(?:and\s+|plus\s+)?|\s+and\s+(?:also\s+|then\s+)?|\s+as well as\s+|\s+plus\s+|\s+along with\s+"
)

_STOP = frozenset(
    "the a an and or to of for in on at with your you i we it is are be this that my our me us can will "
    "please just have has do does did not no so as by from up if some any all also then there here "
    "would could should shall let about into onto over after before until when what which who its "
    "him her them they he she myself ourselves now tonight today right away "
    "one two three four five six seven eight nine ten few couple set lot".split()
)
_LIGHT_WORDS = frozenset(w for w in re.findall(r"[a-z]+", _LIGHT_VERBS) if len(w) > 2)


def content_of(text: str) -> str:
    """The offer without its frame: "I'll bring a folding bed up" -> "a folding bed"."""
    low = normalise(text).strip(" .!?;,")
    previous = None
    while previous != low:
        previous = low
        low = _LEAD.sub("", low)
        low = _CONDITION.sub("", low, count=1)
        low = _FRAME.sub("", low, count=1)
        low = _LIGHT.sub("", low, count=1)
    low = _SPACES.sub(" ", _LIGHT_INSIDE.sub(" ", _FILLER.sub(" ", low))).strip(" ,;")
    return low or normalise(text).strip()


def stem(word: str) -> str:
    """Light stemming, enough for "mattresses"/"mattress" and "confirming"/"confirmation"."""
    for suffix, keep in (
        ("ations", 5),
        ("ation", 5),
        ("ings", 5),
        ("ing", 5),
        ("ies", 4),
        ("sses", 4),
        ("es", 5),
        ("ed", 5),
        ("s", 4),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep - 2:
            if suffix == "ies":
                return word[:-3] + "y"
            if suffix == "sses":
                return word[:-2]
            if suffix == "s" and word.endswith("ss"):
                return word
            if suffix == "es" and not word.endswith(("sses", "shes", "ches", "xes", "zes")):
                return word[:-1]  # "blankets" handled by "s"; "rides" -> "ride"
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> frozenset[str]:
    """Stemmed content words of text's content, without light verbs."""
    return frozenset(
        stem(w)
        for w in re.findall(r"[a-z][a-z]+", content_of(text))
        if w not in _STOP and w not in _LIGHT_WORDS and len(w) > 2
    )


def conjuncts(text: str) -> list[str]:
    """The pieces of a coordinated offer; one piece when there is no "and" or comma."""
    pieces = [p.strip(" .!?") for p in _CONJUNCTS.split(text.strip(" .!?")) if p and p.strip(" .!?")]
    return pieces or [text]
