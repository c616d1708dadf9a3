"""Word lists the matcher treats specially: legal forms, generic words, titles, particles.

Legal forms come from the shipped opensanctions/rigour org-type table and cleanco's term list
(see ``screening/data/ATTRIBUTION.md``) plus a few common forms written out here. A legal form is a
qualifier of an organisation's name, never a part that can make a match on its own.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from hashlib import blake2b
from pathlib import Path

import yaml
from rapidfuzz.distance import OSA

from screening.matching.normalize import tokenize, tokenizer

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "legal_forms"

# Groups of common forms that mean the same kind of company for comparison purposes.
_COMMON_FORMS: dict[str, tuple[str, ...]] = {
    "CORP": (
        "co",
        "corp",
        "corporation",
        "company",
        "inc",
        "incorporated",
        "cie",
        "compania",
        "companhia",
        "kompaniya",
        "sirketi",
        "sherkat",
        # Khmer "ក្រុមហ៊ុន" (company) as anyascii writes it; it opens the name ("ក្រុមហ៊ុន X").
        "kromhon",
    ),
    "LLC": (
        "llc",
        "ltd",
        "limited",
        "yugen kaisha",
        # Khmer "ឯ.ក" (private, sole-member company) as anyascii writes it.
        "aek",
        "godo kaisha",
        "gmbh",
        "sarl",
        "srl",
        "sro",
        "ooo",
        "tov",
        "too",
        "bv",
        "pte ltd",
        "pvt ltd",
        # A company with one member: India's One Person Company (Companies Act 2013), Syria's
        # and China's one-person limited liability company ("X ONE-PERSON CO. LTD.").
        "one person company",
        "one person co",
        "one person",  # after "co. ltd." is stripped; never in front (_SUFFIX_ONLY)
        "private limited",
        "limited liability company",
        "limited liability partnership",
        "obshchestvo s ogranichennoi otvetstvennostiu",
        "obshchestvo s ogranichennoi otvetstvennostyu",
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "obshchestvo s ogranichennoy otvetstvennostiu",
        "obshchestvo s ogranichennoi otvetstvennostju",
        "tovarystvo z obmezhenoiu vidpovidalnistiu",
        "tovaristvo z obmezhenoyu vidpovidalnistyu",
        "tovarystvo z obmezhenoyu vidpovidalnistyu",
        # Belarus (GLEIF ELF code list): TAA, tavarystva z abmezhavanay adkaznastsyu.
        "taa",
        "tavarystva z abmezhavanay adkaznastsyu",
        "societatea cu raspundere limitata",
        "sociedad de responsabilidad limitada",
        "pty ltd",
        "sdn bhd",
        "ltda",
        "fze",
        "fzco",
        "fzc",
        # UAE free-zone companies: rigour lists DMCC with only its long forms as aliases.
        "dmcc",
        "llp",
        "lp",
        "plc",
    ),
    "JSC": (
        "jsc",
        # Japanese 株式会社 romanised (rigour has the kanji form): "X Kabushiki Kaisha", "X KK".
        "kabushiki kaisha",
        "kabushiki gaisha",
        "kk",
        "ojsc",
        "cjsc",
        "pjsc",
        "oao",
        "zao",
        "ao",
        "pao",
        "sa",
        "ag",
        "spa",
        "nv",
        "as",
        "ab",
        "asa",
        "joint stock company",
        "public joint stock company",
        "open joint stock company",
        "closed joint stock company",
        "private joint stock company",
        "aktsionernoe obshchestvo",
        "zakrytoe aktsionernoe obshchestvo",
        "otkrytoe aktsionernoe obshchestvo",
        "publichnoe aktsionernoe obshchestvo",
        "nepublichnoe aktsionernoe obshchestvo",
        "aktsionerne tovaristvo",
        "aktsionerne tovarystvo",
        "privatne aktsionerne tovaristvo",
        "publichne aktsionerne tovaristvo",
        "societatea pe actiuni",
        "sociedad anonima",
        "anonymi etaireia",
        "pt",
        "tbk",
        "pt tbk",
        # Belarus (GLEIF ELF code list): AAT, adkrytae aktsyyanernae tavarystva (open joint-stock
        # company, OAO in Russian); ZAT, zakrytae ... (closed). Ukraine: PrAT, privatne
        # aktsionerne tovaristvo (private joint-stock company). "P.J.S." (public joint stock).
        "aat",
        "zat",
        "adkrytae aktsyyanernae tavarystva",
        "zakrytae aktsyyanernae tavarystva",
        "prat",
        "privatne aktsionerne tovaristvo",
        "pjs",
    ),
    # Russia: ANO, avtonomnaya nekommercheskaya organizatsiya (autonomous non-profit organisation).
    # Foundations, as the GLEIF ELF code list names them: Dutch STICHTING (written in front:
    # "STICHTING AL-AQSA"), Scandinavian STIFTELSE (in front as STIFTELSEN), Indonesian YAYASAN
    # (in front: "YAYASAN AL HARAMAIN"). Not Polish FUNDACJA: rigour pairs it with FUNDACION
    # and FOUNDATION, which a legal form would no longer meet.
    "NGO": (
        "ano",
        "avtonomnaya nekommercheskaya organizatsiya",
        "stichting",
        "stiftelse",
        "stiftelsen",
        "yayasan",
    ),
}
# Forms of several words that are never written in front: "ONE PERSON FOUNDATION" is a name.
_SUFFIX_ONLY = frozenset({("one", "person")})
# Forms that are also written in front of the name ("OOO ROMASHKA", "PT GARUDA").
_PREFIX_FORMS = frozenset(
    {
        "ooo",
        "oao",
        "zao",
        "ao",
        "pao",
        "aat",
        "zat",
        "taa",
        "prat",
        "ano",
        "stichting",
        "stiftelsen",
        "yayasan",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "pt",
        "tov",
        "too",
        "llc",
        "joint stock company",
        "public joint stock company",
        "open joint stock company",
        "closed joint stock company",
        "fgup",
        "gup",
        "mup",
        "ip",
        "chp",
        "tuu",
        "ltd",
        "kromhon",
        # Russian banks: rigour lists JSCB and Cyrillic АКБ (aktsionerny kommercheskiy bank),
        # not their Latin abbreviations as lists write them in front ("AO AKB X", "JSB X").
        "akb",
        "jsb",
        "jscb",
        "pjscb",
        "ojscb",
        # A private military company is written in front in Russian ("ChVK Wagner", "ЧВК Редут");
        # rigour lists the form. Not PMC: ordinary companies' initials ("PMC SIERRA").
        "chvk",
    }
)
# Words that say little about which organisation is meant: they weigh little. The hand list is
# extended with the words common in real legal names (generic_org_words_DERIVED.txt).
# Connectors and articles of the languages on the lists ("and", "y", "de", "und", ...).
_CONNECTORS = frozenset(
    [
        "and",
        "of",
        "the",
        "for",
        "de",
        "del",
        "la",
        "le",
        "el",
        "les",
        "des",
        "da",
        "do",
        "dos",
        "di",
        "du",
        "y",
        "et",
        "und",
        "al",
        "s",
        "a",
    ]
)
_GENERIC_BY_HAND = frozenset(
    [
        "holding",
        "holdings",
        "group",
        "groups",
        "trading",
        "trade",
        "traders",
        "international",
        "intl",
        "global",
        "general",
        "services",
        "service",
        "enterprise",
        "enterprises",
        "industries",
        "industry",
        "industrial",
        "company",
        "companies",
        "corporation",
        "management",
        "investment",
        "investments",
        "development",
        "import",
        "export",
        "imports",
        "exports",
        "commercial",
        "partners",
        "partnership",
        "ventures",
        "resources",
        "solutions",
        "systems",
        "technologies",
        "technology",
        "establishment",
        "est",
        "office",
        "agency",
        "agencies",
        "center",
        "centre",
        "foundation",
        "organization",
        "organisation",
        "association",
        "firm",
    ]
)


def _derived_generic_words() -> frozenset[str]:
    lines = (DATA_DIR / "generic_org_words_DERIVED.txt").read_text("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


GENERIC_ORG_WORDS = _GENERIC_BY_HAND | _CONNECTORS | _derived_generic_words()


def _word_key(word: str) -> int:
    return int.from_bytes(blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


class WordSet:
    """A fixed set of words held as sorted 64-bit hashes: 8 bytes a word instead of a string and
    a set slot (~90 bytes). 58,000 words cost ~0.5 MB in every process that screens, not 5 MB;
    two words share a hash with odds of about 1 in 10^10."""

    __slots__ = ("_keys",)

    def __init__(self, words: Iterable[str]) -> None:
        self._keys = array("Q", sorted({_word_key(w) for w in words}))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = _word_key(word)
        i = bisect_left(self._keys, key)
        return i < len(self._keys) and self._keys[i] == key

    def __len__(self) -> int:
        return len(self._keys)


@cache
def frequent_person_words() -> WordSet:
    """Words of persons' names that three or more entries of the bundled lists use
    (frequent_person_words_DERIVED.txt, ``screening.benchmark.derive_frequent_person_words``):
    two such words that a loose spelling rule would pair (HASAN / HUSAYN) are two names."""
    lines = (DATA_DIR / "frequent_person_words_DERIVED.txt").read_text("utf-8").splitlines()
    return WordSet(line for line in lines if line and not line.startswith("#"))


@cache
def common_words() -> WordSet:
    """Words ordinary businesses use (common_words_DERIVED.txt, 58,000 words): a listed
    organisation's word that is none of them, nor generic, is coined ("SEPANIR")."""
    lines = (DATA_DIR / "common_words_DERIVED.txt").read_text("utf-8").splitlines()
    return WordSet(line for line in lines if line and not line.startswith("#"))


