"""Word tables for the synthetic grammatical-error generator (gec_noise_rules.py).

Plain data, lower-cased: articles, prepositions and their usual confusions, function words that
learners drop or add, verbs with their five forms, irregular noun plurals and the QWERTY keyboard.
The lists are small on purpose: an error is only generated where a rule is sure of the word class.
"""

from __future__ import annotations

ARTICLES = ("a", "an", "the")

# Words after which a noun phrase starts (used to find noun candidates; articles included).
DETERMINERS = frozenset(ARTICLES) | frozenset(
    "this that these those my your his her its our their some many few several every each no "
    "any much more most other another".split()
)

# Preposition -> the prepositions learners put in its place (W&I's frequent R:PREP pairs).
PREPOSITION_CONFUSIONS: dict[str, tuple[str, ...]] = {
    "in": ("on", "at", "into"),
    "on": ("in", "at", "about"),
    "at": ("in", "on", "to"),
    "for": ("to", "of", "about"),
    "to": ("for", "at", "in"),
    "of": ("for", "about", "from", "in"),
    "with": ("by", "of", "to"),
    "by": ("with", "from", "in"),
    "from": ("of", "by", "since"),
    "about": ("of", "for", "on"),
    "into": ("in", "to"),
    "onto": ("on", "to"),
    "during": ("in", "for", "while"),
    "since": ("for", "from"),
    "towards": ("to", "for"),
    "among": ("between", "in"),
    "between": ("among", "in"),
    "through": ("by", "across"),
    "across": ("through", "on"),
    "over": ("above", "on"),
    "under": ("below", "in"),
}
PREPOSITIONS = frozenset(PREPOSITION_CONFUSIONS)
# Prepositions learners add where none belongs ("discuss about", "enter into"), most common first.
EXTRA_PREPOSITIONS = ("to", "of", "in", "for", "about", "at", "with", "on")

# Function words (not articles or prepositions) learners leave out: M:PRON, M:VERB(:TENSE),
# M:CONJ, M:PART, M:ADV, M:OTHER.
MISSING_WORDS = frozenset(
    "it they he she we you them him there that which who "
    "is are was were be been have has had will would can could do does did "
    "and but or if because so also very too just to".split()
)
# Words learners add where none belongs: U:OTHER, U:VERB:TENSE, U:PRON, U:ADV, U:PART.
EXTRA_WORDS = ("it", "to", "the", "is", "be", "will", "have", "that", "so", "very", "more",
               "also", "and", "of", "are", "really")

PRONOUN_SUBJECTS_PLURAL = frozenset({"i", "you", "we", "they"})
PRONOUN_SUBJECTS_SINGULAR = frozenset({"he", "she", "it"})

# Subject-verb agreement pairs (both directions are generated).
AGREEMENT_PAIRS = {"is": "are", "was": "were", "has": "have", "does": "do", "am": "is",
                   "doesn't": "don't", "isn't": "aren't", "wasn't": "weren't",
                   "hasn't": "haven't"}
AGREEMENT_SWAPS = {**AGREEMENT_PAIRS, **{v: k for k, v in AGREEMENT_PAIRS.items() if v != "is"}}

# Irregular verbs: base, past, past participle (3rd person and -ing follow the rules).
IRREGULAR_VERBS = (
    ("go", "went", "gone"), ("take", "took", "taken"), ("make", "made", "made"),
    ("come", "came", "come"), ("see", "saw", "seen"), ("get", "got", "got"),
    ("give", "gave", "given"), ("know", "knew", "known"), ("think", "thought", "thought"),
    ("find", "found", "found"), ("tell", "told", "told"), ("become", "became", "become"),
    ("leave", "left", "left"), ("feel", "felt", "felt"), ("bring", "brought", "brought"),
    ("begin", "began", "begun"), ("keep", "kept", "kept"), ("hold", "held", "held"),
    ("write", "wrote", "written"), ("stand", "stood", "stood"), ("hear", "heard", "heard"),
    ("meet", "met", "met"), ("run", "ran", "run"), ("pay", "paid", "paid"),
    ("sit", "sat", "sat"), ("speak", "spoke", "spoken"), ("lead", "led", "led"),
    ("grow", "grew", "grown"), ("lose", "lost", "lost"), ("fall", "fell", "fallen"),
    ("send", "sent", "sent"), ("build", "built", "built"), ("understand", "understood",
                                                            "understood"),
    ("spend", "spent", "spent"), ("win", "won", "won"), ("buy", "bought", "bought"),
    ("eat", "ate", "eaten"), ("drive", "drove", "driven"), ("teach", "taught", "taught"),
    ("choose", "chose", "chosen"), ("forget", "forgot", "forgotten"), ("sell", "sold", "sold"),
    ("break", "broke", "broken"), ("wear", "wore", "worn"), ("sleep", "slept", "slept"),
    ("fight", "fought", "fought"), ("drink", "drank", "drunk"), ("catch", "caught", "caught"),
    ("swim", "swam", "swum"), ("fly", "flew", "flown"), ("rise", "rose", "risen"),
    ("seek", "sought", "sought"), ("say", "said", "said"), ("mean", "meant", "meant"),
)
# Verbs with irregular present forms: every form, the base first (agreement is AGREEMENT_PAIRS).
SPECIAL_VERBS = (
    ("be", "is", "are", "am", "was", "were", "been", "being"),
    ("have", "has", "had", "having"),
    ("do", "does", "did", "done", "doing"),
)
# Tense and form changes of "be" (agreement changes such as is -> are belong to agreement).
BE_FORM_CHANGES = {
    "is": ("was", "be", "being"), "are": ("were", "be", "being"), "am": ("was", "be"),
    "was": ("is", "be", "been"), "were": ("are", "be", "been"), "be": ("being", "been", "is"),
    "been": ("be", "being"), "being": ("be", "been"),
}
# Words after which the next word is a verb rather than a noun (no article is inserted there).
VERB_PRECEDERS = frozenset("i you we they he she it will would can could shall should may might "
                           "must to not do does did never".split())
