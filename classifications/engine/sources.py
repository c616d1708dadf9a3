"""Parsers for the shipped reference files in ``classifications/data/`` (see ATTRIBUTION.md).

Pure Python, no Django: the classifier build, the benchmark and ``load_reference_data`` all read the
official files through these functions, so there is one place that knows their layouts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NAICS_VERSION = "NAICS 2022"
SIC_VERSION = "SIC 1987"
MCC_VERSION = "ISO 18245"

# MCC ranges that name one airline, car-rental company or hotel chain each: a business is never
# classified into them (the generic codes 4511, 7512 and 7011 cover those industries).
BRAND_MCC_RANGES = ((3000, 3999),)


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2013", "-")).strip()


@dataclass(frozen=True, slots=True)
class NaicsCode:
    """One NAICS 2022 code at any level (sector ``31-33`` to 6-digit national industry)."""

    code: str
    title: str
    level: str
    description: str
    trilateral: bool

    @property
    def examples(self) -> list[str]:
        """The "Illustrative Examples" lines of the description."""
        _, _, tail = self.description.partition("Illustrative Examples:")
        return [line for line in (_clean(x) for x in tail.splitlines()) if line]


def _strip_description(text: str) -> str:
    # Cross-references name *other* activities ("... are classified in Industry 484122"): they
    # would teach the classifier the wrong code, so only the definition itself is kept.
    body = text.split("Cross-References", 1)[0]
    return body.split("Illustrative Examples:", 1)[0]


@cache
def naics_codes() -> dict[str, NaicsCode]:
    """All NAICS 2022 codes keyed by code, in file order."""
    out: dict[str, NaicsCode] = {}
    for row in _rows("naics2022_descriptions.csv"):
        out[row["code"]] = NaicsCode(
            code=row["code"],
            title=_clean(row["title"]),
            level=row["level"],
            description=row["description"].strip(),
            trilateral=row["trilateral"] == "True",
        )
    return out


def naics_definition(code: NaicsCode) -> str:
    """The description without cross-references or examples, whitespace collapsed."""
    return _clean(_strip_description(code.description))


@cache
def naics_index_phrases() -> list[tuple[str, str]]:
    """(6-digit code, phrase) pairs of the Census index file; "see" cross-references skipped."""
    return [
        (row["naics2022"], _clean(row["index_item_description"]))
        for row in _rows("naics2022_index_file.csv")
        if row["naics2022"].isdigit()
    ]


@dataclass(frozen=True, slots=True)
class SicCode:
    """One SIC 1987 four-digit industry with its hierarchy (OSHA manual), and the SEC's title."""

    code: str
    title: str
    group_code: str
    group_title: str
    major_code: str
    major_title: str
    division_code: str
    division_title: str
    sec_title: str = ""
    sec_office: str = ""


@cache
def sic_codes() -> dict[str, SicCode]:
    """SIC 1987 codes (OSHA) plus SEC-only codes (e.g. ``6770`` blank checks), keyed by code."""
    sec = {row["sic"].zfill(4): row for row in _rows("sec_sic_codes_2024.csv")}
    out: dict[str, SicCode] = {}
    for row in _rows("sic1987_osha.csv"):
        code = row["SIC4_cd"].zfill(4)
        s = sec.get(code, {})
        out[code] = SicCode(
            code=code,
            title=_clean(row["SIC4_desc"]),
            group_code=row["ind_cd"].zfill(3),
            group_title=_clean(row["ind_desc"]),
            major_code=row["maj_cd"].zfill(2),
            major_title=_clean(row["maj_desc"]),
            division_code=row["div_cd"],
            division_title=_clean(row["div_desc"]),
            sec_title=_clean(s.get("industry_title", "")),
            sec_office=s.get("office", ""),
        )
    for code, row in sec.items():
        if code not in out:
            out[code] = SicCode(
                code=code,
                title=_clean(row["industry_title"]).title(),
                group_code=code[:3],
                group_title="",
                major_code=code[:2],
                major_title="",
                division_code="",
                division_title="",
                sec_title=_clean(row["industry_title"]),
                sec_office=row["office"],
            )
    return out