# Generic words that say nothing about which organisation is meant even when only one name has
# them: connectors ("and", "y", "de") and words for how a business is organised ("group",
# "holding", "international"). Other generic words describe the business ("shipping", "energy",
# "medical", "green"): when two names share at most one distinctive word, such a word on one side
# only is evidence that they name different organisations (see scoring.partial_overlap).
ORG_NEUTRAL_WORDS = (
    frozenset(
        [
            "e",
            "en",
            "group",
            "groups",
            "holding",
            "holdings",
            "international",
            "intl",
            "global",
            "company",
            "companies",
            "corporation",
            "enterprise",
            "enterprises",
            "firm",
            "establishment",
            "est",
            "der",
            "van",
            "co",
            "corp",
            "inc",
            "ltd",
            "limited",
            "plc",
            "sa",
        ]
    )
    | _CONNECTORS
)
# Person-name particles and titles.
PERSON_PARTICLES = frozenset(
    [
        "al",
        "el",
        "bin",
        "ben",
        "ibn",
        "bint",
        "binti",
        "de",
        "del",
        "della",
        "der",
        "van",
        "von",
        "da",
        "dos",
        "di",
    ]
)


@dataclass(frozen=True, slots=True)
class LegalForms:
    """Normalised legal-form phrases (as token tuples) mapped to a comparison key."""

    suffixes: dict[tuple[str, ...], str]
    prefixes: dict[tuple[str, ...], str]
    max_len: int