# Object and reflexive pronouns (never taken for nouns; no article goes before them).
OBJECT_PRONOUNS = frozenset("me us him her them myself yourself himself herself itself ourselves "
                            "themselves something anything nothing everything someone anyone "
                            "everyone nobody".split())
# Words before which learners put a comma that does not belong ("I think, that ...").
COMMA_BEFORE = frozenset("and but or so that which who because when if where while although "
                         "though as then i we they he she it you".split())
# Adverbs treated as function words (never taken for nouns, verbs or adjectives).
FUNCTION_ADVERBS = frozenset("never always often ever even only still already yet however also "
                             "just again here there now then".split())
# Common regular verbs (forms built by rule: -s/-es, -ed, -ing with e-dropping and y -> ied).
REGULAR_VERBS = tuple(dict.fromkeys(
    "want need like live work play help try use ask call start believe decide happen change "
    "move provide include continue learn study travel visit walk talk look seem stay enjoy "
    "create improve increase reduce allow agree answer arrive carry close compare consider "
    "cook cover describe develop discuss explain finish follow hope imagine join listen love "
    "manage mention miss notice offer open order plan prefer prepare produce protect receive "
    "remember relax reach return save share solve suggest support suffer watch wait wish "
    "worry accept achieve add affect appear attend avoid belong clean collect complete "
    "contain depend destroy discover encourage explore fail hate invite kill mark organise "
    "pass pick pollute print promise protect realise recommend recycle refuse rent repair "
    "replace report reply search serve shout smile solve stop surprise tidy touch train "
    "treat turn waste".split()
))
# Regular verbs that double their final consonant (stop -> stopped, stopping; British spelling).
DOUBLING_VERBS = frozenset("stop plan prefer travel shop drop occur admit regret control refer "
                           "permit fit chat jog".split())
# Forms that are too often another word class to be treated as verbs (after a determiner, no
# form is: "the work", "a visit").
NOT_VERB_FORMS = frozenset({"left", "saw", "felt", "led", "lead", "rose", "fell", "found",
                            "mean", "means", "can", "will", "building", "meeting", "feeling",
                            "training", "beginning", "saying", "spring", "well"})

# Irregular noun plurals (singular, plural).
IRREGULAR_NOUNS = (
    ("man", "men"), ("woman", "women"), ("child", "children"), ("person", "people"),
    ("foot", "feet"), ("tooth", "teeth"), ("mouse", "mice"), ("life", "lives"),
    ("wife", "wives"), ("knife", "knives"), ("leaf", "leaves"), ("half", "halves"),
    ("wolf", "wolves"), ("shelf", "shelves"), ("thief", "thieves"), ("goose", "geese"),
    ("phenomenon", "phenomena"), ("criterion", "criteria"), ("crisis", "crises"),
    ("analysis", "analyses"),
)
# Uncountable nouns: learners add -s to them ("informations", "advices").
UNCOUNTABLE_NOUNS = frozenset(
    "information advice furniture equipment knowledge homework news research evidence "
    "money music traffic luggage luck work progress".split()
)

# Words that look like nouns to the suffix rules but are not (never pluralised or singularised).
NOT_NOUNS = frozenset(
    "this is was has does his its us as thus always perhaps whereas yes less unless across "
    "news series species means physics economics politics mathematics".split()
)

# QWERTY keys adjacent to each letter (same row and the rows above and below).
KEYBOARD_NEIGHBOURS: dict[str, str] = {
    "q": "wa", "w": "qeas", "e": "wrds", "r": "etdf", "t": "ryfg", "y": "tugh", "u": "yihj",
    "i": "uojk", "o": "ipkl", "p": "ol", "a": "qwsz", "s": "awedxz", "d": "serfcx",
    "f": "drtgvc", "g": "ftyhbv", "h": "gyujnb", "j": "huikmn", "k": "jiolm", "l": "kop",
    "z": "asx", "x": "zsdc", "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
}
