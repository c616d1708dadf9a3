"""Spelling variants the matcher treats as the same word: numerals, nicknames, phonetic keys.

Each table here is small and written out so that an analyst can read why two words paired.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from screening.matching.normalize import WORDS_REMEMBERED

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ORDINALS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENTHS = {
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
}
NUMBER_WORDS: dict[str, int] = {
    **{w: i for i, w in enumerate(_UNITS)},
    **_TENS,
    **{w: i for i, w in enumerate(_ORDINALS)},
    **_TENTHS,
}
# Series numbers of funds and classes ("FUND II"): read as numbers so that they must agree.
ROMAN = {"ii": 2, "iii": 3, "iv": 4, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "xi": 11, "xii": 12}
_ORDINAL_SUFFIX = re.compile(r"^(\d+)(st|nd|rd|th)$")


def numerals(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Number words, ordinals and series numerals as digits (an organisation's name only).

    "Second Harbour Bank" and "2nd Harbour Bank" both become ``2 harbour bank``;
    "Unit Sixty-One" becomes ``unit 61``; "Fund II" becomes ``fund 2``.
    """
    out: list[str] = []
    for i, token in enumerate(tokens):
        if (suffixed := _ORDINAL_SUFFIX.match(token)) is not None:
            out.append(suffixed.group(1))
            continue
        value = NUMBER_WORDS.get(token)
        if value is None and i > 0:
            value = ROMAN.get(token)
        if value is None:
            out.append(token)
        elif out and token in _UNITS[1:10] + _ORDINALS[1:10] and _is_tens(out[-1]):
            out[-1] = str(int(out[-1]) + value)
        else:
            out.append(str(value))
    return tuple(out)


def _is_tens(token: str) -> bool:
    return token.isdigit() and len(token) == 2 and token[1] == "0" and token[0] != "1"


# Given names and the short or familiar forms they are known by, in groups. Spellings of one name
# in several transliterations are in one group too (the phonetic key finds most others).
_NICKNAMES = """
william bill billy will willy
robert bob bobby rob robbie
richard dick rick ricky
james jim jimmy
john jack johnny
joseph joe joey
thomas tom tommy
charles charlie chuck
edward ed ted eddie ned
anthony tony
daniel dan danny
david dave
michael mike mick mikhail misha mykhailo
christopher chris
matthew matt
andrew andy drew andrei andrey andriy
benjamin ben
samuel sam
nicholas nick nikolai nikolay mykola kolya
patrick pat paddy
peter pete pyotr petr petro
stephen steven steve stepan
timothy tim
jonathan jon
katherine catherine kate kathy cathy ekaterina yekaterina katya
elizabeth liz beth betty lisa elisabeth yelizaveta
margaret maggie peggy
jennifer jen jenny
susan sue
rebecca becky
deborah debbie
alexander alexandr aleksandr aleksander oleksandr aliaksandr alexandre sasha sanya alex
alexei aleksei alexey aleksey oleksiy aliaksei lyosha alyosha
dmitry dmitri dmitriy dmytro dzmitry dima
vladimir volodymyr uladzimir vova volodya
evgeny evgeniy yevgeny yevgeniy yevhen evgenii zhenya
ivan vanya ivan
sergei sergey serhiy siarhei seryozha
yuri yury yuriy iurii
mohammed muhammad mohammad mohamed muhammed mohamad mohd muhd
abdullah abdallah abdulla
yusuf yousef youssef yosef joseph
ibrahim ebrahim abraham
"""