def _add(table: dict[tuple[str, ...], str], phrase: str, key: str) -> None:
    tokens = tokenize(phrase)
    if tokens and len(tokens) <= 6:
        table.setdefault(tokens, key)


@cache
def legal_forms() -> LegalForms:
    """Load the legal-form tables once per process."""
    suffixes: dict[tuple[str, ...], str] = {}
    for key, phrases in _COMMON_FORMS.items():
        for phrase in phrases:
            _add(suffixes, phrase, key)
    types = yaml.safe_load((DATA_DIR / "rigour_names_org_types.yml").read_text("utf-8"))["types"]
    for item in types:
        for alias in item.get("aliases", []):
            key = item.get("generic") or item.get("compare") or item.get("display") or alias
            _add(suffixes, alias, str(key).upper())
    cleanco = json.loads((DATA_DIR / "cleanco_2.3_termdata.json").read_text("utf-8"))
    for form_type, terms in cleanco["terms_by_type"].items():
        for term in terms:
            _add(suffixes, term, form_type.upper())
    prefixes = {tokenize(p): suffixes.get(tokenize(p), p.upper()) for p in _PREFIX_FORMS}
    # A legal form of several words is never the start of a name: "Aktsionernoe Obshchestvo X",
    # "Limited Liability Company X" are written form-first in Russian and in translations of it.
    for words, form_key in suffixes.items():
        if len(words) >= 2 and len("".join(words)) >= 8 and words not in _SUFFIX_ONLY:
            prefixes.setdefault(words, form_key)
    return LegalForms(suffixes, prefixes, max(len(k) for k in suffixes))


