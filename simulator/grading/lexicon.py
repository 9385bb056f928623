"""Word patterns the rules look for, written for any customer-service scene.

The courtesy list starts from the politeness strategies of Danescu-Niculescu-Mizil
et al. (2013): gratitude, apology, "please", indirect requests ("could you"),
hedges, deference, greetings, and on the other side direct imperatives,
sentence-initial "please" used to push, and second-person blame. The seed
stories add acknowledging feelings and interest in the person.

Patterns match normalised text (lower case, straight quotes). They must stay
general: a new scenario (a bank, a phone shop) should be graded by the same
lists without a single new entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    points: int
    reason: str
    act: str | None = None


def rule(pattern: str, points: int, reason: str, act: str | None = None) -> Rule:
    return Rule(re.compile(pattern), points, reason, act)


# A count of days, also as a range: "five working days", "5-7 days", "five to seven days".
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|ten|fourteen)"
N = rf"{_NUMBER}(?:\s*(?:-|\u2013|to)\s*{_NUMBER})?"

# -- courtesy: what raises it ------------------------------------------------

APOLOGY = re.compile(
    r"\b(?:(?:i'm|i am|we're|we are|so|very|really|terribly) sorry|^sorry\b|sorry (?:about|bout|abt|for|to)|"
    # "that's not great, sorry!": an apology at the end of a sentence, however informal.
    r"sorry(?=\s*(?:[!.,]|$))|"
    r"(?:i|we) (?:do |sincerely |truly )?apologi[sz]e|my apologies|our apologies|apologies for|"
    # The mistake owned: "our mistake entirely", "that one's on us", "we dropped the ball".
    r"(?:^|that's |that is |it's |it is |entirely |completely |must have been |was |been )(?:our|my) (?:mistake|fault|error|bad)\b|"
    # "It must have been a slip at our end", "a mistake on our part".
    r"\b(?:mistake|error|slip|slip-up|mix-up|oversight) (?:on|at) our (?:side|end|part)\b|"
    r"(?:that's|that is|that one's|this is) on (?:us|me)\b|(?:we|i) dropped the ball|"
    # "The error is ours", "the fault was mine", "we got it wrong".
    r"the (?:mistake|fault|error|mix-up) (?:is|was|'s) (?:all |entirely )?(?:ours|mine)\b|(?:we|i) got (?:it|this|that) wrong|"
    # Text-speak: "sry abt that", "soz".
    r"\bsry\b|\bsrry\b|\bsoz\b)"
)
GREETING = rule(
    r"^(?:hello|hi|hiya|hey there|good (?:morning|afternoon|evening|day|night)|welcome|greetings|dear)\b",
    9,
    "greeting",
    "greets",
)
COURTESY_POSITIVE: tuple[Rule, ...] = (
    rule(r"\b(?:thank(?:s| you)|i appreciate|much appreciated|grateful)\b", 10, "thanks", "thanks"),
    rule(APOLOGY.pattern, 10, "apology", "apologises"),
    rule(r"\b(?:please|pls|plz)\b", 6, "please"),
    rule(
        r"\b(?:could you|would you(?: mind| like| prefer| be)?|would it be|may i|might i|can i|"
        r"if you (?:don't|wouldn't) mind|if that's (?:ok|okay|alright|all right)|i was wondering|"
        r"do you mind|shall i|is it ok if|"
        # The paper's first-person plural and "by the way": a suggestion shared, an aside.
        r"could we|shall we|might we|perhaps we could|maybe we could|by the way|any chance (?:you|of|we))\b",
        6,
        "indirect request",
    ),
    rule(
        r"\b(?:i'm afraid|i am afraid|unfortunately|perhaps|possibly|i think|i believe(?! you\b)|if possible)\b",
        4,
        "hedge",
    ),
    rule(r"\b(?:sir|madam|ma'am|miss)\b", 6, "respectful address"),
    rule(
        r"\b(?:of course|certainly|absolutely|with pleasure|my pleasure|happy to|glad to|"
        r"(?:i'd|i would) be (?:happy|glad|delighted)|no problem at all|gladly)\b",
        6,
        "willing tone",
    ),
    rule(
        r"\b(?:i (?:completely |totally |fully |really )?understand|i can (?:see|imagine|hear)|"
        r"i can't imagine|that (?:sounds|must (?:be|have been)|is (?:awful|terrible|frustrating|stressful))|"
        r"how (?:tiring|frustrating|stressful|awful|annoying|upsetting|worrying|exhausting|horrible)|"
        r"oh (?:dear|no)|what a (?:long|tiring|terrible|stressful|horrible|rough)|after (?:such )?a long|"
        r"(?:sorry|sad) to hear|no wonder|"
        # "you must be worn out": the epistemic must, about how the customer feels
        r"you must (?:be|feel|have (?:been|had))\b(?! (?:joking|kidding|mistaken|confused|wrong|aware))|"
        r"i know (?:how|this|it's)|i hear you|(?:that's|that is) (?:understandable|not (?:what you (?:booked|expected|paid for)|ok|okay|acceptable|right))|"
        r"you're right|you are right|(?:i'd|i would) (?:be|feel) (?:exactly |just )?(?:furious|upset|angry|frustrated|the same|worried|exhausted)|"
        r"(?:that's|it's) (?:frustrating|awful|terrible|stressful|not fair)|"
        # "That isn't how you wanted tonight to go": the let-down named, nothing refused.
        r"(?:isn't|is not|wasn't|was not|not) (?:quite |exactly |at all )?(?:what|how) (?:you|anyone) "
        r"(?:wanted|want|hoped|planned|expected|imagined|pictured|deserve|deserved)\b|"
        # "That's really frustrating", "it's a horrible feeling", "that's an awful position to be in".
        r"(?:that's|that is|it's|it is|this is|that sounds) (?:(?:really|so|such|just|absolutely|truly|a|an)\s+){1,3}"
        r"(?:frustrating|awful|terrible|stressful|horrible|worrying|upsetting|rotten|miserable|exhausting|scary|"
        r"frightening|distressing|disappointing|unfair|nightmare)|"
        # Bare, the feeling must be the whole verdict or be about what happens ("it's horrible
        # waiting"), not a thing judged ("this is terrible code").
        r"(?:that's|that is|it's|it is|this is|that sounds) (?:frustrating|awful|terrible|stressful|horrible|"
        r"worrying|upsetting|rotten|miserable|exhausting|scary|frightening|distressing|disappointing|unfair)"
        r"(?=\s*(?:[.,!;?]|$|(?:when|to|for|that|having|waiting|watching|being|not|after|luck|news|out there)\b))|"
        r"i (?:do|truly|absolutely|genuinely) understand|"
        r"(?:i'd|i would) be (?:so |really |just as )?(?:stressed|worried sick|gutted|fuming|panicking|beside myself)|"
        r"(?:what|how) (?:a |an )?(?:horrible|awful|stressful) |"
        r"(?:you've|you have) every right|i (?:really )?admire (?:you|that)|i (?:really )?don't want you to miss|"
        r"(?:you've|you have) had (?:a|such a) (?:rotten|awful|horrible|terrible|rough|long|miserable|dreadful|hard) "
        r"(?:start|day|time|journey|night|week|morning|evening)|(?:the )?least you deserve|"
        r"(?:i'd|i would) be (?:beside myself|in bits|in pieces|devastated|livid|heartbroken))",
        10,
        "acknowledges feelings",
        "empathises",
    ),
    rule(
        r"\b(?:are you (?:safe|ok|okay|alright|all right|warm|hurt|somewhere safe)|is everyone (?:ok|okay|safe|alright)|"
        r"how are (?:you|the (?:children|kids))|for the (?:kids|children|little ones)|anything for|"
        r"(?:have|take) a seat|can i (?:get|bring|offer) you|(?:some |a cup of )?(?:tea|coffee|hot chocolate|a glass of water)\b|"
        r"stay safe|take care|(?:you're|you are) in good hands|(?:i|we) won't leave you|(?:i|we) will not leave you|"
        r"don't worry|do not worry|dont worry|don't panic|do not panic|dont panic|don't fret|never mind the|"
        r"(?:no need to|don't) apologi[sz]e|"
        r"poor (?:thing|you|love|mite|lamb)|bless (?:her|him|you|them)|"
        r"no worries|not to worry|rest assured|(?:we|i)(?:'ll| will| can)(?: \w+)? look after you|"
        r"make yourself comfortable|get some rest|"
        # Good wishes for the occasion.
        r"happy (?:anniversary|birthday|holidays|new year)|congratulations on|many happy returns|"
        r"enjoy your (?:evening|meal|night|stay|day|trip|holiday)|have a (?:lovely|great|wonderful|good|safe) "
        r"(?:evening|night|day|time|meal|stay|trip|journey|flight))",
        8,
        "care for the person",
    ),
)
ACKNOWLEDGES = next(r for r in COURTESY_POSITIVE if r.reason == "acknowledges feelings")
# Deference (Danescu-Niculescu-Mizil et al.): crediting the customer, owning the mistake.
DEFERENCE = rule(
    r"\b(?:(?:good|great|fair|excellent|sensible|lovely|brilliant|clever) (?:idea|point|question|thought|suggestion)|"
    r"thank you for (?:suggesting|the suggestion)|you did everything right|"
    r"you(?:'ve| have)? (?:did|done) (?:exactly |absolutely |just )?the right thing|you did nothing wrong|"
    r"you're doing (?:fine|great|really well|so well|brilliantly|everything right|the right thing|all the right things)|"
    r"(?:it's|that's|this is|it was) (?:all )?(?:our|my) (?:fault|mistake)|we should have|"
    # Praise of the other's work: words that are praise by themselves ("great catch"),
    # or praise addressed to them ("your really clear summary"), not "a clear photo".
    r"(?:nice|great|good|lovely|excellent|brilliant|wonderful|fantastic|amazing|superb|terrific|impressive|neat) "
    r"(?:work|job|answer|explanation|catch|effort|spot|find|write-?up)|"
    r"(?:your|thanks for (?:the|your)|thank you for (?:the|your)|what an?|such an?) (?:really |very |so )?"
    r"(?:nice|great|good|lovely|excellent|brilliant|wonderful|fantastic|amazing|superb|terrific|impressive|neat|"
    r"helpful|clear|useful|thorough|thoughtful|detailed) (?:article|post|summary|tutorial|guide|photos?|picture|map|"
    r"edits?|contributions?)|the clearest (?:explanation|answer|summary|guide)|well done|nicely (?:done|put|explained)|"
    r"you shouldn't have to|you're exactly|happy to help|i (?:do )?believe you|i don't doubt (?:you|it|that))\b",
    8,
    "deference: credits the customer",
)
# A polite opening that is not a greeting: "Oh dear", "Of course" counted above.

# -- courtesy: what lowers it ------------------------------------------------

# Verbs a command starts with. "Stay safe" or "have a seat" are care, handled
# by CARE_IMPERATIVE; "let me" is an offer, not an order.
COMMAND_VERBS = (
    "fix|undo|remove|delete|learn|change|revert|explain|submit|upload|attach|cancel|fetch|figure|go|send|give|fill|wait|stop|call|take|read|listen|calm|sit|come|get|bring|show|tell|check|look|"
    "leave|hold|hang|move|pay|sign|follow|try|use|restart|reboot|turn|press|click|unplug|plug|put|"
    "provide|enter|write|complete|contact|email|phone|ring|find|accept|deal|understand|keep|quit|"
    "sleep|share|answer|repeat|speak|talk|do|make|switch|open|close|install|download|update|be|"
    "don't|do not|never|just|relax|chill"
)
COMMAND = re.compile(
    rf"^(?:(?:ok|okay|right|so|now|fine|well|look|listen|then|just)[,!.]?\s+)*(?:{COMMAND_VERBS})\b"
)
CARE_IMPERATIVE = re.compile(
    r"^(?:(?:ok|okay|so|now|just|then|right|look|listen|oh|ah)[,.]?\s+)*(?:stay (?:safe|away|clear|warm|inside|in the car|calm|with)|"
    # "Hang on, actually, yes": a beat before good news, not an order to wait.
    r"(?:hang|hold) on\b(?=[^.!?]*\b(?:actually|yes|let me|i'll|i think|i can|we can|maybe|i've got|i have)\b)|"
    r"keep (?:safe|warm|clear|away)|don't worry|do not worry|dont worry|don't panic|do not panic|dont panic|"
    r"don't fret|never mind|don't apologi[sz]e|follow me|(?:come )?this way|take care|(?:have|take) a (?:seat|rest|look|good|"
    r"breath|deep breath|breather|minute|moment)|"
    r"try not to (?:worry|panic|fret|stress)|(?:don't|do not) hang up|stay on the line|"
    r"feel free|enjoy|rest assured|be careful|mind the|get some rest|give me (?:a|one|two|five|ten|just a) "
    r"(?:moment|minute|minutes|second|seconds|sec)|bear with me|hold on (?:a|one|just a|just one) (?:moment|second|minute|sec)|"
    # Asked in to be helped: "bring him straight in", "come now, the nurse is waiting".
    r"bring (?:him|her|them|it|the [a-z]+|your [a-z]+) (?:straight|right) (?:in|over|round|here|down)\b|"
    r"come (?:now|straight away|right away|right now|as quick as you can)\b|"
    # "Hold on, let me ask the driver": a pause before a deed.
    r"hold on,? (?=(?:let me|i'll|i will|i'm)\b)|"
    r"let me|let us|let's|leave (?:it|this|that|everything|the rest) (?:with|to) me|tell you what|"
    # An invitation in: "come round to the lodge", "pop in whenever suits you".
    r"(?:come|pop) (?:round|over|in|inside|through|straight (?:in|over|here|to))\b|"
    r"[a-z]+ (?:it |them |him |her )?(?:in |over |round )?whenever (?:it )?suits|tell me (?:more|how|what happened)|come (?:in|inside|with me)|"
    r"make yourself|take (?:all )?(?:the time you need|your time)|"
    # An invitation, the choice left to the customer: "sit anywhere you like", "order what you fancy".
    r"(?=[^.!?]*\b(?:whatever|what|anything|wherever|anywhere|any [a-z]+) you (?:like|want|fancy|wish|prefer)\b)"
    r"(?![^.!?]*\b(?:don't|do not|dont) care\b)|"
    # Reassurance sent through the customer: "Tell her nobody is sending her away."
    r"tell (?:him|her|them|your [a-z]+) (?:that )?(?:nobody|no one|not to worry|we(?:'re|'ll| will| are)|it(?:'ll| will)|"
    r"(?:she|he|they)(?:'s|'re| is| are|'ll| will) (?:going to|gonna|getting|having|be|fine|safe|okay|ok)\b))"
)
SOFTENER = re.compile(
    r"\b(?:please|kindly|could you|would you|if you (?:can|could|don't mind|wouldn't mind)|thanks|thank you)\b"
)
# "Please" that pushes: "please just read the policy", "please calm down".
POLITE_COMMAND = rule(
    r"\b(?:please,? (?:just|simply|stop|calm down|understand|accept(?! (?:our|my|this|these|a|an) )|read|listen|be patient|wait your turn|"
    r"respect|don't (?:shout|raise))|(?:just|simply) please)\b",
    -18,
    "polite word used to command",
    "commands",
)
OBLIGATION = rule(
    r"\b(?:you('ll| will)? have to(?! be there)|you must(?! be\b| have (?:been|had)| feel)|you need to|you(?: will|'ll) need to|"
    r"you've got to|you have got to)\b",
    -10,
    "puts the burden on the customer",
)
EMPHATIC_PRESSURE = rule(
    r"(?:^|[.!]\s+)(?:now|immediately|right now|hurry up|quickly)[.!]+|\bnow!|\bhurry\b",
    -12,
    'pressure ("now")',
    "commands",
)
# Danescu-Niculescu-Mizil et al. (2013) found these lower politeness in requests
# of any kind: insisting on the facts against the other person, a pointed
# "why" at the other person, and a verdict on the other's own work.
FACTUALITY = rule(
    r"^(?:in fact|actually),? you\b|\bthe (?:fact|point|truth|reality) is(?: that)?,? you\b",
    -4,
    "insists on the facts",
)
POINTED_WHY = rule(
    r"^(?:so,? |but |and )?why (?:on earth |exactly )?(?:did|would|do|does|are|were|have|has|didn't|won't|can't|couldn't|"
    r"wouldn't|haven't|hasn't|aren't|weren't|keep) you\b",
    -6,
    'a pointed "why" at the other person',
)
VERDICT_ON_THEIRS = rule(
    r"\b(?:you're|you are|you were) (?:(?:simply|just|plainly|clearly|completely|totally|dead) )?(?:wrong|mistaken|incorrect)\b|"
    r"\byour (?:[a-z]+ )?(?:edit|edits|answer|code|comment|change|changes|summary|post|work|claim|argument|logic|"
    r"reasoning|revert|wording|question|understanding|reading|analysis|interpretation|assumption|premise|"
    r"theory|maths|math|calculation|translation|grammar|source|sources|citation|example|patch|"
    r"query|script|approach|method|solution)(?: [a-z]+){0,4} (?:is|are|was|were) (?:(?:simply|just|plainly|clearly|"
    r"completely|totally|also) )?(?:wrong|incorrect|misleading|nonsense|rubbish|garbage|bad|poor|terrible|awful|"
    r"pointless|irrelevant|confusing|sloppy|biased)\b",
    -10,
    "a verdict on the other's own work",
)
BLAME = rule(
    # "You should have had a call from us" is the company's failing, not the customer's.
    r"\b(?:(?<!what )(?<!which )(?<!how )(?<!when )you should(?: really| probably| just)?(?:'ve| have| of)"
    r"(?! (?:had|been able) to)(?! (?:had|got|received|been (?:given|told|offered|sent|called|contacted))\b)|(?:^|(?:but|well|look|as|to be fair),? )you were (?:told|warned|advised|informed)\b"
    r"(?! (?:wrong|incorrectly|the wrong|something (?:wrong|different)|otherwise|differently))|"
    r"(?:you|u) could(?:'ve| have) (?:just )?(?:checked|read|looked|asked|rung|called)|"
    r"^did (?:you|u) (?:leave|forget|not (?:check|read|see))\b|"
    r"if you(?:'d| had) [a-z' ]+?,? (?:this|it|that|none of this) (?:wouldn't|would not|would never|would) have (?:happened|been)|you shouldn't have(?! (?:had )?to)(?! (?:had|been|needed)\b)|"
    r"^should(?:'ve| have) been|^should(?:'ve| have| of) (?:got|come|gone|known|left|arrived)\b|"
    r"if you'd (?:booked|read|come|checked|told|sent|applied)|"
    r"are you sure (?:that|it|you)|did you even|"
    # Doubting the customer's own account: "perhaps you booked for another night?"
    r"(?:maybe|perhaps|could it be that|is it possible) you (?:booked|rang|called|phoned|wrote|got|made|mixed|"
    r"confused|forgot|misread|misheard|dreamt|imagined)|people try this|(?:probably|must be) your|(?:^|\byou(?: can| could| should| need to| have to| will have to|'ll have to|'ll need to|'d need to|'d have to)? |\bplease )take (?:it|that|this) up with|"
    r"read the terms next time|next time,? (?:read|book|check)|"
    # "Maybe order on time next time?": a lesson, not help.
    r"(?:maybe|perhaps|try to|try and|remember to|make sure you) [a-z' ]{2,40}?\bnext time\b|"
    r"(?:an? )?(?:earlier|better|bigger|proper) [a-z]+ next time\b|"
    # A lesson for the customer: "you really should keep the receipts somewhere safe".
    r"(?:^|, )you (?:really|honestly|seriously|always) (?:should|ought to|need to|have to)\b|"
    # "It isn't your fault" takes the blame off the customer.
    r"(?<!isn't )(?<!is not )(?<!not )(?<!wasn't )(?<!was not )(?<!never )(?:your|you're) (?:own )?fault|"
    r"you could(?:'ve| have) (?:just )?(?:said|told|mentioned|asked|checked|read|paid|booked|called|rung)|"
    r"^should(?:'ve| have| of) (?:read|checked|booked|thought|asked|looked|paid|backed|bought|kept|left|put|[a-z]+ed)\b|"
    r"you (?:might|could) have (?:just )?(?:booked|checked|asked|read|called|rung|phoned|ordered|bought)|"
    r"(?:properly|carefully) next time|probably [a-z]+ (?:it |that |this )?(?:at|in|from) your|"
    r"you (?:didn't|did not|failed to|forgot to|never) (?:read|check|book|tell|say|service|ask)|"
    r"you were (?:supposed|meant) to|should (?:service|maintain|check|read|look after) (?:your|their)|"
    r"if you had(?:n't)? (?:just |only |actually )?(?:[a-z]+ed|been|read|done|made|gone|come|told|paid|brought|kept|bought|left|sent|got|known|seen|taken|thought|rung|put|said)\b|that's on you|you (?:need|ought) to learn|people like you|"
    r"blame (?:yourself|the)|(?<!not )(?<!isn't )your (?:own )?mistake|"
    # "That's your problem", not "I'll solve your problem".
    r"(?:that's|that is|it's|it is|not my problem,?|sounds like) your (?:own )?problem|you (?:people|guys) always)\b",
    -18,
    "blame",
    "blames",
)
DISMISSAL = rule(
    r"\b(?:not (?:really )?my (?:problem|department|job|fault|concern|responsibility)|not (?:really )?our (?:problem|concern|fault)|"
    r"what did (?:you|u) expect|(?:can't|cannot|cant) just drop everything|not rocket science|"
    r"we hear (?:this|that) (?:every day|all the time)|heard it all before|how many times|"
    r"what (?:do|d'|did) ?you (?:want|expect) (?:me to do|from me|me to say)|(?:do|d') ?you (?:even )?know how many|what do you expect|i don't care|who cares|"
    r"whatever(?!\s+(?:happens|you (?:need|like|prefer|want|decide|choose)|it takes|works|suits|time|the|it|that|else|"
    r"they|we|i|is|costs?|comes|suits|helps|day|works best))|deal with it|"
    r"that's life|too bad|tough luck|i (?:already )?(?:said|told you) (?:no|already|that)|i said no|as i (?:already )?said|"
    r"stop (?:calling|making|complaining|shouting|bothering|wasting|whining|asking|going (?:on|over))|making a scene|"
    r"calm down|get over it|why (?:should|would) i|is that (?:so )?hard|"
    r"(?:we're|we are) not a [a-z ]*service|not how (?:it|this) works|that's (?:just )?how (?:it is|it goes|things are|things go)|"
    # "We're not a hotel, madam": what the place is not, as the whole answer.
    r"(?:^|, )(?:(?:we're|we are) not|this is not|this isn't) (?:a|an) [a-z]+(?: [a-z]+)?(?=,? (?:sir|madam|ma'am|love|mate)\b|[.!]|$)|"
    r"what you expect (?:us|me) to do|make a scene|(?:everybody|everyone) else (?:managed|manages|copes|coped)|"
    # "A booking is a booking": a rule restated as its own reason.
    r"(?:the |a )?(?P<same>[a-z]{4,})(?: is| are|'s)(?: still)? (?:the |a )?(?P=same)(?![a-z])|(?:it's|that's|it is) hardly\b|"
    r"^no (?!(?:worries|problem|rush|hurry|charge|fuss|stress|pressure)\b)[a-z]+, "
    r"no (?!(?:worries|problem|rush|hurry|charge|fuss|stress|pressure)\b)[a-z]+(?=[.!]|$)|"
    r"you'll (?:just )?have to live with|sorry you feel|sorry if you feel|nothing to do with (?:me|us)|"
    r"not (?:really )?(?:my|our) concern|these things happen|not the end of the world|(?:you're|you are) not the only|"
    r"like (?:everyone|everybody) else|everyone (?:is|'s) (?:waiting|in a hurry)|everyone does|(?:shouting|yelling) won't|"
    r"don't shout|stop shouting|it works for (?:other|everyone)|other people manage|"
    r"can't blame (?:it|them|us)|rules are rules|that's it\.?$|"
    r"happens to (?:everyone|everybody|all of us)|welcome to (?:being|the real world|adulthood)|"
    r"^i (?:already )?said (?:we're|it's|that's|we are|it is)\b|"
    # The brush-off of a counter: "I just work here".
    r"i (?:just|only) work (?:here|the desk|the counter|the phones?|in [a-z]+)|"
    # A question that is not asked: "what would you like me to do, knock the wall down?"
    r"what (?:would|do) you (?:like|want|expect) me to do, [a-z]+|"
    # "How is that my problem?"
    r"how (?:is|was) (?:that|this|it) (?:my|our) (?:problem|fault|concern|job))\b",
    -22,
    "dismissal",
    "rude",
)
# Impatience: the customer is holding the agent up. Discourteous, but it says nothing
# about the offer ("The van's on its way, stop calling"), so unlike a
# dismissal it is not read as dismissing the problem.
# Talking down to the other person: "could you at least ...", "as I already said",
# "do you understand why ...", a complaint about what they keep
# doing, an ultimatum, asking them to stop doing something. ("Where exactly are
# you?" is not one: in service it asks for a precise answer.)
CONDESCENSION = rule(
    r"\b(?:(?:could|can|would) you (?:please )?(?:at least|even)\b|"
    r"as i (?:have )?already (?:said|explained|told you|mentioned|pointed out)|"
    # "Enough with the guilt trip": the customer's worry called a ploy; "ok and?"; "that's more than
    # anyone else gets".
    r"enough with the|guilt trip|^(?:ok|okay|right|so|yeah),? and(?=\?)|more than (?:anyone|anybody|most people) else gets|"
    r"as i (?:have )?(?:said|explained|told you|mentioned|pointed out) (?:twice|three times|several times|many times)|"
    r"(?:do|did) you (?:even |actually )?(?:understand|reali[sz]e) (?:why|that|what|how)|you do reali[sz]e|"
    r"which part of .{1,40}(?:is unclear|was unclear|don't you|do you not|did you not)|"
    r"reason (?:why )?you keep|you keep (?:changing|adding|reverting|removing|deleting|undoing|ignoring|posting|"
    r"pinging|tagging|moving|re-?adding|insisting|putting)|"
    r"(?:this is|that's|this will be) the last time i(?:'m| am|'ll| will)? (?:ask|asking|say|saying|tell|telling)|"
    r"(?:can|could|would|will) you (?:please |just )?(?:stop|quit) (?!worrying|apologi[sz]ing|panicking|using|driving|taking|running|paying|eating|drinking)[a-z]+ing)\b",
    -12,
    "talks down to the other person",
    "rude",
)
# Calling oneself or one's own question stupid is modesty, not an insult.
SELF_DEPRECATION = re.compile(
    r"\b(?:(?:sorry|forgive me|excuse me|apologies)[^.?!]{0,30}(?:a|this|my) (?:stupid|dumb|silly|daft|naive) question|"
    r"(?:maybe|probably|perhaps|might be|may be|could be) (?:a )?(?:stupid|dumb|silly|daft|naive) question|"
    r"my (?:stupid|dumb|silly|daft|naive) question|"
    r"i(?:'m| am) (?:being )?(?:so |really |probably )?(?:stupid|dumb|an idiot|thick|clueless)|"
    r"(?:i feel|feel) (?:so |really )?(?:stupid|dumb|silly|like an idiot))\b"
)
IMPATIENCE = rule(
    r"\b(?:i (?:haven't|have not|don't have) got all day|i(?:'ve| have) got a queue|move along|step aside|"
    r"happy now|yeah,? yeah|are we done|what a fuss|(?:yes,? )?i heard you(?: the first time)?|can we (?:stop|move on) now|"
    r"running commentary|what (?:more|else) do you want (?:from me|me to do)|take it or leave it|spare me|"
    # Closing jabs and exasperation: "Satisfied?", "no need for the tone".
    r"can i go now|(?:^|[.!?]\s+)(?:happy|satisfied)(?=\?)|no need for (?:the|all the|that) (?:attitude|drama|guilt trip|tone|"
    r"sarcasm|theatrics|dramatics|lecture)|(?:^|[.!?]\s+)(?P<again>alright|okay|ok|fine|yes),? (?P=again)\b|"
    r"if you(?:'d| would) (?:let me get a word in|stop talking)|don't expect miracles|which i doubt|"
    r"(?:don't|do not) waste my time|if you don't like it|were you expecting|not the ritz|"
    r"everyone says (?:that|they)|(?:every|each) (?:caller|customer|person|one) says (?:that|this|the same)|"
    r"(?:don't|dont) expect (?:this|that|miracles)|or can i go|(?:there's|there is|i've got|i have) a queue behind you|"
    # "How should I know?", "don't come crying to me", "I'm not a mind reader".
    r"how (?:should|would|am) i (?:to )?know\b|(?:don't|do not) come crying to|heard (?:that|this) (?:one|story|excuse) before|"
    r"(?:i'm|i am) not (?:a|an|your) (?:babysitter|nanny|mind reader|miracle worker|magician|servant|secretary)\b|"
    r"(?:don't|dont) (?:call|ring|bother|come to) us again|stop (?:rushing|hurrying|pushing) me|"
    r"stop (?:messaging|texting|emailing|ringing|getting (?:worked up|upset|so worked up)|panicking|worrying|crying|hovering|"
    r"fussing|moaning|nagging)|"
    # The tone, not the deed: "do you want it or not?", a tag that presses ("Okay?" on
    # its own, "it's not done, alright?"; not "I'll come and find you, alright?").
    r"or not(?=\?)|(?:^|[.!]\s)(?:alright|all right|okay|ok|understood|got it)(?=\?)|"
    r"(?:[a-z]+n't|not|no) [a-z' ]{0,30}, (?:alright|all right|okay|ok)(?=\?)|"
    r"(?:like|as) (?:you've|you have) been told|i've already told you|"
    r"no need to get (?:so )?(?:defensive|upset|worked up|angry|emotional|shirty|arsey|snippy)|"
    # The queue called on past the customer: "We're full. Next, please."
    r"^next(?:,? please| (?:customer|person|in line))?(?=[.!]*$))\b",
    -22,
    "dismissal",
    "rude",
)
INSULT = rule(
    r"\b(?:stupid(?:est|er|ity)?|idiots?|idiotic|dumb(?:est|er)?|morons?|moronic|ridiculous|pathetic|clueless|"
    r"incompetent|lazy|shut up(?! shop)|fool|you (?:\w+ )?clown|trolls?|loser|jerk|imbecile|halfwit|numpty|muppet|twit|prat|"
    r"brain-?dead|(?:have|got) a brain|use your brain|(?:^|\bor |\band |[,;] ?)get lost|get a life|"
    r"you people|people like you|get a grip|grow up|are you (?:deaf|blind|serious)|can't you read|"
    r"learn to read|useless)\b",
    -30,
    "insult",
    "rude",
)
# Siding with the customer, and words aimed at the customer: an insult word beside
# the first and without the second judges the situation, not the person.
SIDES_WITH = re.compile(
    r"\b(?:i agree|i completely agree|you're right|you are right|i know|i'm (?:so |really )?sorry|"
    r"i don't blame you|no wonder|quite right|fair enough)\b"
)
AT_YOU = re.compile(
    r"\b(?:you're|you are|you|your)\s+(?:(?:so|being|just|really|a|an|such an?)\s+)*"
    r"(?:stupid|idiot|idiotic|dumb|moron|ridiculous|pathetic|clueless|incompetent|lazy|useless)\b"
)
# Swearing at or near the customer.
PROFANITY = rule(
    r"\b(?:bloody hell|for (?:god's|heaven's|christ's|pete's) sake|ffs|damn(?:ed)?|goddam\w*|crap(?:py)?|piss off|"
    r"bloody (?:customers?|people|ridiculous)|what the hell|the hell)\b",
    -25,
    "swearing",
    "rude",
)
SARCASM = rule(
    r"\b(?:oh,? great|oh,? wonderful|oh,? perfect|wow,? (?:thanks|great|really)|thanks for nothing|"
    r"good luck with that|congratulations,? you|sure,? because|as if|yeah,? right|what a surprise|"
    r"genius|brilliant idea|(?:oh,? )?(?:sure|right),? let's (?:all )?just|nice try|"
    # "Do I look like a locksmith?", "if I had a pound for every one of those".
    r"do i look like (?:a|an|the)\b|if i had a (?:pound|penny|dollar|euro|quid|fiver) for every|"
    # "Oh great, because I control the traffic now": a mock reason.
    r"^(?:oh,? |well,? )?(?:brilliant|great|right|sure|wonderful|perfect|yeah|of course)[,.!]? because\b|"
    # "I don't write the timetable, do I?": the agent's limit turned on the customer.
    r"(?:i|we) (?:don't|can't|cannot|am not|'m not|won't) [a-z' ]+, (?:do|can|am|will) (?:i|we)\b|"
    # "Sure, and shall I carry your bags home too?": a request capped by an absurd one.
    r"^(?:oh,? )?(?:sure|yes|yeah|right|of course|ok|okay|absolutely|certainly|definitely)[,.]? and "
    r"(?:shall (?:i|we)|should (?:i|we)|maybe|why don't|who)\b|"
    # "Of course, I'll just cancel the whole bill because you asked, shall I?"
    r"^(?:oh,? )?(?:of course|absolutely|certainly|ok|okay)[,.]? (?:i'll|let me|we'll) just\b|"
    r"\b(?:i'll|we'll) just [a-z' ]+, shall (?:i|we)\?|"
    r"^(?:oh,? )?(?:yes|yeah|sure|right),? (?:i'll|let me|we'll) just\b|while (?:i'm|we're) at it|"
    r"(?:oh,? )?(?:lovely|brilliant|marvellous|great|wonderful),? another\b|yes,? yes,? i'm sure|"
    r"everyone always (?:has|does|says|is)|"
    r"^(?:oh,? )?sure,? (?:let me just|i'll just|we'll just|we've got|i've got|just)\b|"
    r"funnily enough|who (?:could|would) have (?:seen|guessed|known|predicted|thought)|shock horror|"
    r"money tree|magic wand|out of thin air|(?:it's|that's) a record|i'm sure [a-z]+ would love to|"
    r"(?<!can't )(?<!cannot )(?<!not )magic (?:one|it|them|something|some|a [a-z]+) up|alert the press|stop the press(?:es)?|hold the front page|"
    r"your (?:highness|majesty|lordship|ladyship)|"
    r"i'm sure (?:(?:your|his|her|their|the) )?[a-z]+ (?:will|'ll) (?:love|like) (?:it|them|that) (?:just the same|anyway|all the same)|"
    r"(?:^|[.!?]\s+)(?:oh,? and|lol,?) (?:would you like|do you want|want me to|shall i)|"
    r"^want me to [^?]*(?:as well|too)(?=\?)|(?:it's|that's|it is) all that (?:simple|easy)|"
    r"lucky you|how (?:nice|lovely|convenient) for you|"
    r"i'm sure you (?:did|do|are)|obviously,? you|clearly,? you|another (?:happy|satisfied) customer)\b",
    -22,
    "sarcasm",
    "rude",
)
# Praise for the customer's idea is sincere when the reply then acts on it
# ("That's a brilliant idea. I'll hold the part at the front desk.").
PRAISED_IDEA = re.compile(r"genius|brilliant idea")
ACTS_ON_IT = re.compile(r"\b(?:i'll|i will|let's|let me|we can|i can|of course|absolutely)\b")
GRUDGING = rule(
    r"^(?:(?:yeah|yes|ok|okay|well),?\s+)?(?:fine|whatever|ugh|sigh|oh well)\b[,.!]|^well,\s",
    -8,
    "grudging tone",
)
# Everyday short words: written in capitals, they are shouted.
SHOUTED_WORDS = frozenset(
    """no not now yes you your the and is are was can cant wont dont will do did get go stop read wait
    said told this that what why how me my we our be have has had all any ever just out off up on
    in at to for of with so too very here last time one none sign rule pay help look see sit calm down
    hear over done fine less more same need must want rude busy full open shut back away next never""".split()
)
# After an instruction, the agent's own part: "Email me the receipt and I'll refund it."
TAKES_UP = re.compile(
    r"^(?!(?:[a-z]+[,.]?\s+)?(?:stop|calm|listen|look|just|quit|relax|chill|don't|do not|never|wait)\b)"
    r"[^,]*?\band\s+(?:then\s+)?(?:i'll|i will|we'll|we will)\b"
)
# Words written in capitals that are names or codes, not shouting.
ACRONYMS = frozenset(
    {
        "ok",
        "id",
        "tv",
        "usb",
        "sms",
        "gps",
        "aaa",
        "pin",
        "eta",
        "asap",
        "faq",
        "vip",
        "usa",
        "uk",
        "eu",
        "am",
        "pm",
        "i",
    }
)

# -- flexibility -------------------------------------------------------------

# Verbs of a concrete commitment ("I'll bring", "we can move you").
ACTION_VERBS = (
    "bring|send|get|give|move|upgrade|arrange|book|have|put|add|set|make|fix|sort|take|drive|dispatch|"
    "organi[sz]e|find|prepare|replace|refund|credit|waive|cover|pay|offer|provide|deliver|come|stay|"
    "escort|walk|lend|reserve|hold|swap|switch|change|extend|reimburse|compensate|throw|include|"
    "upgrade|carry|fetch|call|ring|phone|contact|email|text|follow|handle|deal|transfer|rebook|"
    "waive|open|unlock|install|repair|collect|pick|meet|show|help|bend|allow|let|accommodate|squeeze|"
    "cancel|return|exchange|ship|post|courier|assign|book|wait|keep|leave|see|look|check|ask|try|"
    "speak|talk|investigate|find out|note|log|pass|forward|escalate|put in|raise|flag|make sure|"
    "ensure|double-check|phone|solve|resolve|clean|bring up|set up|sort out|get back|"
    "remove|restart|reboot|reset|restore|copy|mail|turn off|turn on|switch off|switch on|honour|honor|apply"
)
# Of those, verbs that only promise to find out: worth less than a fix.
LOOK_VERBS = frozenset(
    {
        "see", "look", "check", "ask", "try", "speak", "talk", "investigate", "find out", "double-check",
        "look into", "have a look", "take a look", "look up", "pull up", "dig into", "read through",
    }
)  # fmt: skip
# And verbs that file the problem away: a deferral unless something else is done.
FILE_VERBS = frozenset({"note", "log", "pass", "forward", "escalate", "put in", "raise", "flag", "transfer"})

# Verbs of two words come first, so "find out" is not read as "find".
MULTIWORD_VERBS = (
    "find out|look into|sort out|set up|bring up|get back|make sure|put in|turn off|turn on|switch off|"
    "switch on|double-check|follow up|call back|ring back|phone back|have a look|take a look|look up|"
    "pull up|dig into|read through"
)
# After "I'll" or "we can", any verb but these commits to an action: a new
# scenario's verbs ("freeze", "stamp", "unblock") need no list of their own.
NOT_ACTIONS = (
    r"(?:be|being|been|have|know|understand|imagine|hear|sense|maybe|perhaps|anxious|upset|worried|furious|angry|"
    r"frustrated|nervous|scared|stressed|annoyed|devastated|gutted|livid|the same|exactly|too|heartbroken|need|want|think|hope|believe|feel|wish|agree|appreciate|"
    r"apologi[sz]e|guess|suppose|say|tell|like|love|hate|mind|admit|assume|expect|fear|not|never|no|only|just|"
    r"advise|recommend|suggest|"
    r"also|really|definitely|certainly|probably|still|even|always|afraid|sorry|happy|glad|able|going|about|"
    r"gonna|right|personally|quickly|gladly|immediately|now|already|then|both|all|do|get back to|"
    r"can|could|will|would|shall|should|may|might|must|am|are|is|was|were|honest|there|here|with|in|on|at|"
    r"back|fine|ok|okay|careful|quick|a|an|the|your|you|it|this|that|sure|afraid|happy|pleased|delighted|"
    r"see if|try and|wait and|completely|totally|fully|truly|entirely|easily|genuinely|sincerely|honestly|perfectly|"
    # "I'd be upset too": a feeling shared, not an action.
    r"upset|angry|furious|frustrated|annoyed|livid|cross|worried|disappointed|devastated|gutted|"
    r"fuming|mad|exhausted|tired|stressed|shocked|surprised|embarrassed|heartbroken|the same|"
    r"in your (?:shoes|position|place))\b"
)

# What follows a commitment verb and makes it a deferral: "we'll get back to
# you", "I'll make a note", "I'll let you know", "I'll pass it on".
# What a filing verb can deliver rather than file: "put in an order for the part".
DELIVERABLE = re.compile(
    r"^\s*(?:(?:a|an|the|your|that|this)\s+)?(?:full\s+|same-day\s+|urgent\s+)?"
    r"(?:refund|credit|replacement|order|payment|reimbursement|compensation|voucher|booking|repair)\b"
)
# "Raise" files only a ticket or a matter ("raise it with the manager"); "raise your
# limit" does the thing.
RAISE_FILES = re.compile(
    r"^\s*(?:it|this|that|(?:a|the|your) (?:formal |new |proper |separate )?"
    r"(?:ticket|complaint|case|query|issue|concern|request|claim|report))\b"
)
FILED_AFTER = re.compile(
    r"^\s*(?:(?:straight |right |straight away )?back to you|back in touch|in touch|a note|notes?|you know|"
    # "Pass it on" files it; "put it on hold" does something.
    r"it on(?! hold| ice| the)|this on(?! hold| ice| the)|your (?:request|complaint|details)|"
    # "I'll leave them a note marked urgent": a message left, not the thing done.
    r"(?:them|him|her|the [a-z]+) an? (?:urgent )?(?:note|message)|"
    # "We'll contact you when the part arrives": a promise to say when, not to act.
    r"you (?:when|once|if|as soon as) (?:it|the|your|we|they|there|a|an|one|something|anything|space|spaces|places?)\b|"
    # "We'll send a text." "I'll drop you an email."
    r"(?:you )?(?:a|an) (?:text|message|email|e-mail|update)(?=\s*(?:[.!,]|$|to (?:let you know|confirm|say)))|"
    # "I'll put your name on the waiting list": the queue everyone joins, not a way round it.
    r"(?:you|your name|your names|your details|you both|you two|the two of you)(?: down)? (?:on|onto|to|in|into) "
    r"(?:the|our|a) (?:waiting list|wait list|waitlist|queue)\b|"
    r"(?:you|your name|your names|you both|you two) down(?=\s*(?:[,.!;]|$|and\b))|"
    # "I'll put you through": a transfer hands the customer on.
    r"you through\b|you over to\b|you on to\b|you onto (?:head office|the [a-z]+ (?:team|line|department|desk))\b|"
    # "I'll post you the standard form": the procedure handed over.
    r"(?:you )?(?:the |a |an |our )?(?:link (?:for|to) )?(?:the |a |an |our )?(?:[a-z-]+ ){0,2}forms?\b)"
)
# Offers said another way: "here's what I'll do: a courtesy car by nine",
# "what I can do is hold the room till noon", "have a seat while I book the hotel".
OFFER_FRAMES = re.compile(
    # "sure, can do it today", "yeh can do it 4 u", "can get one sent out 2day": the informal yes.
    r"(?:^|[,.!] |\b(?:yes|yeah|yep|yeh|sure|ok|okay|hiya) )(?:we |i )?(?:can|cn) do (?:u|you|it|that|this|[0-9]|free|a |the )|"
    # "Want me to ring them?", "need a hand with the bags?": the offer with "do you" dropped.
    r"^(?:(?:so|ok|okay|right)[,]?\s+)?want (?:me|us) to\b|^want (?:a|an|some) (?:lift|ride|hand|copy|"
    r"coffee|tea|drink|water|refund|replacement|loan|spare|voucher|taxi|cab)\b|^(?:do you )?need a (?:hand|lift|ride)\b|"
    r"(?:^|[,.!] |\b(?:yes|yeah|yep|yeh|sure|ok|okay|hiya) )(?:can|cn) (?:get|send|book|sort|bring|courier|post) "
    r"(?:u |you )?(?:a|an|one|it|that|the|ur|your|some|in|on|onto|[0-9])\b|"
    r"\bgo on then\b|"
    r"\b(?:here's what (?:i'll|i will|i can|we'll|we will|we can) do|what (?:i|we)(?: can| could| will|'ll) do(?: is|:| -|$)|"
    r"(?:the )?best (?:i|we) can do is|"
    # "I call the porter now": a deed said in the present, as a learner of English may.
    r"^(?:ok,? |okay,? |so,? |yes,? |right,? )?(?:i|we) (?:go|call|ring|phone|bring|send|give|make|book|move|put|take|fix|"
    r"get|do|come|order|change|arrange|cancel|refund|write|print|open|stop|clean)\b(?:[a-z' ]{0,40}?)"
    r"\b(?:now|right now|immediately|straight away|right away|at once)\b|"
    rf"(?:while|and) (?:i|we) (?:{ACTION_VERBS})\b(?! (?:you|that|what|if|whether|no|not|nothing|none|never)\b))"
)

COMMITMENT = re.compile(
    # "May I have your name" is a question, not a commitment; a bare "we have" is possession.
    r"(?<!may )(?<!can )(?<!could )(?<!shall )(?<!do )(?<!should )"
    r"\b(?:(?P<who>i'll|we'll|let me|let us|let's|i'd|we'd|"
    # Subject dropped: "Happy to swap it for you", "no probs, will sort".
    r"(?:^|(?<=[,.!] ))(?:(?:more than|very|really|so) )?(?:happy|glad|delighted) to|"
    r"(?:^|(?<=[,.!] ))will(?= (?:sort|do|fix|send|book|get|call|ring|check|look|email|text|arrange|refund|pop|drop|"
    r"bring|swap|change|cancel|waive|credit|pay|move|add|order|put|set)\b)|(?:it(?:'d| would|'ll| will) be|it's) (?:my|our) pleasure to|(?:(?:allow|permit) me(?: (?:a|one) (?:moment|minute|second))?|give me (?:a|one|two|three|five|ten|[0-9]+|a few|a couple of) (?:moment|minute|second|sec|min)s?) to|il{1,2}(?= (?:go|get|send|swap|sort|book|call|ring|check|ask|put|move|bring|make|text|email|refund|cancel|add|push|fix|find|grab|do|"
    r"run|chuck|pop|stick|drop|give|take|waive|credit|pay|cover|come|look|arrange|order|pick|drive)\b))|(?P<who2>i|we|im)(?=(?:'ll|'d| will| shall| can| could| would| am going| are going| am about| are about|'m going|'re going|'m gonna| am gonna| gonna| am happy| are happy| am glad| are glad| would be|'m happy|'re happy|'m glad|'re glad|'m able|'re able| am able| are able| should be able| might be able)\b))"
    r"(?P<aux>(?:'ll|'m|'re| will| shall| can| could| am| are|'d| would| should| might)?(?: be)?(?: happy| glad)?(?: to)?"
    r"(?: going to| gonna| about to| able to)?"
    r"(?: right| just| personally| quickly| also| gladly| immediately| now| certainly| definitely| happily| absolutely|"
    # "I can completely understand" is a feeling: the verb after the adverb decides.
    r" completely| totally| fully| truly| entirely| easily| genuinely| sincerely| honestly| perfectly| really)?)\s+"
    rf"(?P<verb>{MULTIWORD_VERBS}|{ACTION_VERBS}|(?!{NOT_ACTIONS})[a-z]+?)(?:ing|s|ed)?\b"
    r"(?!(?<!write)(?<!send)(?<!email)(?<!text)(?<!reply)(?<!speak)(?<!talk)(?<!chat) to\b)"
)
PROGRESSIVE = re.compile(
    r"\b(?P<who>i'm|i am|we're|we are)\s+(?:just\s+|now\s+|already\s+)?"
    r"(?P<verb>bring|send|dispatch|gett|mov|upgrad|arrang|book|add|fix|sort|tak|driv|call|ring|phon|prepar|"
    r"organi[sz]|com|comp|refund|credit|waiv|cover|giv|hav|put|setting|organis|contact|check|look|ask)ing\b|"
    # Any other verb, when it acts on something: "I'm approving your claim", not "we're running late".
    r"\b(?P<who2>i'm|i am|we're|we are)\s+(?:just\s+|now\s+|already\s+|personally\s+)?"
    r"(?P<verb2>(?!(?:go|be|do|wonder|think|hop|guess|tell|say|try|expect|hav|runn|clos|wait)ing)[a-z]{2,}?)ing\s+"
    r"(?:you|your|it|this|that|the|a|an|him|her|them|some|everything|one|two|both|all|[0-9\u00a3$\u20ac])"
)
PERFECT = re.compile(
    r"\b(?P<who>i've|ive|we've|i have|we have)\s+(?:also\s+|already\s+|just\s+|now\s+)?(?:gone ahead and\s+)?"
    r"(?P<verb>added|booked|sent|arranged|dispatched|moved|upgraded|refunded|credited|waived|asked|called|"
    r"reserved|put|given|set up|organi[sz]ed|ordered|changed|extended|requested|escalated|logged|noted|passed|"
    r"fixed|replaced|restored|reset|cancelled|applied|issued|sorted|found|made|opened|raised|flagged|"
    # "I've got you a room" does something; "I've got a queue of callers" has something.
    r"got(?! (?:a lot|lots|loads|a queue|queues|no|nothing|other|too|to|enough|more|better|work|people|customers|"
    r"callers|a (?:busy|full|long)|my hands full|"
    r"(?:(?:a |one |two )?(?:hundred|thousand|dozen)s?|[0-9]+|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|sixty)(?: [a-z]+)? (?:people|customers|callers|calls|jobs|patients|orders|others|"
    r"passengers|guests|visitors|families|cars|claims|cases|complaints))\b)|"
    r"approved|authori[sz]ed|reversed|overturned|processed|reimbursed|rebooked|refunded|paused|suspended|"
    r"scheduled|removed|unblocked|unlocked|lifted|released|backdated|topped up|signed off|"
    r"re-run|rerun|paid|written off|taken off|cut|knocked [a-z0-9%\u00a3$ ]{1,12}off|"
    # "I've had my supervisor approve the full amount"
    r"had (?:my|our|the) [a-z ]{2,30}? (?:approve|sign off|authori[sz]e|agree|okay|ok)|"
    # Any other deed done to something ("I've unfrozen the account"), but not a look, a
    # message or a thought ("I've checked the system", "I've noticed the error").
    r"(?!(?:notic|check|look|tri|listen|explain|wonder|decid|assum|realis|realiz|learn|search|review|consider|"
    r"discuss|mention|want|need|hop|expect|receiv|reach|contact|email|messag|phon|text|talk|inform|advis|warn|"
    r"report|forward|rais|escalat|logg|not|pass|flagg|record|submitt|chas|follow|ask|call|emphasis|highlight|"
    r"point|stat|clarifi|answer|queri|investigat|confirm|fill|brief|mark)ed\b)"
    r"[a-z]{3,}ed(?= (?:your|the|a|an|it|them|that|this|our|you|him|her|his|their)\b))\b"
)
# Counterfactual: what could have been, or would be if things were otherwise ("you
# could have paid online", "if I could, I would", "if it were that easy") offers nothing.
COUNTERFACTUAL = re.compile(
    r"\bwish (?:i|we) (?:could|were|had)\b|\bif (?:everybody|everyone|people|we all) (?:did|were|had|got)\b|"
    r"\b(?:i'd|i would|we'd|we would) [^.]*\bif (?:i|we) (?:had|could|were)\b|"
    r"\bif (?:i|we) (?:get|have|find) (?:a|the) (?:minute|moment|chance|second)\b|"
    r"\b(?:could|would|should|might|must|'d) have (?:been|done|gone|had|paid|made|known|[a-z]+ed|[a-z]+en)\b|"
    r"^if (?:i|we) could\b[^.]*\b(?:i|we)(?:'d| would)\b|\bif (?:it|that|only) (?:were|was)\b|\bif only\b"
)
# After "are processed", "will be refunded": the usual course of things, not a thing done
# for this customer ("refunds are processed within five working days").
IN_DUE_COURSE = re.compile(
    rf"^\s*(?:[a-z]+\s+){{0,2}}(?:within|in {N}|after|once|automatically|in (?:the )?order|in accordance|as per|according to|"
    r"under (?:the|our|your) (?:terms|conditions|rules|policy|scheme)|"
    r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|next (?:week|month)|by the end)\b"
)
# A limit dressed as an offer: "three weeks is the earliest we can offer".
LIMIT = re.compile(
    r"\b(?:the )?(?:earliest|soonest|best|most|only thing|only option|all|furthest|latest) (?:i|we) (?:can|could) (?:offer|do|give)\b"
)
# The customer asks whether she is doubted or blamed ("Are you saying I made it up?"):
# a "No" then answers the question, it refuses nothing.
DOUBTED = re.compile(
    r"\b(?:are you (?:saying|suggesting|calling me|accusing|telling me|implying)|do you think (?:i|we)\b|"
    r"you think (?:i|we)(?:'m| am| made| lied)|is that what you're saying|are you calling me)"
)
# "The late fee has been removed", "a credit has been applied": any deed done,
# but not bad news ("your claim has been declined") nor mere filing ("has been logged").
PASSIVE_PERFECT = re.compile(
    r"\b(?:has|have|'s|'ve) been (?:now |already |just |also )?"
    r"(?!(?:cancelled|declined|rejected|refused|delayed|closed|lost|denied|postponed|blocked|frozen|charged|"
    r"fined|logged|noted|passed|escalated|flagged|forwarded|received|reviewed|assessed|conducted|confirmed|"
    # A look already taken ("the shelves have been checked") reports, it offers nothing.
    r"checked|searched|looked|inspected|examined|investigated|"
    r"recorded|reported|informed|told|advised|asked|used|added to (?:the|a) (?:list|queue))\b)"
    r"(?P<verb>[a-z]{3,}ed)\b"
)
# A thing done, told in a clipped report: "Rebooked you on the 18:40.", "Replacement
# sent today", "ive sorted ur refund". At a clause's start, or after a noun ("fee refunded").
DONE_REPORT = re.compile(
    r"(?:^(?:(?:ok|okay|right|done|sure|yes|yep|yeah|fine|good news|all sorted)[,.!]?\s+)*(?:(?:i've|ive|i have|we've)\s+)?"
    r"(?:just\s+|already\s+|now\s+)?|"
    # "fee refunded", "slot booked", "fine on hold"; not "fully booked".
    r"^(?!.*\b(?:when|once|until|if|after|unless|before|get|gets|got|will|'ll|would|can|could|should|must|shud|shoulda|"
    r"should've|shouldve|coulda|ought)\b)"
    r"(?:[a-z0-9'\u00a3$\u20ac-]+\s+){0,3}"
    r"(?!(?:is|are|was|were|be|been|being|fully|all|completely|totally|already|had|has|have|you|we|they|it|i|"
    r"everyone's|everybody's|we're|they're|you're|i'm)(?![a-z']))"
    r"[a-z0-9'\u00a3$\u20ac-]{2,}\s+"
    r"(?=(?:refunded|couriered|fitted|flagged|backdated|rebooked|waived|credited|booked|sorted|fixed|extended|lifted|"
    r"removed|paused|released|approved|on hold|upgraded|added|arranged|swapped|switched|reserved|ordered|issued|"
    r"authori[sz]ed|dispatched)\b))"
    r"(?P<verb>moved|booked|refunded|backdated|rebooked|flagged|fitted|couriered|added|sent|arranged|upgraded|swapped|"
    r"switched|reserved|credited|waived|sorted|fixed|ordered|issued|applied|approved|authori[sz]ed|dispatched|"
    r"extended|lifted|removed|paused|released|on hold|"
    # "Moving you to room 12", "fetching it now": under way, told without "I'm".
    r"(?:moving|sending|booking|putting|getting|bringing|giving|refunding|sorting|adding|arranging|calling|ringing|"
    r"phoning|grabbing|fetching|swapping|switching|upgrading|releasing|lifting|waiving|cancelling|fixing|printing|"
    r"issuing|blocking|locking|unlocking|opening|restoring|resetting|ordering|crediting|covering|repairing|"
    r"replacing|reserving|holding|extending|approving|authori[sz]ing|emailing|texting|dispatching|lending|clearing|"
    r"processing) (?:you|your|it|them|the|a|an|one|her|him|that|this)|"
    r"cancelled (?:the|your|ur|that) (?:fine|charge|fee|penalty|bill|debt))\b(?!\?)"
)
# The deed told in the simple past: "I booked you a taxi for six", "we refunded the fee".
SIMPLE_PAST = re.compile(
    r"\b(?P<who>i|we)\s+(?:also\s+|already\s+|just\s+|now\s+)?"
    r"(?P<verb>booked|refunded|credited|waived|upgraded|arranged|reserved|rebooked|authori[sz]ed|approved|ordered|"
    r"switched|swapped|extended|cancelled|couriered|dispatched|unblocked|unlocked|reinstated|topped up)\s+"
    r"(?=(?:you|your|it|them|the|a|an|one|two|both|all|that|this|[0-9\u00a3$\u20ac])\b)"
)
# A thing done, said of the thing: "Heaters are booked", "the refund has been processed".
# "We are fully booked" does not match: only these adverbs may stand between.
PASSIVE_DONE = re.compile(
    r"\b(?:is|are|has been|have been|'s been|'s|will be|'ll be|can be)\s+(?:now\s+|already\s+|just\s+)?"
    # Not "cancelled": "your flight is cancelled" is bad news, not something done for them.
    r"(?P<verb>booked|sent|arranged|approved|authori[sz]ed|refunded|processed|reversed|waived|"
    r"credited|reserved|dispatched|sorted|fixed|ordered|reimbursed|replaced|rebooked|upgraded|on (?:its|their|the) way|"
    r"moved|issued|placed on hold|put on hold|on hold|fitted|couriered|backdated|added|swapped|switched|coming|going out|"
    # "A hire car is waiting for you at the depot", "two seats are held for you".
    r"(?:waiting|ready|held|set aside|kept|saved) for you)"
    r"(?!\s+(?:up|solid|out))\b"
)
# An arrangement reported as settled: "you're all set for the 9:40", "you're in at eight",
# "that's all sorted for you", "consider it done". Not a place on a list or a line.
SETTLED = re.compile(
    r"^(?:(?:ok|okay|right|done|great|good|perfect|there we go|there you go|lovely)[,.!]?\s+)*"
    r"(?:(?:you're|you are|youre|ur|u r|she's|he's|they're) (?:all |now |already )?(?:set\b(?! to)|sorted|"
    r"on(?=\s*[.!]|\s*$)|(?<=you're )in(?=\s*[.!]|\s*$)|(?<=you are )in(?=\s*[.!]|\s*$)|(?:booked|rebooked|confirmed|moved) (?:in|on|onto|into|for|to)\b(?! (?:the|a) (?:waiting|wait) ?list)|in (?:at|for) |"
    r"(?:on|down for) (?:the|tomorrow's|today's|tonight's|monday's|tuesday's|wednesday's|thursday's|friday's|"
    r"saturday's|sunday's) (?!(?:waiting|wait) ?list|list|phone|line|hold|system|queue|register|books?\b))|"
    r"(?:that's|that is|it's|it is|all|everything's|everything is) (?:all |now )?(?:sorted|done|booked|arranged|fixed)"
    r"(?: for you)?(?=\s*[.!,]|\s*$)|consider it (?:done|sorted|booked|arranged))"
)
# Who, besides the speaker, can do a thing for the customer: people by their
# work, and the places and teams that act ("the kitchen will bring", "the night
# porter can drive"), with a word before them ("the duty manager").
_AGENT = (
    r"(?:driver|truck|van|technician|tech|engineer|manager|supervisor|porter|housekeeping|team|staff|courier|"
    r"mechanic|garage|colleague|crew|nurse|fitter|doctor|pharmacist|chef|kitchen|waiter|waitress|host|"
    r"receptionist|reception|concierge|desk|department|office|branch|agent|adviser|advisor|officer|clerk|lad|"
    r"guy|girl|man|woman|person|people|boss|owner|cleaner|plumber|electrician|locksmith|specialist|rep|"
    r"representative|steward|stewardess|attendant|guard|security|shift|shop|store|warehouse|depot|workshop|"
    r"lab|builder|carpenter|painter|installer|operator|dispatcher|controller|coordinator|planner|librarian|"
    r"teacher|ranger|warden|caretaker|janitor|vet)s?"
)
THIRD_PARTY = re.compile(
    # "Only the billing team can lift it" says who may; it arranges nothing.
    r"\b(?<!only )(?P<who>(?:the|a|my|one of (?:my|our|the)) (?:[a-z-]+ )?(?:" + _AGENT + r")|"
    r"he|she|they|someone|somebody|housekeeping|(?:my|our) [a-z]+)"
    r"(?:'ll| will| can| could| is going to| are going to)\s+(?:also\s+|then\s+|happily\s+|gladly\s+)?"
    # "They will call you back" and "the team will get to it" put the customer in a queue.
    r"(?P<verb>bring|send|take|drive|come(?! back to (?:you|u)\b)|give|get(?! to it| round to)|fix|collect|pick|drop|meet|help(?! you\b)|deliver|"
    r"set|sort|(?:call|phone|ring|email|text)(?! you\b)|stay|wait|"
    r"arrange|replace|repair|move|show|handle|be there|be with|tarp|cover|seal|patch|clear|refit|rebuild|redo|remake|"
    r"reprint|restore|run|open|unlock|install|fit|swap|pay|refund|carry|cook|make|prepare|print|book|hold|reserve|"
    r"look after|see to|load|lift|tow|escort|walk you|lend|"
    r"have (?:it|them|this|that|(?:the|your) [a-z]+) (?:done|ready|sorted|fixed|repaired|cleaned|back|replaced))\b"
)
# Telling the people who will do a thing to do it is doing it ("I'll tell the chef to
# hold two desserts", "let me radio the driver to wait"); telling a manager
# escalates, and word passed on without a deed ("I'll tell the driver you're
# coming") is a message.
_DOER = (
    r"(?:kitchen|chef|cook|driver|team|staff|crew|porter|housekeeping|technician|engineer|mechanic|pharmacist|"
    r"nurse|doctor|courier|warehouse|depot|desk|reception|concierge|waiter|waitress|bar|barman|bartender|"
    r"cleaner|fitter|gate|pilot|captain|attendant|security|lab|workshop|shift)s?"
)
TELLS_DOER = re.compile(
    r"\b(?:i'll|i will|we'll|we will|let me|i'm going to|i am going to|i'm gonna|i can|we can)\s+"
    r"(?:just\s+|also\s+|quickly\s+|now\s+|personally\s+|go and\s+)?"
    r"(?:tell|warn|radio|get) (?:the|our|my) (?:[a-z-]+ )?" + _DOER + r" to (?!see\b|check\b|look\b)[a-z]+"
)
PERMISSION = re.compile(
    r"\b(?:you(?: and (?:your|the) [a-z]+)? (?:can|could|may|are welcome to|'re welcome to)|you're welcome to|"
    r"feel free to)\s+"
    r"(?:(?:also|even|just)\s+)?(?P<verb>ride|have|take|stay|use|keep|get|choose|pick|come(?! back\b)|sit|bring|go along|"
    r"travel|join|wait (?:inside|in)|borrow|upgrade|switch|change|see (?:her|him|them)|visit|meet|start)\b"
    # Leave to queue or fill in a form is the procedure, not a thing granted.
    r"(?! (?:the|our|a) (?:waiting list|wait list|queue|form))|"
    # "There's a spare umbrella, and you're most welcome to it."
    r"\b(?:you're|you are) (?:very |more than |most )?welcome to (?:it|them|that one|this one)\b"
)
OPTIONS = re.compile(
    r"\b(?:would you (?:like|prefer|rather)|do you want (?:me|us) to|shall (?:i|we)|(?<!how )(?<!why )should i|"
    r"which (?:would you|do you) prefer|(?:would|do) you (?:like|want) (?:a|an|the|some|me|us)|"
    r"(?:can|could|may) i (?:get you(?! to\b)|(?:bring|offer|make) you)|"
    # A deed done to the customer, put as a question: "could we fit you in by the window?",
    # "can I book you on the later boat?". Not a transfer, a hold or a call back.
    r"(?:can|could|may) (?:i|we) (?:just )?(?:seat|put|move|book|set|pop|squeeze|fit|upgrade|give|find|drive|"
    r"take|walk|sort|fix|order|arrange|reserve|hold|lend|swap|switch|tempt|interest|pour|fetch|treat|run|"
    r"rebook|refund|reimburse|lift|collect|pick) you(?! (?:through|on hold|back|up on|"
    r"on (?:the|our|a) (?:waiting |wait )?list|to (?:fill|complete|sign|send|wait|call|ring|email|contact)|"
    r"(?:a|the|our) (?:form|number|address|details|link|email)))\b|(?:can|could|may) (?:i|we) (?:call|ring) you a\b|"
    r"how about|or would you|or if you(?:'d| would) (?:rather|prefer)|"
    # Not two explanations: "either you didn't book or someone slipped up".
    r"either(?! (?:[a-z']+ ){1,3}?(?:[a-z]+ed|didn't|did|lost|made|got|forgot|was|wasn't|were|hasn't|haven't|"
    r"must|gave|sent|put|wrote|had|never)\b)|"
    # The speaker's own deed put as a question: "what if I rang the depot?", "why don't I drive you?"
    r"(?:what|how) about if (?:i|we)|what if (?:i|we)|why don't (?:i|we)|would it help if (?:i|we)|"
    # "How does a free upgrade sound?", "would a voucher help?"
    r"how (?:does|would) (?:a|an|the|that|this|some) [a-z0-9 -]{2,40} sound|would (?:a|an|some) [a-z0-9 -]{2,30} help|"
    # A thing held out for the customer to take: "would the window seat do?", "is a loan bike any use
    # to you?", "fancy a coffee while you wait?", "would you be all right with the back room?".
    # Not waiting, holding or coming back, which only put the customer off.
    r"would (?:a|an|the|some) [a-z0-9 -]{2,30}? (?:do|suit you|work for you|be any (?:good|use))(?= ?\?)|"
    r"is (?:a|an|the) [a-z0-9 -]{2,30}? any (?:good|use)(?: to you)?(?= ?\?)|"
    r"(?:^|, )(?:do you )?fancy (?!waiting|holding|coming back)(?:a|an|the|some|[a-z]+ing)\b|"
    r"(?:would you be|are you) (?:all right|alright|ok|okay|happy|fine) (?:with (?!(?:the|your) (?:service|answer|"
    r"explanation|outcome|decision|way)\b|waiting|holding|queuing|queueing)(?:a|an|the|some|[a-z]+ing)\b|to (?:sit|take|have|move|switch|swap|use|share|"
    r"eat|start|borrow|keep|ride|stay)\b)|"
    r"do you mind (?!waiting|holding|coming back|calling back|if i)(?:a|an|the|some|sitting|sharing|eating|taking|having)\b|"
    r"how (?:do|would) you feel about (?!waiting|holding|coming back)(?:a|an|the|some|[a-z]+ing)\b)\b"
)
# "You have three options: ...", "your choices are the early train or a refund."
LISTED_CHOICES = re.compile(
    r"\b(?:you(?: have|'ve got| have got) (?:two|three|four|a few|some|several|a couple of) (?:choices|options)|"
    r"(?:your|the) (?:choices|options) (?:are|tonight are|today are))\b"
)
# "Extra bed, no charge." "Of course: a bigger room."
NOMINAL_OFFER = re.compile(
    r"\b(?:no (?:extra )?charge|free of charge|on the house(?! (?:phone|line|number))|at no (?:extra )?(?:cost|charge)|"
    r"complimentary|for free|"
    r"at the same (?:rate|price)|(?:it's|that's) (?:yours|on us)|my treat|thrown in|[a-z]+ on us|"
    # "The side room is all yours", "a pot of tea, compliments of the house".
    r"(?:is|are|'s) all yours|compliments of (?:the house|the chef|the manager|us)|with our compliments|"
    # "The back room is free if you'd like it": a thing put at the customer's disposal.
    r"(?:is|are|'s) (?:free|available|yours) (?:if|should) you(?:'d| would)? (?:like|want|fancy|need) (?:it|them|one)|"
    r"[a-z]+'s yours|"
    # What the customer will have, said as settled: "you'll get your deposit back", "you're getting the
    # garden room". Not news, a wait, a cost or more of the same.
    r"(?:you(?:'ll| will) (?:get|have|receive)|you're getting|you are getting) (?!to\b)(?:a |an |the |your |two |three |"
    r"free |full |[0-9\u00a3$\u20ac][0-9.,]* )(?!(?:[a-z-]+ )?(?:letter|email|e-mail|reply|response|call|text|message|form|"
    r"notification|reference|number|confirmation|decision|answer|update|link|code|outcome|same|wait|delay|queue|fine|"
    r"penalty|charge|bill|fee|problem|result|chance|choice)s?\b)(?:[a-z-]+ )?[a-z]+|"
    # Notes of what the customer gets: "the extra hour's free", "drinks on me", "£20 credit",
    # "a voucher for next time", "refund for the lost day".
    # Not "see who's free": free for nothing only of an extra, a first or a next one.
    r"(?:extra|first|next|second) [a-z]+(?:'s| is| are) free\b(?! (?:of|from|to)\b)|"
    r"(?:drinks?|bags?|coffees?|teas?|desserts?|lunch|dinner|breakfast|round|taxi|cab|fare|parking|postage|delivery)"
    r"(?:'s| is| are)? on me|"
    r"(?:[0-9\u00a3$\u20ac][0-9.,]*|[a-z]+ (?:pounds|euros|dollars)) (?:of )?credit|"
    r"(?:^|, |plus |and |with )(?:a |an |two |three |some |[0-9\u00a3$\u20ac][0-9.,]* )?(?:[a-z]+ )?vouchers?"
    r"(?= (?:for|towards|worth|in the post|on (?:its|the) way)|[.,!]|$)|"
    r"(?:^|, )(?:a |full |partial )?refund (?:for|of|on) |"
    # "You won't be charged for the lesson", "lesson not charged": a waiver said with "not".
    r"(?:won't|will not|wouldn't|shan't) be (?:charged|billed|invoiced)|\bnot (?:be )?(?:charged|billed)|"
    r"(?:won't|will not) (?:have to )?pay (?:a penny|anything|a thing|a cent|extra)|"
    # "I'm not paying that." "You won't have to.": the charge lifted.
    r"^(?:(?:no|and|well),? )?you (?:won't|will not|don't|do not) (?:have|need) to(?=\s*(?:[.!,]|$)))"
)
# A state that leaves nothing on offer: "the vans are fully booked", "the window has
# closed", "the decision stands", "refunds are handled by head office". Said without
# an offer, it describes the problem, however close its words are to a solution's.
UNAVAILABLE = re.compile(
    r"\b(?:is|are|'s|'re|was|were|am|'m)\s+(?:all\s+|now\s+|already\s+|completely\s+|still\s+)?"
    r"(?:fully booked|booked (?:up|solid|out|all (?:day|week|weekend|night|month)|the whole)|full(?! refund| price| amount)|"
    r"busy|taken|sold out|unavailable|closed|shut|occupied|engaged|(?:handled|managed|dealt with|decided|set|run) by|"
    r"gone(?! (?:through|out|off|ahead|to you|up)))\b"
    r"|\b(?:has|have|had|'s|'ve)\s+(?:already\s+)?(?:passed|expired|closed|finished|ended|"
    r"gone(?! (?:through|out|off|ahead|to you|up)))\b"
    r"|\b(?:stands|still stands|is final|are final)\b"
)
# A solution held at a distance, as what would or might be: "that would need the
# insurer's approval", "a repair might be possible later".
HEDGED = re.compile(
    r"\b(?:might|may|could) (?:be possible|be able|happen)\b|\b(?:that|this|it|which) would (?:need|require|have to)\b"
)
# The end of a call, asked as a question: it gathers nothing.
CLOSING = re.compile(
    r"\banything else (?:i|we) (?:can|could|may) (?:help|do|assist)|^(?:is there )?anything else\b|"
    r"\bis (?:that|there) (?:all|everything)\b|\bhelp (?:you )?with anything else\b"
)
# "There's a slot on Friday at 9:10", "there's a spare van at the yard": a thing on
# offer named by where or when it is; not "there's a queue", not "there's no slot".
THERE_IS = re.compile(
    # "There's room on the top deck", "there's still space for two at the back".
    r"\bthere(?:'s| is) (?:still |just )?(?:room|space)(?= (?:for (?:you|two|three|four|both|all|the)|on|at|in|"
    r"upstairs|downstairs|outside|inside|next door)\b)|"
    r"\b(?:there(?:'s| is| are)|we(?:'ve| have)(?: still)? got|we (?:do |still )?have) "
    r"(?:a|an|one|two|three|another|some)\s+(?:[a-z-]+\s+){0,2}?"
    r"(?:slot|room|table|seat|bed|van|car|appointment|space|pitch|unit|flight|train|bus|coach|loaner|corner|spot|"
    r"booth|stool|courtesy car|cot|locker|suite|replacement|spare)s?\b"
    r"(?=,? (?:free|available|open|ready|at|on|for (?:you|her|him|them|your [a-z]+)|tomorrow|today|tonight|this|which|"
    r"that's|we|i|you|"
    r"downstairs|upstairs|in|left)\b)|"
    # "The side seats are still free", "the one o'clock's got space".
    r"\b(?:is|are|'s|'re) still (?:free|available|open|going)\b|"
    # Not what might be: "one of them may have space".
    r"\b(?:'s (?:still )?got|has (?:still )?(?:got )?|(?<!may )(?<!might )(?<!could )(?<!should )(?<!would )"
    r"(?<!must )have (?:still )?(?:got )?)(?:space|room|places|seats|availability)\b"
    r"(?! for (?:nobody|no one)\b)|"
    # "There's a bunk free in the back", "there's one spare upstairs".
    r"\bthere(?:'s| is| are) (?:still )?(?:a|an|one|two|three|another|some) (?:[a-z-]+ ){0,2}?[a-z-]+ "
    r"(?:free|spare|going)(?! (?:of|from|to)\b)\b"
)
# A way out named as a suggestion or an alternative: "I'd suggest the back room", "the
# garden is an option", "there's always the late train", "we do have the annexe",
# "alternatively, a refund". Not the customer sent to wait, ring or go elsewhere.
_NOT_A_WAY_OUT = (
    r"(?!(?:that )?(?:you )?(?:to )?(?:call|calling|ring|ringing|phone|phoning|contact|contacting|try|trying|go|going|"
    r"complain|complaining|email|emailing|write|writing|wait|waiting|come back|coming back|join|joining|look|looking|"
    r"fill|filling|queue|queuing|the (?:waiting|wait) ?list|a complaint|another (?:hotel|shop|company|branch|place)|"
    r"(?:a |an )?(?:taxi|cab|uber)|"
    r"(?:a|an|the|our|some) (?:risk|chance|danger|problem|catch|possibility|policy|rule|procedure|process|system|limit|"
    r"charge|fee|queue|wait)s?|something|someone|next time)\b)"
)
ALTERNATIVE = re.compile(
    rf"\b(?:(?:i'd|i would|we'd|we would|i|we) (?:suggest|recommend|propose)|my (?:suggestion|advice|recommendation) "
    rf"(?:would be|is)|(?:another|one|the (?:best|quickest|easiest|simplest|other)) (?:option|alternative|choice|bet) "
    rf"(?:is|would be|could be|might be)|(?:best|safest) bet (?:is|would be)|alternatively,?|"
    rf"(?:^|, )or there(?:'s| is)|there(?:'s| is) always|we do have|"
    rf"we(?:'ve| have)(?: still)?(?: got)? (?:space|room|seats?|availability|a spot) (?:at|in|on|by|upstairs|downstairs|outside))"
    rf"\s+{_NOT_A_WAY_OUT}|"
    # "The terrace is an option", "the bar's free, if that helps".
    rf"^(?:the|our|a|an) [a-z-]+(?: [a-z-]+)?(?: is| could be| would be| might be|'s) (?:also )?(?:an? )?(?:option|alternative|"
    rf"free(?:,)? if)\b"
)
GRANT = re.compile(
    r"^(?:(?:fine|ok|okay|alright|sure|yes|of course|right)[,.!]?\s+)*(?:take|have|use|keep)\s+"
    r"(?:the|this|that|our|my|a|an|one of our)\s+(?!cab|taxi|bus|train|seat|look|number|moment|eye|close eye|note|"
    r"(?:deep )?breath|breather|minute|second|rest|break|step back)"
)
ACCEPTANCE = re.compile(
    # After a beat: "hang on, actually, yes", "you know what, fine".
    r"^(?:(?:hang on|hold on|wait|oh|ah|actually|you know what|come to think of it|hmm+|well|right)[,.!]*\s+)*"
    r"(?:yes|yeah|yep|yup|yeh|ofc|fine|ok|okay|alright|all right|no bother|sure thing|why not|i don't see why not|"
    # "You can, yes." "Yes, you may."
    r"(?:(?:yes|yeah|of course|sure),? )?(?:you|she|he|they) (?:can|may|could)(?:,? (?:yes|of course|sure))?(?=\s*(?:[.!,]|$))|"
    r"(?:i )?suppose so|(?:i )?guess so|i suppose (?:that's|that is|it's|it is) (?:fine|ok|okay|all right|alright)|"
    r"(?:oh )?go on,? then|"
    r"if (?:that's what you want|you insist|you like|you must),? (?:then )?(?:fine|ok|okay|sure|go ahead)|"
    r"of course|sure|certainly|absolutely|definitely|no problem|good idea|that works|very well|"
    r"that's fine|that is fine|great idea|consider it done|done|right away|gladly|with pleasure|"
    r"please do|yes,? please|go ahead|please go ahead|let's do (?:that|it)|(?:that's|that is) (?:a )?(?:good|great) idea|"
    r"(?:(?:yes|yeah|yeh|yep|sure),? )?(?:we |i )?(?:can|cn) do (?:that|it)|"
    r"(?:(?:yes|yeah|yeh|yep|sure|fine|ok|okay),? )?(?:i'll|we'll|i will|we will) do (?:it|that|this|them))\b"
)
CUSTOMER_PROPOSAL = re.compile(
    # "Can you tell me where my bag is?" only asks; "can you send someone?" proposes.
    # Someone else doing it counts too: "could the vet not wait?", "can your driver take me?"
    r"\b(?:(?<!what )(?<!how )(?<!why )(?:could|can|would|will|couldn't|can't|won't|cant|couldnt|wont) (?:you|someone|somebody|he|she|they|"
    r"(?:one of )?(?:the|your) [a-z]+)"
    r"(?:\s+(?:just|at least|please|not))*\s+"
    r"(?!tell|explain|say|confirm|let me know|give me an update|find out|check whether|repeat|hear|see\b)[a-z]+|"
    r"(?<!what )(?<!how )(?<!why )(?:could|can|may|couldn't|can't) (?:i|we)(?:\s+(?:just|not|at least|please))*\s+"
    r"(?:take|have|get|use|keep|go|come|pay|change|swap|switch|stay|bring|move|sit|wait|leave|book|try|do)|"
    # "Can't I just carry it on?", "could I pop in and pick up a pair?": anything the customer
    # would do, but asking, speaking or being told.
    r"(?<!what )(?<!how )(?<!why )(?:could|can|couldn't|can't|cant|couldnt) (?:i|we)(?:\s+(?:just|not|at least|please))*\s+"
    r"(?!ask|know|speak|talk|say|tell|hear|see (?:the|a|your|someone|somebody)|help|be\b|understand|complain|"
    r"make a complaint|check|find out|confirm)[a-z]+|"
    r"maybe|perhaps|what about|how about|"
    r"is there (?:really )?(?:nothing|anything|any way|no way|no one|nobody|anyone|anybody|someone|somebody|"
    r"something|anywhere|somewhere|any chance|any [a-z]+ (?:money|cover|help|fund|slot|room|space|place|seat)s?)|"
    r"would it be possible|or (?:a|an|just|even)|"
    # "Is there another car I can switch to?", "isn't there a later one?"
    r"(?:is|isn't) there (?:another|a|an|any|some)(?: [a-z-]+){1,4} (?:i|we) (?:can|could)|"
    r"isn't there (?:another|any|anyone|anybody|anything|anywhere|a|an|some|someone|somebody|something)\b|"
    r"(?<!what )(?<!how )(?<!why )(?:could we|can we|may we)|do you have|(?:haven't|have) you got (?:a|an|another|any|them|those|these|some)|"
    r"i (?:was )?wonder(?:ed|ing)? (?:whether|if) (?:you|someone|i|we))\b"
)
OWNERSHIP = re.compile(
    r"\b(?:myself|personally|leave it (?:with|to) me|i'll (?:take care|handle|sort|make sure|see to it|fix)|"
    r"i will (?:take care|handle|sort|make sure|see to it|fix)|let me (?:fix|sort|handle|take care|deal)|"
    r"i'll take (?:it|this) (?:from here|on)|(?:i|we) (?:won't|will not) leave you|i'm on it|"
    r"you have my word|i promise|i'll stay|i will stay)\b"
)
IMMEDIACY = re.compile(
    r"\b(?:right (?:away|now)|straight away|immediately|at once|now|tonight|in (?:a|one|two|five|ten|fifteen|"
    r"\d+) (?:minute|minutes|moment|moments)|within (?:the hour|minutes|\d+ minutes)|this minute|"
    r"as we speak|already on (?:its|his|her) way|on (?:its|his|her|their) way)\b"
)
EXTRA = re.compile(
    r"\b(?:tea|coffee|hot chocolate|water|snack|a drink|refreshments|blanket|toys?|"
    r"for the (?:kids|children|little ones)|(?:drive|ride|take|give) you (?:a lift |a ride )?(?:to|home|right)|"
    r"ride along|lift|"
    r"(?:call|ring|phone|text|email) (?:you|the garage|ahead|them)|follow(?:-| )up|check (?:on|in with) you|"
    r"so (?:they're|they are|it's|everything is) ready|in the meantime|meanwhile|"
    r"(?<!far )(?<!much )(?<!way )too\b(?!\s+(?:long|late|much|many|bad|early|busy|hard|far|slow))|as well|"
    r"(?:stay|wait) with you|until (?:the|it|you)|upgrade|an exception|bend the rule|outside the rules?|"
    r"make an exception|rules? (?:aside|shouldn't)|whatever the (?:rule|policy)|"
    r"(?:no (?:extra )?charge|free of charge|on the house(?! (?:phone|line|number))|at no (?:extra )?cost|"
    r"complimentary|on us))\b"
)
FOLLOW_UP = re.compile(
    r"\b(?:(?:i'll|i will|we'll|we will) (?:call|ring|phone|text|email|check (?:in )?(?:on|with)|follow up with) you|"
    r"follow(?:-| )up|make sure (?:it|everything|you|that) (?:is|works|are|got|get|gets)|check (?:back|in) (?:with you|later|tomorrow))\b"
)
EXCEPTION = re.compile(
    r"\b(?:an exception|make an exception|bend the rules?|outside the rules?|rules? (?:aside|shouldn't)|"
    r"whatever the (?:rules?|policy)|the rule (?:is for|doesn't|does not|shouldn't)|"
    r"i'll (?:take|make) responsibility|i'll authori[sz]e|on my (?:own )?authority|"
    # "We don't usually, but for you, yes."
    r"but (?:for you(?: two| both)?|this (?:once|time)|just this once|tonight|today|in your case),? "
    r"(?:yes|sure|of course|okay|ok|we can|i can|i will|i'll|we will|we'll))\b"
)
# The same exception, said as the yes itself.
EXCEPTION_YES = re.compile(
    r"(?:\bbut |^)(?:for you(?: two| both)?|this (?:once|time)|just this once|tonight|today|in your case),? "
    r"(?:yes|sure|of course|okay|ok)\b"
)

# Why the answer is no: "we're fully booked", "because the depot shut at six". A
# refusal that says why is label 2, a bare one label 1.
REFUSAL_REASON = re.compile(
    r"\b(?:because|since|as (?:we|the|it|there|our|all|every|they)|due to|so (?:i|we) (?:can't|cannot|won't)|"
    r"fully booked|sold out|out of stock|"
    r"(?:is|are|'s|'re|was|were) (?:all |completely |fully )?(?:full|taken|booked|closed|gone|shut|broken|empty))\b"
)

# What lowers flexibility.
REFUSAL = re.compile(
    r"\b(?:(?:i|we) ?(?:can't|cannot|can not|won't|will not|am not able to|are not able to|'m not able to|"
    r"'re not able to|am unable to|are unable to|'m unable to|'re unable to|don't|do not|aren't allowed to|"
    r"are not allowed to|'m not allowed to|am not allowed to|have no way to|have no way of) "
    # "I can't find your booking" reports what went wrong; it refuses nothing.
    r"(?!imagine|believe|agree|wait|blame|leave you|let you down|mind|care|worry|stop|forget|find|see|locate|trace|"
    # "I won't have you sleeping in the car", "we won't let this happen again"
    r"have you|let (?:this|that|it) happen|"
    # A hedge before an effort: "I can't promise anything, but I'll ring round".
    r"(?:promise|guarantee)\b(?=[^.;!?]*\bbut\b))[a-z]+|"
    # "Sorry, I can't, the kiln's broken": the bare modal, the verb left out.
    # Not "she can sign off things I can't".
    r"(?:(?<=^)|(?<=[,.;!?] )|(?<=\bbut )|(?<=\bsorry )|(?<=\bafraid )|(?<=\bunfortunately )|(?<=\bno )|"
    r"(?<=\bjust )|(?<=\breally )|(?<=\bhonestly ))"
    r"(?:i|we) (?:can't|cannot|won't|am not able to|'m not able to|are not able to|'re not able to)(?=\s*(?:[,.;!]|$))|"
    r"no promises(?![^.;!?]*\bbut\b)|(?:all|both) (?:(?:our|the) )?[a-z]+ (?:are|is) (?:booked|taken|out|full|gone|busy)|"
    r"(?:he|she|they|the [a-z]+) (?:is|are) (?:busy|booked|unavailable)|"
    r"there (?:are|is) no [a-z ]{1,30}(?:available|left|free)|goes in order|in order like|"
    r"(?:go|goes|are taken|are done|work|works|run|runs) (?:strictly |purely |only )?in (?:strict )?order\b|"
    r"(?:have|has) to (?:process|go|wait|stay|follow) [a-z ]*in order|"
    r"(?:that's|that is|it's|it is|this is) (?:impossible|not possible|out of the question|not an option|not happening)|"
    r"\bimpossible\b|(?:isn't|is not|not|aren't|are not) (?:possible|an option|allowed)|no way|there's nothing (?:i|we) can do|nothing (?:i|we|more) can (?:do|be done)|"
    r"(?:there isn't|there is not) anything (?:i|we) can do|(?:that's|that is) (?:all|everything) (?:i|we) can (?:tell you|say|do)|"
    r"(?:i|we) (?:said|say) no|^(?:no|nope)(?=[,.!]|$)|^sorry,? no(?=[,.!]|$)|"
    # "..., so no." "I'm on my own, so the answer's no."
    r"(?<=[,;] )(?:so|then|and|sorry|afraid),? (?:(?:the answer's|the answer is|it's|that's) )?no(?=\s*(?:[.!]|$))|"
    # The short answers that say no: "Afraid not.", "Sadly not, ...", "Not really."
    r"^(?:(?:i'm |i am )?afraid|sadly|unfortunately|probably|(?:i'm )?sorry,?) not(?=[,.!]|$)|"
    # Subject dropped: "Can't be done before Monday."
    r"(?:^|(?<=[,.;!] ))(?:can't|cannot|won't) be (?:done|arranged|helped|changed|moved)\b|"
    # "Backup phones are only for business accounts."
    r"\b(?:is|are) only (?:for|available (?:to|for)|open to|given to)\b|^not really(?=[,.!]|$)|won't be able|not (?:going to|gonna) happen|"
    r"(?:we're|we are) (?:full|fully booked|sold out|closed)|(?:we have|there are|there is|there's) no (?:staff|rooms?|beds?|space|one|seats?|drivers?|availability)|"
    r"(?:isn't|is not|aren't|are not|not) available|only option|as (?:you|it) (?:are|is)\b|"
    r"(?:we|they) (?:only|just) (?:tow|do|offer|provide|deal with|cover|sell)|\bonly,? (?:sir|madam|ma'am)\b|"
    r"(?:isn't|is not|not) (?:included|covered|our (?:job|responsibility))|"
    r"(?:that|this|it) is the room you|that's the room you|i don't think so|we don't do that|"
    r"can't help you|cannot help you|nothing else|"
    # The subject dropped: "Can't help, sorry." "Cannot do that."
    r"^(?:sorry,? )?(?:can't|cant|cannot|can not|won't) (?:help|do (?:it|that|this|anything|much)|manage it|promise(?![^.;!?]*\bbut\b)|guarantee(?![^.;!?]*\bbut\b))"
    r"(?! (?:but|until|unless))"
    r")\b"
)
POLICY = re.compile(
    r"\b(?:polic(?:y|ies)|protocol|regulations?|rules?|procedures?|not allowed|against (?:the )?(?:rules|regulations|policy)|"
    r"not permitted|(?:the |our |booking )?system (?:shows|says|won't|doesn't|does not|will not|only)|booking system|"
    r"computer says|(?:room|ticket|fare|price|membership) (?:category|class|tier|type)|terms and conditions|"
    r"(?:isn't|is not|not) covered|not in the (?:protocol|contract|package|plan|rules)|company (?:policy|rules)|"
    r"(?:i'm|i am) not (?:authori[sz]ed|allowed|permitted)|my hands are tied|that's the rule|"
    r"(?:it's|it is|that's|that is) (?:out of|not in) my hands|above my pay grade|"
    r"(?:i|we) have no (?:discretion|authority|say)|"
    r"what you (?:paid|booked|signed up|ordered) for|the room you (?:booked|paid for|chose)|insurance (?:won't|doesn't))\b"
)
SENDS_AWAY = re.compile(
    r"\b(?:(?<!our )(?<!my )(?:another|other|a different|different) (?:hotels?|compan(?:y|ies)|places?|garages?|providers?|shops?|stores?|branch)|"
    r"elsewhere|somewhere else|(?:is|'s|are) (?:a )?(?:different|another|separate) (?:team|department|desk|office|line)|"
    r"(?:call|ring|phone|try) the (?:main|general|head office|customer service|helpline) (?:number|line)|(?:hotel|garage|shop|place|branch|office)s? (?:across the (?:road|street)|down the (?:road|street)|nearby|around the corner)|"
    # The customer told to go; not the speaker's own "I'll go and ask".
    r"(?<!i'll )(?<!i will )(?<!let me )(?<!we'll )(?<!i can )(?<!i'm going to )(?<!i'd )(?<!me )go (?:and|to|elsewhere|home|away)|"
    r"(?:call|take|get|book|order|find|grab) (?:a|yourself a|your own) (?:cab|taxi|uber|bus|train|ride)|call a cab|"
    # The customer told to ring someone else: "Ring the depot." (not "ring me", "call us back")
    r"^(?:(?:just|so|then|please|you(?:'ll)? (?:need|have) to|you should|you could|you can|you may wish to|"
    r"you might (?:want|wish) to|you may want to|you'd (?:better|need to|have to))\s+)?"
    r"(?:(?:ring|call|phone|contact) (?!(?:me|us|back|my|our|it|this|that|you|again|anytime|any time|ahead)\b)[a-z]+|"
    r"(?:email|e-mail|message|write to) (?:the|head|billing|customer|support|their|them|him|her|"
    r"your (?:bank|insurer|provider|landlord|airline|council|employer|school))\b)|"
    r"(?:there are|there're|there's) (?:many|other|plenty of|lots of|several) (?:hotels|places|companies|garages|shops)|"
    r"complain to|(?:your|their) own (?:ride|transport|way|car)|try (?:another|elsewhere|somewhere)|"
    # "You could try a spray from a hardware shop": the customer sent to buy the fix.
    r"(?<!i'll )(?<!i will )(?<!let me )(?<!i can )(?:try|get|buy|pick up) (?:a |an |some )?[a-z -]{0,30}?"
    r"from (?:a|any|your local|the nearest|the local) (?:[a-z-]+ )?(?:shop|store|chemist|pharmacy|supermarket)\b|"
    # "Try the branch across town."
    r"(?<!i'll )(?<!we'll )(?<!let me )(?<!i can )try (?:the|our) (?:[a-z-]+ ){0,2}(?:branch|shop|store|hotel|garage|"
    r"pharmacy|chemist|office|depot|website|helpline)\b|"
    r"take (?:that|it|this) up with|"
    r"(?:find|arrange|sort) (?:your own|something yourself)|not a taxi|we're not a taxi|"
    r"you'll have to (?:find|make|sort|arrange) (?:your|another|other)|on your own|"
    r"help (?:centre|center|page|section)|(?:our|the) (?:faq|website|web site|app|online form|forum)|self-service|"
    r"(?:read|see|check|follow) the (?:instructions|manual|guide|policy|terms))\b"
)
BURDEN_BACK = re.compile(
    r"\b(?:is there (?:a|anyone|someone) (?:friend|family|relative|who)|(?:a|your) friend (?:who )?(?:could|can)|"
    r"someone (?:who|to) (?:could|can) (?:collect|pick|drive)|ask (?:a|your) (?:friend|family|neighbour)|"
    r"(?:your|the) (?:insurer|insurance company|bank|booking site|travel agent) (?:can|will|should)|"
    r"that's up to you|your choice|up to you to)\b"
)
DEFERS = re.compile(
    rf"\b(?:tomorrow|in the morning|day (?:team|shift|staff)|another department|other department|"
    rf"(?:right|relevant|appropriate|responsible) department|pass (?:it|this|your (?:request|complaint)) (?:on|to)|"
    rf"(?:note|log|record) (?:down )?(?:your|the) (?:request|complaint|details)|make a note|log (?:a|your) (?:ticket|request|complaint)|"
    rf"fill (?:in|out) (?:the|a|this|our) [a-z ]*form|complaint form|within {N} (?:working |business )?days|"
    rf"{N} (?:working|business) days|someone will (?:call|contact|get back)|"
    rf"(?:we'll|we will|they'll|they will) get back to you|office hours|next week|send an email to|"
    # "Write to head office" sends the customer; "I can write to your manager today" acts.
    rf"(?<!i'll )(?<!i will )(?<!i can )(?<!we'll )(?<!we can )(?<!i'm going to )write to|"
    rf"customer (?:service|care) line|not my department|the (?:day team|manager) will (?:handle|deal|look)|"
    rf"will (?:review|consider|look into) it|wait until|have to wait|come back (?:[a-z ]{0, 20}\b)?(?:later|tomorrow|next week|another day)|"
    rf"(?:try|call|ring|check|come) (?:(?:it|again|back|us)\s+)*later|open a ticket|raise a ticket|submit a (?:ticket|request)|"
    # The customer sent to the queue everyone joins: "you'll need to join the waiting list".
    rf"(?:join|go on|go onto|get on|wait on|stay on|be on|you're on|you are on|you're now on|you are now on) "
    rf"(?:the|our|a) (?:waiting list|wait list|waitlist|queue)|"
    rf"(?:only|just) (?:offer|give) (?:you )?(?:the|our|a place on the|a spot on the) (?:waiting list|wait list|waitlist)|"
    rf"(?:put|add|pop) (?:you|yourselves|yourself|you both|you two|your names?)(?: name)? (?:down )?(?:on|onto|to) "
    rf"(?:the|our|a) (?:waiting list|wait list|waitlist)|"
    # "I'll put your name down and ring you": a place in the queue, nothing more.
    rf"(?:put|take|pop) (?:your|you(?:r)? names?|you) down(?=\s*(?:[,.!;]|$|and\b))|"
    # "Maybe come back another night", "please wait outside": the customer put off.
    rf"come back (?:another|some other|a different|on another) (?:night|day|time|evening|morning|week|weekend)|"
    rf"(?<!i'll )(?<!i will )(?<!we'll )(?<!i can )wait (?:outside|over there|in line|in the (?:queue|line)|your turn)|"
    rf"in (?:the )?order (?:of arrival|they arrive|people arrive|of the list)|first come,? first served|"
    # "We'll see about the car after the two-thirty leaves"; "better wait for the engineer".
    rf"(?:we'll|i'll|we will|i will) see about (?:it|that|this|the [a-z]+|your [a-z]+) (?:after|later|once|when|tomorrow)|"
    rf"(?:^|, |\. )(?:better|best|you'd better|you had better) wait (?:for|until|till))\b"
)
# What only files the problem: a promise with one of these is a deferral, not
# an action ("we'll review it within five working days"). A time word alone
# ("tomorrow morning") is not filing: a repair booked for tomorrow is booked.
FILING = re.compile(
    rf"\b(?:fill (?:in|out) (?:the|a|this|our) [a-z ]*form|complaint form|"
    rf"within {N} (?:working |business )?days|{N} (?:working|business) days|"
    rf"get back to you|someone will (?:call|contact|get back)|(?:review|consider|look into) it|"
    rf"(?:open|raise|submit|log) (?:a|the) (?:ticket|request|complaint)|pass (?:it|this|your [a-z]+) (?:on|to)|"
    rf"make a note|(?:note|log|record) (?:down )?(?:your|the) (?:request|complaint|details)|"
    rf"let you know|keep you (?:posted|updated|informed)|"
    r"(?:has|have) been (?:logged|noted|passed on|forwarded|escalated|recorded)|in due course)\b"
)
# A handover done kindly ("I'll brief her first so you don't have to repeat it, and
# stay on the line"): care in passing the customer on, not a solution.
HANDOVER = re.compile(
    r"\b(?:stay (?:on the line|on with you|with you while|on while)|(?:fill|brief) (?:him|her|them|[a-z]+) in\b|"
    r"brief (?:him|her|them)\b|tell (?:him|her|them) (?:the whole story|everything|what's happened|what happened)|"
    r"explain (?:everything|it all|the situation|what's happened) to (?:him|her|them)|"
    r"so you (?:don't|won't|needn't|do not|will not) (?:have to |need to )?(?:repeat|explain|go over|go through))"
)
# Reporting back: after a promise to look, it is part of looking, not a filing away.
REPORT_BACK = re.compile(
    r"\b(?:get|come) (?:straight |right )?back to you|(?:call|ring|phone) you (?:straight )?back|let you know|"
    r"keep you (?:posted|updated|informed)"
)
# Guiding the customer through a step kindly: "could you unplug the cable?",
# "if you could press the button". In technical support this is the solution.
GUIDE = re.compile(
    r"\b(?:could you|would you(?: mind)?|can you|if you (?:could|would|can)|will you|"
    r"let's|let us|together,? (?:we'll|we will)|we'll do it)\s+(?:please\s+|just\s+|now\s+|first\s+|gently\s+)?"
    r"(?!tell|confirm|give|send|spell|repeat|say|read out|hold)(?P<verb>[a-z]+)"
)
# Requests that only gather information.
REQUEST_START = re.compile(
    r"^(?:(?:and|so|now|first|ok|okay)[,]?\s+)?(?:please\s+)?(?:send|give|tell|let me know|may i have|can i have|"
    r"could (?:you|i)|would you|can you|what|which|where|when|how|who)\b"
)
# A question that only gathers information (not "would you like...?").
INFO_REQUEST = re.compile(
    r"\b(?:your (?:name|number|location|address|booking|reservation|registration|details|membership|account|"
    r"policy number|postcode|reference)|where (?:exactly )?are you|which (?:room|road|car|model)|"
    r"what (?:is|'s) (?:your|the)|may i have|can i have|could you (?:tell|give|confirm|send)|"
    r"(?:send|give|tell) (?:me|us) (?:your|the)|let me know|how many|what happened|when did)\b"
)
VAGUE_LOOK = re.compile(
    r"\b(?:i'll see|i will see|let me see|we'll see|i'll look into it|i'll check|let me check|"
    r"let me look|i'll find out|let me find out|i'll ask|let me ask|i'll try|we'll try|i'll do what i can|"
    r"(?:i'll|we'll|i will|we will) do (?:my|our) (?:best|utmost)|(?:i'll|we'll) do what we can|"
    r"one moment|bear with me)\b"
)
