"""Keeps a model-voiced customer in role.

Small models drift: they answer as the agent ("How can I help you?"), mention
being an AI, wander off topic, repeat themselves or invent facts. Each rule here
rejects one kind of drift with a short reason; the voice keeps the best line that
passes and otherwise falls back to the authored line. The rules are plain text
checks, cheap enough to run on every candidate, and the `model` tests reuse them
to assert that what the customer said is in role.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from simulator.scenario import Scenario
from simulator.voice.base import LineRequest
from simulator.voice.meaning import MeaningCheck
from simulator.voice.prompt import other_labels, trainee_label

MAX_WORDS = 35  # "a sentence or two"; longer lines are rambling or a second speaker
MIN_WORDS = 2
MAX_SENTENCES = 3
TOPIC_THRESHOLD = 0.15  # lexical similarity below this to every reference is "off topic"
REPEAT_THRESHOLD = 0.8  # character similarity above this to an earlier line is a repeat

# Phrases only the agent says; a customer who says them has swapped roles.
AGENT_PATTERNS = [
    r"\bhow (can|may|could) i (help|assist)",
    r"\bhow can we help",
    r"\bwhat can i do for you",
    r"\b(can|may) i help you",
    r"\b(i'?d|i would|i'?ll) be (happy|glad|delighted) to (help|assist)",
    r"\bi'?m (happy|glad|here|just trying|trying) to help",
    r"\bis there anything else i can",
    r"\bthank you for (calling|choosing|contacting|staying|your patience|bringing)",
    r"\bwelcome to (our|the)\b",
    r"\bsorry for (the|any) inconvenience",
    r"\bapologi[sz]e for (the|any) inconvenience",
    r"\benjoy your stay",
    r"\blet me (check|see what i can do|arrange|bring|get you|help|find|look)",
    r"\bi(?:'ll| will) (bring|send|arrange|get you|have (it|them|someone)|move you|upgrade)",
    r"\b(we|i) can offer you",
    r"\bour (guests?|customers?|staff|policy|hotel|company)\b",
    r"\bdear (guest|customer|madam|sir)",
    r"\bfor your (stay|patience|understanding)",
]
AI_PATTERNS = [
    r"\bai\b",
    r"\bartificial intelligence",
    r"\blanguage model",
    r"\bchat ?bot",
    r"\bassistant\b",
    r"\bopenai|\bchatgpt|\bsmollm|\bgemma\b|\bhugging ?face",
    r"\bi(?:'m| am) (a|an|just a) (bot|program|computer|model)",
    r"\b(role[- ]?play|in character|as requested|here(?:'s| is) (a|an|my|the) (line|response|reply|rephrase))",
    r"\brephras",
]
# Talking about the task or narrating instead of speaking: "One or two short sentences",
# "The next line is:", "She smiles and says ...".
TASK_PATTERNS = [
    r"\b(sentences?|next line|own words|the line|this line|response|respond|dialogue|conversation)\b",
    r"\b(customer|clerk|the user)\b",
    r"\b(she|he) (said|says|asked|asks|smiles|sighs|turns|tells|replies|adds|looks)\b",
    r"\bsmiling\b|\bsighing\b",
    r"^\W*(a|the) (woman|man|mother|father|guest|customer)\b",
]
_AGENT = [re.compile(p, re.IGNORECASE) for p in AGENT_PATTERNS]
_STRAIGHT_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_AI = [re.compile(p, re.IGNORECASE) for p in AI_PATTERNS]
# Symbols people do not say; a model emitting them is producing markup or noise.
_GARBLED = re.compile(r"[\ufffd{}\[\]<>|\\^~_=*#@$%`]|[\x00-\x1f]")
_TASK = [re.compile(p, re.IGNORECASE) for p in TASK_PATTERNS]

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
    "midnight": 0, "noon": 12,
}  # fmt: skip
# "one" is mostly a pronoun ("the little one"); counting it would reject good lines.
_NUMBER_PRONOUNS = {"one"}
# Capitalised words that are not names even mid-sentence.
_NOT_NAMES = {
    "i", "i'm", "i'll", "i've", "i'd", "mr", "mrs", "ms", "miss", "sir", "madam", "ma'am",
    "ok", "okay", "please", "sorry", "thank", "thanks", "god", "oh", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "tv", "wifi", "wi-fi", "am", "pm",
}  # fmt: skip
_HONORIFICS = ("mr", "mrs", "ms", "miss", "dr")

_WORD = re.compile(r"[a-z0-9']+")
STOPWORDS = set(
    """a an the and or but if so to of in on at for with from by as is are was were be been am
    i me my we us our you your he she it they them this that these those there here do does did
    not no yes can could would should will shall may might must just very really please what
    which who when where why how all any some it's i'm we're you're that's there's don't can't
    have has had get got let's let up out about into than then too also only even still now""".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _stem(word: str) -> str:
    # Crude, but enough to match "children"/"child", "sleeping"/"sleep", "beds"/"bed".
    for suffix in ("ren", "ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content(text: str) -> set[str]:
    return {_stem(w) for w in words(text) if w not in STOPWORDS and not w.isdigit()}


def lexical_similarity(a: str, b: str) -> float:
    """Cosine of content-word sets: cheap, and good enough to tell on-topic from off."""
    ca, cb = content(a), content(b)
    if not ca or not cb:
        return 0.0
    return len(ca & cb) / (len(ca) * len(cb)) ** 0.5


Similarity = Callable[[str, Iterable[str]], float]  # best similarity of a line to references


def lexical_best(text: str, references: Iterable[str]) -> float:
    return max((lexical_similarity(text, r) for r in references), default=0.0)


def fact_numbers(request: LineRequest) -> set[int]:
    """The numbers every authored line of a fact beat gives: what the answer must carry."""
    if not request.beat.startswith("fact:") or not request.authored:
        return set()
    return set.intersection(*(plain_numbers(line) for line in request.authored))


def plain_numbers(text: str) -> set[int]:
    # Digits only: a number word such as "one" in an authored line is rarely the fact.
    return {int(part) for match in re.finditer(r"\d+(?::\d+)?", text) for part in match.group().split(":")}


def numbers_in(text: str) -> set[int]:
    found: set[int] = set()
    lowered = text.lower()
    for match in re.finditer(r"\d+(?::\d+)?", lowered):
        for part in match.group().split(":"):
            found.add(int(part))
    for w in words(lowered):
        if w in NUMBER_WORDS and w not in _NUMBER_PRONOUNS:
            found.add(NUMBER_WORDS[w])
    # Times said two ways ("23:00", "eleven at night") are the same fact.
    found |= {n - 12 for n in found if 13 <= n <= 24} | {n + 12 for n in found if 1 <= n <= 12}
    return found


def _sentences(text: str) -> list[str]:
    # "Mr. Johnson" is not the end of a sentence.
    parts = re.split(r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMrs\.)(?<=[.!?])\s+", text.strip())
    return [s for s in parts if s]


def sentences(text: str) -> list[str]:
    """The sentences `clean` counts, of a line's text."""
    return _sentences(re.sub(r"\s+", " ", text))


_INVENTED_LABEL = re.compile(r"(?<=[.!?])\s+[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,2}\s*:")


def clean(text: str, labels: Iterable[str] = ()) -> str:
    """A raw generation cut to the customer's line: first line, before any speaker label."""
    text = text.replace("\r", "")
    text = text.lstrip(" \n\"'")
    text = text.split("\n", 1)[0]
    for label in labels:
        # A label at the start is the model naming the speaker; later it is a new speaker.
        m = re.match(rf"\s*{re.escape(label)}\s*:\s*", text, re.IGNORECASE)
        if m:
            text = text[m.end() :]
    for label in labels:
        m = re.search(rf"\b{re.escape(label)}\s*:", text, re.IGNORECASE)
        if m:
            text = text[: m.start()]
    # Any "Name:" after a sentence is a new speaker the model invented ("... Dante: I'd").
    m = _INVENTED_LABEL.search(text)
    if m:
        text = text[: m.start()]
    for stop in ("<|", "<end_of_turn>", "<eos>", "</s>"):
        text = text.split(stop, 1)[0]
    text = re.sub(r"\s+", " ", text).strip().strip("\"'").strip()
    sentences = _sentences(text)
    if len(sentences) > MAX_SENTENCES:
        text = " ".join(sentences[:MAX_SENTENCES])
    return text


def settled(line: str, labels: Iterable[str] = ()) -> bool:
    """More words cannot change what the verifier makes of this unfinished line: it has
    begun a sentence past the ones kept, or is already too long to pass (one word of
    margin, as the last may be the start of a speaker label that cuts it)."""
    return len(sentences(line)) > MAX_SENTENCES or len(clean(line, labels).split()) > MAX_WORDS + 1


@dataclass(frozen=True)
class Verdict:
    text: str
    ok: bool
    reasons: tuple[str, ...]
    topic: float  # similarity to the beat; higher is better among passing lines
    # How close the line is to what the beat means (its words against the authored
    # lines, less for each word from outside the beat): passing lines are ranked by it.
    point: float = 0.0

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


class Verifier:
    """The in-role rules for one scenario."""

    def __init__(self, scenario: Scenario, similarity: Similarity | None = None) -> None:
        self.scenario = scenario
        self.meaning = MeaningCheck(scenario)
        self.similarity: Similarity = similarity or lexical_best
        self.labels = other_labels(scenario)
        self._scenario_text = self.scenario_text(scenario)
        self._numbers = numbers_in(self._scenario_text)
        self._vocabulary = set(words(self._scenario_text))
        name_words = [w for w in words(scenario.customer.name) if w not in _HONORIFICS]
        # The customer's surname after an honorific is how staff address them.
        self._self_address = [
            re.compile(rf"\b(?:{'|'.join(_HONORIFICS)})\.?\s+{re.escape(name_words[-1])}\b", re.IGNORECASE)
        ] if name_words else []  # fmt: skip
        # The customer's full name, or an honorific with it, is narration or staff talk.
        self._third_person = [
            re.compile(rf"\b{re.escape(scenario.customer.name)}\b", re.IGNORECASE),
            # "The handler tells you ...": narrating the scene instead of speaking in it.
            re.compile(rf"\bthe {re.escape(trainee_label(scenario))}\b", re.IGNORECASE),
        ]
        # What the whole conversation is about: a weaker reference for "on topic".
        self._core = [
            scenario.opening,
            scenario.brief,
            *(n.description for n in scenario.needs),
            *(f.text for f in scenario.customer.facts),
        ]

    @staticmethod
    def scenario_text(scenario: Scenario) -> str:
        parts = [scenario.title, scenario.brief, scenario.setting, scenario.opening, scenario.trainee_role]
        c = scenario.customer
        parts += [c.name, c.background, c.personality, c.speech]
        for f in c.facts:
            parts += [f.text, *f.lines]
        for n in scenario.needs:
            parts += [n.description, *n.met_lines, *n.nudge_lines, *n.customer_proposals]
            for s in n.solutions:
                parts += [s.text, *s.examples]
        for t in scenario.triggers:
            parts += [t.intent, *t.lines]
        e = scenario.end
        for ending in (e.resolved, e.walked_out, e.turn_limit):
            parts += [*ending.lines, ending.intent or ""]
        return "\n".join(parts)

    def topic(self, text: str, request: LineRequest) -> float:
        beat = self.similarity(text, [request.intent, *request.authored])
        core = self.similarity(text, self._core)
        return max(beat, 0.5 * core)

    def check(self, raw: str, request: LineRequest, *, cleaned: bool = False, lead: str = "") -> Verdict:
        """Judge one line; `lead` is the authored opening the model was started on."""
        text = raw if cleaned else clean(raw, self.labels)
        reasons: list[str] = []
        if lead and len(text.removeprefix(lead).split()) < 2:
            # Only the authored opening: the script's words, not the model's voice.
            reasons.append("adds nothing to the authored opening")
        n_words = len(text.split())
        if n_words < MIN_WORDS:
            reasons.append("empty" if n_words == 0 else "too short")
        elif n_words > MAX_WORDS:
            reasons.append("too long")
        if _GARBLED.search(text):
            reasons.append("garbled text")
        elif (text.count('"') + text.count("\u201c") + text.count("\u201d")) % 2:
            # A quotation begun and never closed: a small model wandering off into a
            # story or a list, not a customer talking.
            reasons.append("garbled text (an unclosed quotation)")
        # The patterns are written with straight quotes; models also write "I’ll".
        plain = text.translate(_STRAIGHT_QUOTES)
        if any(p.search(plain) for p in _AGENT):
            reasons.append("speaks as the agent")
        if any(p.search(plain) for p in self._self_address):
            reasons.append("addresses the customer by name")
        if any(p.search(plain) for p in _AI):
            reasons.append("mentions being an AI or the role-play")
        if any(p.search(plain) for p in _TASK):
            reasons.append("talks about the task or narrates")
        if any(p.search(plain) for p in self._third_person):
            reasons.append("speaks of the customer in the third person")
        if "?" in plain and re.search(r"\b(do|would|can|could|shall) you (like|want|need)\b", plain, re.I):
            reasons.append("offers service")
        topic = self.topic(text, request) if n_words else 0.0
        if n_words and topic < TOPIC_THRESHOLD:
            reasons.append(f"off topic ({topic:.2f})")
        earlier = [*request.said_before, *(t for s, t in request.history)]
        if any(SequenceMatcher(None, text.lower(), e.lower()).ratio() > REPEAT_THRESHOLD for e in earlier):
            reasons.append("repeats an earlier line")
        if self._repeats_itself(text):
            reasons.append("repeats itself")
        if extra := sorted(numbers_in(text) - self._numbers):
            reasons.append(f"numbers not in the scenario ({', '.join(map(str, extra[:3]))})")
        if missing := sorted(fact_numbers(request) - numbers_in(text)):
            # The trainee asked for this fact (a name, a membership number, a time):
            # a line that drops it answers nothing.
            reasons.append(f"leaves out the fact's numbers ({', '.join(map(str, missing[:3]))})")
        if names := self._unknown_names(text):
            reasons.append(f"names not in the scenario ({', '.join(names[:3])})")
        point = 0.0
        if n_words:
            sense = self.meaning.check(text, request, lead)
            reasons += sense.reasons
            point = sense.point
        return Verdict(text, not reasons, tuple(reasons), topic, point)

    @staticmethod
    def _repeats_itself(text: str) -> bool:
        """A phrase said twice in one line ("a little, a little") is a small model looping,
        and so is a short sentence said twice ("Good morning. Good morning.")."""
        ws = words(text)
        grams = [tuple(ws[i : i + 4]) for i in range(len(ws) - 3)]
        if len(set(grams)) < len(grams):
            return True
        said = [tuple(words(sentence)) for sentence in sentences(text)]
        said = [s for s in said if len(s) >= 2]  # "No. No." is how people talk
        return len(set(said)) < len(said)

    def _unknown_names(self, text: str) -> list[str]:
        """Capitalised words mid-sentence that the scenario never uses: invented names."""
        unknown = []
        for sentence in _sentences(text):
            tokens = re.findall(r"[A-Za-z][A-Za-z'.-]*", sentence)
            for token in tokens[1:]:
                bare = token.strip(".'-")
                if not bare or not bare[0].isupper() or (bare.isupper() and len(bare) <= 2):
                    continue
                if bare.lower() in _NOT_NAMES or bare.lower() in self._vocabulary:
                    continue
                unknown.append(bare)
        return unknown