@cache
def _fuzzy_suffixes() -> dict[str, tuple[str, str]]:
    """One-edit deletion keys of the long one-word legal forms ("limited", "corporation")."""
    table: dict[str, tuple[str, str]] = {}
    for phrase, key in legal_forms().suffixes.items():
        if len(phrase) == 1 and len(phrase[0]) >= 6:
            word = phrase[0]
            for i in range(len(word)):
                table.setdefault(word[:i] + word[i + 1 :], (word, key))
            table.setdefault(word, (word, key))
    return table


def fuzzy_legal_form(token: str) -> str | None:
    """The legal-form key of a misspelt long legal form ("LILMITED", "CORPOOATION"), else None."""
    if len(token) < 6:
        return None
    table = _fuzzy_suffixes()
    for key in (token, *(token[:i] + token[i + 1 :] for i in range(len(token)))):
        hit = table.get(key)
        if hit is not None and OSA.distance(token, hit[0], score_cutoff=1) <= 1:
            return hit[1]
    return None


@cache
def person_titles() -> frozenset[tuple[str, ...]]:
    """Honorifics and titles (Mr, Dr, General, His Excellency, ...) stripped from person names."""
    data = yaml.safe_load((DATA_DIR / "rigour_names_stopwords.yml").read_text("utf-8"))
    return frozenset(t for t in (tokenize(p) for p in data["PERSON_NAME_PREFIXES"]) if t)


