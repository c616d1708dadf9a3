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
    "russia": "ru",
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
