"""Country names and codes to one comparable key (ISO 3166-1 alpha-2, lower case).

Lists give countries as English names ("Iran", "Russia", "Korea, North"); callers give ISO codes or
names. Both are mapped through the territory table derived from opensanctions/rigour.
"""

from __future__ import annotations

import json
from functools import cache

from screening.matching.normalize import tokenize
from screening.matching.vocabulary import DATA_DIR, common_words

# Spellings the OFAC and UN files use that the territory table does not carry.
_EXTRA = {
    "korea north": "kp",
    "dprk": "kp",
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


def _territories() -> dict[str, dict[str, object]]:
    """The territory table (rigour's, see ATTRIBUTION.md): code -> alpha3, name, names. Read by
    each cached table built from it, not kept itself (0.4 MB in every worker for 4 ms once)."""
    data: dict[str, dict[str, object]] = json.loads(
        (DATA_DIR / "territories_DERIVED.json").read_text("utf-8")
    )
    return data


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, item in _territories().items():
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
# Place words that stand for more than one country: either may be meant.
_EITHER = {"korea": frozenset({"kp", "kr"}), "congo": frozenset({"cd", "cg"})}


@cache
def _countries_by_word() -> dict[str, str]:
    """Words that name a country (ISO 3166-1: a two-letter key with an alpha-3 code; no region,
    city or pseudo-territory such as "Global" or "Online"), to its key, with their adjective
    forms. A country's words are its English name, the spellings of ``_EXTRA`` and
    ``_PLACE_WORDS``, and its other one-word names that are no word ordinary businesses use
    (Iceland's "Island" is not one). A country's own names come first, then adjectives of the
    longer names: NIGERIAN is Nigeria's, not Niger's."""
    ordinary = common_words()
    names: dict[str, str] = {}
    for code, item in _territories().items():
        if len(code) != 2 or not item.get("alpha3") or code == "ip":
            continue
        english = " ".join(tokenize(str(item.get("name", ""))))
        others = item.get("names")
        for name in [english, *(others if isinstance(others, list) else [])]:
            word = " ".join(tokenize(str(name)))
            if len(word) >= 4 and " " not in word and (word == english or word not in ordinary):
                names.setdefault(word, code)
    for word, code in _EXTRA.items():
        if len(word) >= 4 and " " not in word:
            names[word] = code
    for word in _PLACE_WORDS:
        names.setdefault(word, word)
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


@cache
def _country_sets() -> dict[str, frozenset[str]]:
    return {
        word: frozenset({key}) | _EITHER.get(key, frozenset())
        for word, key in _countries_by_word().items()
    }


_NO_COUNTRY: frozenset[str] = frozenset()


def countries_of_word(token: str) -> frozenset[str]:
    """The keys of the countries `token` names ("iranian" -> {"ir"}; "korea" -> both Koreas and
    the word itself), empty for any other word. One lookup: this runs for every pair of
    organisation words compared."""
    return _country_sets().get(token, _NO_COUNTRY)


def country_words(token: str) -> frozenset[str]:
    """The other words that name the country `token` names (for the index: "iran" reaches
    "iranian", "burma" reaches "myanmar"). Empty for any other word."""
    key = _countries_by_word().get(token)
    if key is None:
        return frozenset()
    return _words_by_country()[key] - {token}