def split_legal_forms(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Strip legal forms from both ends of an organisation name.

    Returns ``(core tokens, legal-form keys)``. At least one token is always left as the core, so a
    name made only of legal-form words ("COMPANY LIMITED") stays comparable as itself.
    """
    forms = legal_forms()
    keys: list[str] = []
    core = _strip_forms(tokens, forms.suffixes, forms.max_len, keys, front=False)
    if not keys and len(core) > 1 and (fuzzy := fuzzy_legal_form(core[-1])) is not None:
        keys.append(fuzzy)
        core = core[:-1]
    # Several in front too: "AO AKB X".
    return _strip_forms(core, forms.prefixes, forms.max_len, keys, front=True), tuple(keys)


def _strip_forms(
    core: tuple[str, ...],
    table: dict[tuple[str, ...], str],
    max_len: int,
    keys: list[str],
    *,
    front: bool,
) -> tuple[str, ...]:
    """``core`` without the legal forms of ``table`` at one end, longest first, one after the
    other; their keys are appended to ``keys``. At least one token is left."""
    stripped = True
    while stripped and len(core) > 1:
        stripped = False
        for size in range(min(max_len, len(core) - 1), 0, -1):
            key = table.get(core[:size] if front else core[-size:])
            if key is not None:
                keys.append(key)
                core = core[size:] if front else core[:-size]
                stripped = True
                break
    return core


def strip_person_titles(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Drop leading honorifics ("Dr", "His Excellency") when a name remains after them."""
    titles = person_titles()
    for size in range(min(4, len(tokens) - 1), 0, -1):
        if tokens[:size] in titles:
            return tokens[size:]
    return tokens


@cache
def org_word_groups() -> dict[str, tuple[frozenset[str], ...]]:
    """One-word organisation descriptors in many languages, each with the groups it is in.

    rigour's ``org_symbols`` and ``org_domains`` group the words one descriptor is written with
    across languages and scripts (ZAVOD / FACTORY / PLANT, PROEKT / PROJECT, RESURSY / RESOURCES,
    INZHINIRING / ENGINEERING): two words of one group mean the same in an organisation's name.
    Only the groups' one-word spellings (after tokenizing) are kept. The groups are shared, not
    copied per word (about 0.5 MB in all, where a set of equivalents per word cost 4 MB).
    """
    data = yaml.safe_load((DATA_DIR / "rigour_names_symbols.yml").read_text("utf-8"))
    found: dict[str, list[frozenset[str]]] = {}
    split = tokenizer(cached=False)  # the query words' cache is not filled with these
    for section in ("org_symbols", "org_domains"):
        for aliases in data[section].values():
            spelled = (split(str(alias)) for alias in aliases)
            words = frozenset(
                t[0] for t in spelled if len(t) == 1 and len(t[0]) >= 2 and t[0].isalpha()
            )
            if len(words) >= 2:
                for word in words:
                    found.setdefault(word, []).append(words)
    for group in ARABIC_ORG_WORDS + TRADE_WORDS:
        for word in group:
            found.setdefault(word, []).append(group)
    return {word: tuple(groups) for word, groups in found.items()}


def _word_groups(*groups: str) -> tuple[frozenset[str], ...]:
    """Groups of words that mean one thing, each written as one space-separated line."""
    return tuple(frozenset(group.split()) for group in groups)


# Arabic descriptors in the names of armed and political groups, and two Persian business words,
# as the lists transliterate them, with the English words their translations use; rigour's
# tables have none of them. "JAYSH KHALID BIN AL-WALID" is the "KHALID BIN AL-WALID ARMY",
# "LIWA ZAYNABIYOUN" the "ZAYNABIYOUN BRIGADE", "KATA'IB HIZBALLAH" the "HIZBALLAH BRIGADES".
ARABIC_ORG_WORDS = _word_groups(
    "jaysh jaish jeish army",
    "liwa liwaa brigade",
    "kataib brigades",
    "katibat katiba katibah battalion",
    "harakat harakah haraka harkat movement",
    "jabhat jabha jabhah front",
    "hizb party",
    "tanzim tandhim tanthim organization organisation",
    "majlis council",
    "wilayat wilayah vilayat province",
    "jamaat jamaah jamaa group",
    # Persian (and Turkish SANAYI): industries, and east in a company's name ("KAVEH
    # SHARGH STEEL" / "KAVEH EAST STEEL").
    "sanaye sanayeh sanayi industries",
    "shargh sharq east",
)


# Trades that names write with one word in many ways, which rigour's tables do not group: an
# airline is "DENA AIRLINES" and "DENA AIRWAYS" (not AIR: "FRESH AIR" is no airline); a channel is
# "ORHEI TV" and "TELEVIZIUNEA ORHEI" (Romanian).
TRADE_WORDS = _word_groups(
    "airline airlines airways",
    "tv television televiziunea televizija televiziya televizyon televisao televisione",
    "telecom telecoms telecommunication telecommunications",
    "transport transportation",
    "furniture furnishing furnishings",
    "news novosti",
    "kombinat combinat combine",
)

TRADE_WORD_SET = frozenset().union(*TRADE_WORDS)


def same_org_word(a: str, b: str) -> bool:
    """Whether `a` and `b` are one descriptor in two languages (see :func:`org_word_groups`)."""
    groups = org_word_groups().get(a)  # most words are in none: one lookup
    return groups is not None and any(b in group for group in groups)


def org_word_equivalents(word: str) -> frozenset[str]:
    """The words that mean what `word` means in an organisation's name (empty if none)."""
    groups = org_word_groups().get(word)
    return frozenset().union(*groups) if groups else frozenset()