@cache
def _nickname_groups() -> dict[str, frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for number, line in enumerate(_NICKNAMES.strip().splitlines()):
        for name in line.split():
            groups.setdefault(name, set()).add(number)
    return {name: frozenset(ids) for name, ids in groups.items()}


def nickname_group(token: str) -> frozenset[int]:
    """The groups of given names `token` belongs to (empty when it is in none)."""
    return _nickname_groups().get(token, frozenset())


def nicknames_of(token: str) -> set[str]:
    """Every name sharing a group with `token`."""
    groups = nickname_group(token)
    if not groups:
        return set()
    return {name for name, ids in _nickname_groups().items() if ids & groups}


# Spellings that transliteration systems write differently for one sound: Russian ("Yevgeny" /
# "Evgeniy", "Aleksandr" / "Alexander"), Chinese ("Xi" / "Shi"), Arabic ("Qasim" / "Kassim").
_PHONETIC = (
    (re.compile(r"^(ye|je|ie)"), "e"),
    (re.compile(r"^(yu|ju|iu)"), "u"),
    (re.compile(r"^(ya|ja|ia)"), "a"),
    (re.compile(r"^x(?=[iu])"), "s"),
    # Russian ё after a consonant is written YO or E (FYODOROV / FEDOROV, PYOTR / PETR).
    (re.compile(r"(?<=[bcdfghklmnprstvz])yo"), "e"),
    (re.compile(r"(iy|ij|ii|yi|ey)$"), "i"),
    (re.compile(r"dzh|dj"), "j"),
    (re.compile(r"ph"), "f"),
    # Persian and Arabic q and gh are written for one another (BAQER / BAGHER, NAQDI / NAGHDI).
    (re.compile(r"gh"), "q"),
    # Arabic dhal is written DH or D (AL-ARDH / AL-ARD), and a final ta marbuta -AH or -A
    # (JADIDAH / JADEEDA).
    (re.compile(r"shch|sch|sh|ch|tch|zh|kh|ts|tz|th|dh"), lambda m: m.group(0)[0]),
    (re.compile(r"(?<=.{3})ah$"), "a"),
    (re.compile(r"ey"), "ay"),  # SEYED / SAYYED, HEYDAR / HAYDAR (a final -ey is -i above)
    (re.compile(r"ks|x"), "ks"),
    (re.compile(r"[qc]"), "k"),
    (re.compile(r"w"), "v"),
    (re.compile(r"y"), "i"),
    (re.compile(r"ou|oo"), "u"),
    (re.compile(r"ee"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
)


@lru_cache(maxsize=WORDS_REMEMBERED)
def phonetic_key(token: str) -> str:
    """A key that transliteration variants of one name share (see ``_PHONETIC``)."""
    for pattern, replacement in _PHONETIC:
        token = pattern.sub(replacement, token)
    return token


# Abbreviations of business words as lists and registries write them ("YAZD METALLURGICAL IND'S
# CO.", "OIL TANKERS SCF MGMT", "SENAT SHPG"): an organisation's name reads them as the word.
# Only abbreviations that are no common word or name of their own.
ABBREVIATIONS: dict[str, str] = {
    "ind": "industries",
    "inds": "industries",
    "indus": "industries",
    "mfg": "manufacturing",
    "mfrs": "manufacturers",
    "shpg": "shipping",
    "mgmt": "management",
    "mgt": "management",
    "svc": "services",
    "svcs": "services",
    "engg": "engineering",
    "natl": "national",
    "assn": "association",
    "assoc": "association",
    "bros": "brothers",
    "trdg": "trading",
    "trd": "trading",
    "tic": "ticaret",
    "sti": "sirketi",
    "dev": "development",
    "devt": "development",
    "tech": "technology",
    "techs": "technologies",
    "elec": "electric",
    "intl": "international",
    "univ": "university",
    "inst": "institute",
    "dept": "department",
    "petrochem": "petrochemical",
    # Saint in place names: ST PETERSBURG, SANKT-PETERBURG (Russian and German), SAINT PETERSBURG.
    "st": "saint",
    "sankt": "saint",
}


# One name written as a phrase or as an acronym, read as one word: the lists name the Islamic State
# and its provinces every way ("ISIS-SOMALIA" / "ISLAMIC STATE IN SOMALIA", "ISIL KHORASAN" /
# "ISIS WILAYAT KHORASAN", "DAESH"). The phrases are the acronyms' own English expansions (ISIS:
# Iraq and Syria, ISIL: Iraq and the Levant), "Islamic State" alone and the Arabic "al-Dawla
# al-Islamiya" (Daesh is its initials; the longer Arabic forms of the lists are not read). Not
# "ISLAMIC STATES" (the OIC's broadcasting body), and a bare "IS" stays itself: it is also a word
# ("IS BANK"). The name's initials as written are kept (ISWAP: see scoring.prepare).
SAME_NAME = "isis"
_SAME_NAME_WORDS = frozenset({"isis", "isil", "daesh", "daish"})
_SAME_NAME_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            (*head, *tail)
            for head in (
                ("islamic", "state"),
                ("al", "dawla", "al", "islamiya"),
                ("al", "dawlah", "al", "islamiyah"),
                ("ad", "dawla", "al", "islamiya"),
            )
            for tail in (
                *(
                    (link, "iraq", "and", *region)
                    for link in ("of", "in")
                    for region in (
                        ("the", "levant"),
                        ("levant",),
                        ("ash", "sham"),
                        ("al", "sham"),
                        ("sham",),
                        ("syria",),
                        ("greater", "syria"),
                    )
                ),
                ("of", "iraq"),
                ("in", "iraq"),
                (),
            )
        ),
        key=len,
        reverse=True,
    )
)


