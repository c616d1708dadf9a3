"""Country names and codes to one comparable key (ISO 3166-1 alpha-2, lower case).

Lists give countries as English names ("Iran", "Russia", "Korea, North"); callers give ISO codes or
names. Both are mapped through the territory table derived from opensanctions/rigour.
"""

from __future__ import annotations

import json
from functools import cache

from screening.matching.normalize import tokenize
from screening.matching.vocabulary import DATA_DIR

# Spellings the OFAC and UN files use that the territory table does not carry.
_EXTRA = {
    "korea north": "kp",
    "north korea": "kp",
    "korea south": "kr",
    "south korea": "kr",
    "burma": "mm",
    # Burmese state enterprises write the country MYANMA ("Myanma Economic Bank").
    "myanma": "mm",
    # Arabic names of the countries of the lists' Arabic names, transliterated ("JUND
    # AL-KHILAFAH FI ARD AL-JAZA'IR" is "... IN ALGERIA").
    "jazair": "dz",
    "suriya": "sy",
    "souriya": "sy",
    "lubnan": "lb",
    "filastin": "ps",
    "falastin": "ps",
    "yaman": "ye",
    "urdun": "jo",
    "russia": "ru",
    # Russia's name and adjective as Russian names write them, transliterated ("SBERBANK
    # ROSSII", "ROSSIYSKIYE ZHELEZNYE DOROGI").
    "rossii": "ru",
    "rossiyskaya": "ru",
    "rossiiskaya": "ru",
    "rossiyskiy": "ru",
    "rossiiskii": "ru",
    "rossiyskoye": "ru",
    "rossiiskoe": "ru",
    "rossiyskoy": "ru",
    "rossiiskoi": "ru",
    "rossiyskiye": "ru",
    "rossiiskie": "ru",
    "syria": "sy",
    "iran": "ir",
    "palestinian": "ps",
    "west bank": "ps",
    "gaza": "ps",
    "congo democratic republic of the": "cd",
    "democratic republic of the congo": "cd",
    "congo republic of the": "cg",
    "united states": "us",
    "usa": "us",
    "united kingdom": "gb",
    "uk": "gb",
    "region crimea": "ua",
    "crimea": "ua",
    "kosovo": "xk",
    "taiwan": "tw",
    "bolivarian republic of venezuela": "ve",
    "venezuela": "ve",
    "cote d ivoire": "ci",
    "cote divoire": "ci",
    "turkey": "tr",
    "turkiye": "tr",
}


# Country words the table holds only inside longer names ("korea north").
_PLACE_WORDS = frozenset({"korea", "congo", "dprk"})


@cache
def _table() -> dict[str, str]:
    data: dict[str, dict[str, object]] = json.loads(
        (DATA_DIR / "territories_DERIVED.json").read_text("utf-8")
    )
    table: dict[str, str] = {}
    for code, item in data.items():
        table[code] = code
        if item.get("alpha3"):
            table[str(item["alpha3"])] = code
        names = item.get("names")
        for name in names if isinstance(names, list) else []:
            table.setdefault(" ".join(tokenize(str(name))), code)
    table.update(_EXTRA)
    return table


def country_key(value: str | None) -> str | None:
    """``"Iran"``, ``"IR"``, ``"IRN"``, ``"Islamic Republic of Iran"`` -> ``"ir"``.

    None for an empty value; an unknown name is returned normalised.
    """
    if not value:
        return None
    folded = " ".join(tokenize(value))
    if not folded:
        return None
    return _table().get(folded, folded)


def is_place_word(token: str) -> bool:
    """A one-word country name ("korea", "angola"), not a two- or three-letter code."""
    return len(token) >= 4 and (token in _table() or token in _PLACE_WORDS)


# Endings that make a country's English adjective of its name: IRAN / IRANIAN, SYRIA / SYRIAN,
# IRAQ / IRAQI.
_ADJECTIVE_ENDINGS = frozenset({"ian", "an", "n", "i"})


@cache
def _countries_by_word() -> dict[str, str]:
    """Every one-word name of a country (four letters or more) and its adjective forms, to the
    country's key. A country's own names come first, then adjectives of the longer names:
    NIGERIAN is Nigeria's, not Niger's."""
    names: dict[str, str] = {
        name: key for name, key in _table().items() if len(name) >= 4 and " " not in name
    }
    names.update((word, word) for word in _PLACE_WORDS)
    by_word = dict(names)
    for name in sorted(names, key=len, reverse=True):
        for ending in _ADJECTIVE_ENDINGS:
            by_word.setdefault(name + ending, names[name])
    return by_word


@cache
def _words_by_country() -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = {}
    for word, key in _countries_by_word().items():
        words.setdefault(key, set()).add(word)
    return {key: frozenset(found) for key, found in words.items()}


def country_of_word(token: str) -> str | None:
    """The key of the country `token` names ("iranian" -> "ir"), or None."""
    return _countries_by_word().get(token)


def country_words(token: str) -> frozenset[str]:
    """The other words that name the country `token` names (for the index: "iran" reaches
    "iranian", "burma" reaches "myanmar"). Empty for any other word."""
    country = _countries_by_word().get(token)
    if country is None:
        return frozenset()
    return _words_by_country()[country] - {token}


def same_country_word(a: str, b: str) -> bool:
    """Two words that name one country: two of its names ("RUSSIA" / "ROSSIYA"), or a name and
    its adjective ("IRAN" / "IRANIAN"). Codes ("ir", "irn") are not words here. One lookup for
    the words that name no country."""
    by_word = _countries_by_word()
    country = by_word.get(a)
    return country is not None and a != b and by_word.get(b) == country