@dataclass(frozen=True, slots=True)
class MccCode:
    """One merchant category code: its preferred title and every published description of it."""

    code: str
    title: str
    irs_description: str = ""
    irs_reportable: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def is_brand(self) -> bool:
        """True for codes that name one airline, car-rental firm or hotel chain."""
        n = int(self.code)
        return any(lo <= n <= hi for lo, hi in BRAND_MCC_RANGES)


MCC_NETWORK_FILES = {
    "iso18245": "iso18245_official_list.csv",
    "visa": "visa_list.csv",
    "mastercard": "mastercard_list.csv",
    "amex": "amex_list.csv",
    "stripe": "stripe_list.csv",
    "usda": "usda_list.csv",
    "alipay": "alipay_list.csv",
}


@cache
def mcc_codes() -> dict[str, MccCode]:
    """MCCs from the IRS/USDA list (greggles) merged with the ISO 18245 and network lists."""
    descs: dict[str, dict[str, str]] = {}
    for source, name in MCC_NETWORK_FILES.items():
        for row in _rows(f"mcc_iso18245_pkg/{name}"):
            code = row["MCC"].strip().zfill(4)
            if code.isdigit() and row["DESCRIPTION"].strip():
                descs.setdefault(code, {})[source] = _clean(row["DESCRIPTION"])
    out: dict[str, MccCode] = {}
    for row in _rows("mcc_codes_greggles.csv"):
        code = row["mcc"].zfill(4)
        d = descs.pop(code, {})
        d["irs"] = _clean(row["irs_description"])
        out[code] = MccCode(
            code=code,
            title=_clean(row["edited_description"]),
            irs_description=_clean(row["irs_description"]),
            irs_reportable=row["irs_reportable"],
            descriptions=d,
        )
    for code, d in descs.items():  # codes only the ISO/network lists carry
        title = d.get("iso18245") or d.get("visa") or d.get("mastercard") or next(iter(d.values()))
        out[code] = MccCode(code=code, title=title, descriptions=d)
    return dict(sorted(out.items()))


@cache
def sic_to_naics2022() -> list[tuple[str, str]]:
    """(SIC, NAICS 2022) pairs of the derived concordance (Census SIC->NAICS via 2017), plus
    our pairs for the SEC-only codes the Census never mapped (``sec_sic_naics2022.csv``: 6770
    Blank Checks had no NAICS partner, so no NAICS answer could reach it)."""
    pairs = {
        (row["sic"].zfill(4), row["naics2022"])
        for row in _rows("sic_to_naics2022_DERIVED.csv")
        if row["naics2022"].isdigit()
    }
    pairs |= {(row["sic"], row["naics2022"]) for row in _rows("sec_sic_naics2022.csv")}
    return sorted(pairs)


def sic_to_naics2002() -> list[tuple[str, str, str, str]]:
    """(SIC, SIC title, NAICS 2002, NAICS 2002 title) rows of the Census concordance."""
    return [
        (
            r["sic1987"].zfill(4),
            _clean(r["sic1987_title"]),
            r["naics2002"],
            _clean(r["naics2002_title"]),
        )
        for r in _rows("sic1987_to_naics2002_census.csv")
        if r["naics2002"].isdigit()
    ]


def naics2022_to_2017() -> list[tuple[str, str]]:
    """(NAICS 2022, NAICS 2017) pairs of the Census concordance."""
    return [(r["naics2022"], r["naics2017"]) for r in _rows("naics2022_to_naics2017_census.csv")]


@dataclass(frozen=True)
class EverydayBusiness:
    """One row of the everyday-wording set: a fictional business in its own words, labelled."""

    name: str
    description: str
    naics: str
    sic: str
    mcc: str


@cache
def everyday_businesses() -> tuple[EverydayBusiness, ...]:
    """The everyday-wording set (``benchmark/everyday_businesses.csv``), both halves."""
    return tuple(
        EverydayBusiness(r["name"], r["description"], r["naics"], r["sic"], r["mcc"])
        for r in _rows("benchmark/everyday_businesses.csv")
    )