def _same_name(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """`tokens` with each of the Islamic State's names as the one word SAME_NAME."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _SAME_NAME_WORDS:
            out.append(SAME_NAME)
            i += 1
            continue
        for phrase in _SAME_NAME_BY_FIRST.get(token, ()):
            if tokens[i : i + len(phrase)] == phrase:
                out.append(SAME_NAME)
                i += len(phrase)
                break
        else:
            out.append(token)
            i += 1
    return tuple(out)


_SAME_NAME_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _SAME_NAME_PHRASES:  # longest first
    _SAME_NAME_BY_FIRST.setdefault(_phrase[0], []).append(_phrase)
_SAME_NAME_FIRST = _SAME_NAME_WORDS | _SAME_NAME_BY_FIRST.keys()


def expand_abbreviations(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Business-word abbreviations as the word, and the Islamic State's names as one word (an
    organisation's name only)."""
    if any(t in _SAME_NAME_FIRST for t in tokens):
        tokens = _same_name(tokens)
    if len(tokens) > 2 and tokens[-1] == "trans" and tokens[-2] == "and":
        # "PACIFIC SHIPPING & TRANS": a last TRANS after "and" is transport (TRANS ASIA is not).
        tokens = (*tokens[:-1], "transport")
    if not any(t in ABBREVIATIONS for t in tokens):
        return tokens
    return tuple(ABBREVIATIONS.get(t, t) for t in tokens)


# An English word as Russian writes it by ear, in our transliteration of Cyrillic: TRADE is
# ТРЕЙД (treyd), PRIME ПРАЙМ (praym), LIGHT ЛАЙТ (layt), GREEN ГРИН (grin), CITY СИТИ (siti),
# ENERGY ЭНЕРДЖИ (enerdzhi), AQUARIUS АКВАРИУС (akvarius). Russian companies name themselves in
# English words written in Cyrillic, and the lists carry either spelling.
_CONSONANT = "bcdfgklmnprstvz"
_ENGLISH_SOUNDS = (
    (re.compile("c(?=[eiy])"), "s"),  # CITY, SERVICE
    (re.compile("c(?!h)"), "k"),  # (CH stays: CHARTER is ЧАРТЕР)
    (re.compile("igh"), "ay"),  # LIGHT, HIGH
    # A word of one vowel, a consonant and a mute E: TRADE, PRIME, CODE, TUBE.
    (re.compile(f"^([^aeiou]*)a([{_CONSONANT}])e$"), r"\1ey\2"),
    (re.compile(f"^([^aeiou]*)i([{_CONSONANT}])e$"), r"\1ay\2"),
    (re.compile(f"^([^aeiou]*)u([{_CONSONANT}])e$"), r"\1yu\2"),
    (re.compile(f"(?<=[{_CONSONANT}])e$"), ""),  # the mute E: CODE, SERVICE, FINANCE
    (re.compile("ee|ea"), "i"),  # GREEN, TEAM
    (re.compile("oo|ou"), "u"),  # FOOD, GROUP
    (re.compile("qu"), "kv"),  # AQUARIUS
    (re.compile("kk"), "k"),  # (CK)
    (re.compile("ph"), "f"),
    (re.compile("th"), "t"),
    (re.compile("x"), "ks"),
    (re.compile("w"), "v"),
    (re.compile("g(?=[eiy])"), "dzh"),  # ENERGY, TECHNOLOGY
    (re.compile("j"), "dzh"),  # PROJECT
    (re.compile(f"(?<=[km])u(?=[{_CONSONANT}][aeiou])"), "yu"),  # SECURITY, COMPUTER, MUSIC
    (re.compile("e?y$"), "i"),  # CITY, MONEY
    (re.compile("^h"), "kh"),  # HOLDING
    (re.compile("^and$"), "end"),  # ЭНД
)


@lru_cache(maxsize=WORDS_REMEMBERED)
def english_sound(token: str) -> str:
    """``token``, an English word, as a Russian transliteration spells it by ear (see above);
    the word itself when no rule applies."""
    for pattern, sound in _ENGLISH_SOUNDS:
        token = pattern.sub(sound, token)
    return token
