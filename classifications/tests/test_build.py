"""``build_classifier`` end to end on a small model: the artefact can be rebuilt from the repo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from classifications.engine import build as build_module
from classifications.engine import splits
from classifications.engine.benchmark_names import name_cases
from classifications.engine.model import load, save
from classifications.engine.sources import EverydayBusiness


@pytest.fixture(scope="module")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a model of three industries (clothing retail, restaurants, banks) and save it, with
    the shipped number of SGD epochs: on 149 documents three epochs had not converged and the
    linear member ranked "clothing shop" under snack bars."""
    model = build_module.build(naics_prefixes=("4581", "7225", "5221"), write=False, progress=print)
    directory = tmp_path_factory.mktemp("artefact")
    save(model, directory)
    return directory


def test_a_rebuilt_small_model_loads_and_classifies(small_model_dir: Path) -> None:
    model = load(small_model_dir)
    assert model.version.startswith(f"{build_module.ENGINE_NAME}-{build_module.ENGINE_RELEASE}+")
    assert model.linear is not None and model.linear.coef.nnz > 0
    shop = model.classify(description="Online outdoor clothing shop")
    assert shop.naics[0].code == "458110"
    assert shop.mcc and shop.mcc[0].code.startswith("56")
    diner = model.classify(description="Pizzeria with table service and a wine list")
    assert diner.naics[0].code.startswith("7225")
    bank = model.classify(name="Heartland Savings Bank")
    assert bank.naics[0].code.startswith("5221")


def test_rebuilding_gives_the_same_model(small_model_dir: Path) -> None:
    again = build_module.build(naics_prefixes=("4581", "7225", "5221"), write=False, progress=print)
    assert again.version == load(small_model_dir).version


def test_serving_the_classifier_never_imports_scikit_learn() -> None:
    """scikit-learn costs ~80 MB of RSS: web and worker processes load only the stored arrays."""
    code = (
        "import sys; from classifications.engine import get_classifier; "
        "get_classifier().classify(description='hair salon'); "
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "False"


def test_names_set_halves_are_disjoint_and_skip_dormant_companies() -> None:
    dev, test = name_cases("names-dev"), name_cases("names-test")
    assert len(dev) > 250 and len(test) > 250
    assert not {c.number for c in dev} & {c.number for c in test}
    assert all(c.divisions for c in dev + test)
    assert "08209948" not in {c.number for c in dev + test}  # "! LTD", dormant


def test_the_refit_trains_on_train_and_calib_phrases_never_on_the_hold_out() -> None:
    from classifications.engine import splits

    prefixes = ("4581", "7225")
    stage1 = {t for _, t in build_module.naics_documents(prefixes)}
    refit = {t for _, t in build_module.naics_documents(prefixes, ("train", "calib"))}
    calib = {p for c, p in splits.phrases("calib") if c.startswith(prefixes)}
    test = {p for c, p in splits.phrases("test") if c.startswith(prefixes)}
    assert calib and test
    assert calib <= refit
    assert not test & (refit - stage1)
    with pytest.raises(AssertionError):
        build_module.naics_documents(prefixes, ("train", "test"))
    # cross-fitting adds half of calib; a hold-out phrase is refused there too
    half = [cp for cp in splits.phrases("calib") if build_module._half(*cp) == 0]
    assert 0.4 < len(half) / len(splits.phrases("calib")) < 0.6
    code, phrase = next(cp for cp in splits.phrases("test") if cp[0].startswith(prefixes))
    with pytest.raises(AssertionError):
        build_module.naics_documents(prefixes, ("train",), [(code, phrase)])


def test_merchant_dev_set_is_disjoint_from_the_everyday_evaluation_set() -> None:
    """The calibration dev set for everyday wording (MCC descriptions with reviewed NAICS codes)
    shares no text with the ``real-world`` evaluation set, and none of it is a training document."""
    from classifications.engine.benchmark import real_world_cases

    docs = {t.lower() for _, t in build_module.naics_documents()}
    dev = build_module.merchant_dev_cases(build_module.gold_maps(), docs)
    assert len(dev) > 200
    texts = {t.lower() for t, _ in dev}
    evaluation = {c.description.lower() for c in real_world_cases()}
    evaluation |= {c.name.lower() for c in real_world_cases()}
    assert not texts & evaluation
    assert not texts & docs
    assert all(gold["naics"] and all(len(c) == 6 for c in gold["naics"]) for _, gold in dev)


def test_the_build_reads_only_the_dev_half_of_the_everyday_wording_set() -> None:
    """The build tunes and calibrates on ``everyday-dev``; ``everyday-test`` is the hold-out that
    only the benchmark reads. The halves are disjoint, each about half, every row's codes are
    codes of their systems, and no description is a training document or a ``real-world`` row."""
    from classifications.engine.benchmark import real_world_cases
    from classifications.engine.sources import (
        everyday_businesses,
        mcc_codes,
        naics_codes,
        naics_index_phrases,
        sic_codes,
    )

    rows = everyday_businesses()
    assert len(rows) > 600
    dev = build_module.everyday_dev_cases(build_module.gold_maps())
    test = splits.everyday("everyday-test")
    assert 0.4 < len(dev) / len(rows) < 0.6
    assert len(dev) + len(test) == len(rows)
    dev_texts = {description.lower() for (_, description), _ in dev}
    assert not dev_texts & {b.description.lower() for b in test}
    assert len({(b.name, b.description) for b in rows}) == len(rows)
    docs = {t.lower() for _, t in build_module.naics_documents()}
    phrases = {p.lower() for _, p in naics_index_phrases()}  # every split, the hold-out too
    everyday = {b.description.lower() for b in rows}
    assert not everyday & (docs | phrases)
    assert not everyday & {c.description.lower() for c in real_world_cases()}
    merchant = build_module.merchant_dev_cases(build_module.gold_maps(), docs)
    assert not everyday & {t.lower() for t, _ in merchant}
    assert {b.naics for b in rows} <= {c for c in naics_codes() if len(c) == 6}
    assert {b.sic for b in rows} <= set(sic_codes())
    assert {b.mcc for b in rows} <= set(mcc_codes())


def test_the_build_asks_for_the_everyday_dev_half_only(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = splits.everyday

    def spy(split: splits.EverydaySplit) -> list[EverydayBusiness]:
        asked.append(split)
        return real(split)

    monkeypatch.setattr(splits, "everyday", spy)
    build_module.build(
        naics_prefixes=("4581", "7225"), linear_epochs=1, write=False, refit=False, progress=print
    )
    assert asked and set(asked) == {"everyday-dev"}


def test_setting_a_crosswalk_after_scoring_takes_effect(small_model_dir: Path) -> None:
    """The build scores with an empty MCC crosswalk (to build it), then sets it: calibration and
    tuning must see the new edges, not the cached empty ones (they did not, before)."""
    import scipy.sparse as sp

    model = load(small_model_dir)
    query = model.query("Online outdoor clothing shop")
    crosswalk = model.tables["mcc"].crosswalk
    assert crosswalk is not None and crosswalk.nnz
    with_edges = model.score(query).mcc
    model.set_crosswalk("mcc", sp.csr_matrix(crosswalk.shape, dtype=crosswalk.dtype))
    without = model.score(query).mcc
    model.set_crosswalk("mcc", crosswalk)
    assert not (with_edges == without).all()
    assert (model.score(query).mcc == with_edges).all()


def test_sic_concordance_titles_are_documents_of_their_naics_code_never_held_out_phrases() -> None:
    """The Census SIC -> NAICS 2002 concordance's titles are training documents of the NAICS 2022
    code they map to, directly or through the 2022 <-> 2017 concordance (2002's 212221 gold ore
    mining is 2022's 212220). When some part of a split SIC industry cannot be carried to 2022,
    the surviving parts keep only their own words ("satellite communications", not
    "Communications Services, NEC (satellite communications)", which made every "...
    Communications Ltd" a satellite operator). A title that is also an index phrase of the
    calibration or test split ("Engineering Services") is left out, so the hold-out is never
    trained on by way of another source."""
    from classifications.engine.sources import naics_codes, sic_to_naics2002

    docs = build_module.naics_documents()
    by_text = {t: c for c, t in docs}
    assert by_text["Gold Ores"] == "212220"
    assert by_text["satellite communications"] == "517410"
    assert not any(t.startswith("Communications Services, NEC") for t in by_text)
    held_out = {p.lower() for _, p in [*splits.phrases("calib"), *splits.phrases("test")]}
    titles = {t for _, t, _, _ in sic_to_naics2002()}
    assert "Engineering Services" in {t for t in titles if t.lower() in held_out}
    added = build_module.sic_concordance_documents(naics_codes(), held_out)
    assert sum(map(len, added.values())) > 1500
    assert not {t.lower() for ts in added.values() for t in ts} & held_out
    assert not any(t.lower().startswith("except") for ts in added.values() for t in ts)


def test_the_uk_division_crosswalk_is_built_from_industries_only() -> None:
    """ "99999 Dormant Company" is no industry: classified as a title it spread over a hundred
    NAICS codes and sent every code no real subclass picked wholly to division 99
    (extraterritorial organisations), the benchmark's top answer for names with little to read."""
    import numpy as np

    from classifications.engine import get_classifier
    from classifications.engine.benchmark_names import uk_division_crosswalk

    model = get_classifier()
    crosswalk, divisions = uk_division_crosswalk(model)
    extraterritorial = crosswalk[:, divisions.index("99")]
    assert extraterritorial.nnz <= 3
    mass = np.asarray(crosswalk.T @ model.score(model.encode(name="01 DIGITAL LIMITED")).naics)
    assert divisions[int(np.argmax(mass))] != "99"
