"""Behaviour of the industry classifier on real-world phrasing (no database needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from classifications.engine.calibration import IsotonicMap, ece_noise, expected_calibration_error
from classifications.services import ClassificationResult, classify_business


def _codes(result: ClassificationResult, system: str, k: int = 3) -> list[str]:
    return [p.code for p in result.codes(system)[:k]]


def test_italian_restaurant_gets_full_service_restaurant_and_mcc_5812() -> None:
    result = classify_business(description="Full-service restaurant serving Italian food")
    assert "722511" in _codes(result, "naics")
    assert "5812" in _codes(result, "mcc")
    assert "5812" in _codes(result, "sic")


@pytest.mark.parametrize(
    ("name", "description", "naics", "sic", "mcc"),
    [
        (
            "Heartland Savings Bank",
            "We are a community bank: open a checking account, a savings account or a CD, "
            "and talk to us about a home loan.",
            {"522110", "522180"},
            {"6021", "6022", "6035", "6036"},
            {"6012", "6011"},
        ),
        (
            "Northwind Labs",
            "We make project management software that teams license as a subscription; "
            "download the desktop app.",
            {"513210"},
            {"7372"},
            {"5734", "5817", "7372"},
        ),
        (
            "Blue Line Transport Inc.",
            "Over-the-road trucking carrier with 200 tractors and dry van trailers "
            "hauling freight coast to coast.",
            {"484121", "484122", "484110"},
            {"4213", "4212"},
            {"4214"},
        ),
        (
            "Maison Mode",
            "Shop our online clothing store for women's dresses, jeans, jackets and men's "
            "shirts. Free returns.",
            {"458110"},
            {"5621", "5651", "5611", "5699", "5961"},
            {"5691", "5651", "5699", "5621", "5611"},
        ),
    ],
    ids=["bank", "software-publisher", "trucking", "online-clothing"],
)
def test_everyday_businesses_get_the_obvious_codes(
    name: str, description: str, naics: set[str], sic: set[str], mcc: set[str]
) -> None:
    result = classify_business(name=name, description=description)
    assert naics & set(_codes(result, "naics")), _codes(result, "naics")
    assert sic & set(_codes(result, "sic")), _codes(result, "sic")
    assert mcc & set(_codes(result, "mcc")), _codes(result, "mcc")


def test_result_shape_has_k_codes_titles_confidences_and_version() -> None:
    data = classify_business(
        description="Dental office offering cleanings and fillings", k=4
    ).as_dict()
    assert set(data) >= {"naics", "sic", "mcc", "evidence", "model_version"}
    for system in ("naics", "sic", "mcc"):
        assert len(data[system]) == 4
        confidences = [c["confidence"] for c in data[system]]
        assert all(0.0 <= c <= 1.0 for c in confidences)
        assert all(c["title"] for c in data[system])
    assert all("risk" in c for c in data["mcc"])
    assert data["model_version"].startswith("nb-sgd-ensemble-")
    assert data["industry_unknown"] is False


def test_top_k_defaults_to_setting(settings: Settings) -> None:
    settings.CLASSIFIER_TOP_K = 2
    result = classify_business(description="hair salon")
    assert len(result.naics) == len(result.sic) == len(result.mcc) == 2


def test_evidence_quotes_the_words_of_the_input() -> None:
    result = classify_business(name="Bella Napoli", description="Pizzeria with table service")
    terms = [t["text"] for t in result.evidence["naics"]["terms"]]
    assert "pizzeria" in terms
    assert result.evidence["naics"]["matched_phrase"]
    assert result.evidence["mcc"]["via_naics"]


def test_gambling_mcc_is_flagged_high_risk() -> None:
    result = classify_business(
        description="Online sports betting and casino games, wagers on football and horse racing"
    )
    flagged = {p.code: p.risk for p in result.mcc}
    assert flagged.get("7995") == "high"


def test_empty_or_unknown_input_returns_no_codes() -> None:
    result = classify_business(name="", description="  ", website_text="")
    assert result.naics == result.sic == result.mcc == []
    assert classify_business(description="zzqx qqzv").naics == []


def test_website_text_alone_is_enough() -> None:
    """'steakhouse' is not in the vocabulary (model v3 put 722511 fourth, behind the navigation's
    'Reservations'); read as "steak house" it is (``CompoundSplitter``)."""
    text = (
        "Home | Menu | Reservations. Our steakhouse serves dry-aged steaks and fine wines. "
        "Book a table tonight."
    )
    assert "722511" in _codes(classify_business(website_text=text), "naics")


def test_long_text_picks_the_long_text_maps_where_a_system_has_them() -> None:
    from classifications.engine.model import SystemTable, map_index

    four = SystemTable(codes=[], titles=[], calibration=[IsotonicMap((), ())] * 4)
    assert [map_index(four, r, False) for r in (0, 1, 4)] == [0, 1, 1]
    assert [map_index(four, r, True) for r in (0, 1, 4)] == [2, 3, 3]
    two = SystemTable(codes=[], titles=[], calibration=[IsotonicMap((), ())] * 2)
    assert [map_index(two, r, True) for r in (0, 1, 4)] == [0, 1, 1]
    one = SystemTable(codes=[], titles=[], calibration=[IsotonicMap((), ())])
    assert [map_index(one, r, True) for r in (0, 3)] == [0, 0]


def test_a_sentence_is_long_text_and_a_phrase_or_a_name_is_not() -> None:
    from classifications.engine import get_classifier

    model = get_classifier()
    sentence = "We fix leaky pipes and install water heaters for homes around Tulsa"
    assert model.encode(name="Tulsa Drain Pros", description=sentence).long_text
    assert not model.encode(description="Plumbing contractors").long_text
    assert not model.encode(name="Tulsa Drain Pros Plumbing and Heating Services Ltd").long_text
    # the shipped artefact has the long-text maps of every system (docs/classification.md)
    assert all(len(model.tables[s].calibration) == 4 for s in ("naics", "sic", "mcc"))


def test_isotonic_map_interpolates_between_thresholds_and_clips_at_the_ends() -> None:
    iso = IsotonicMap(thresholds=(0.2, 0.6), values=(0.1, 0.9))
    assert iso(0.0) == pytest.approx(0.1) and iso(1.0) == pytest.approx(0.9)
    assert iso(0.4) == pytest.approx(0.5)


def test_quickstart_outdoor_clothing_shop_is_clothing_retail() -> None:
    """The README example: "outdoor" must not outweigh what the shop sells."""
    result = classify_business(name="Acme Outdoor", description="Online outdoor clothing shop")
    assert result.naics[0].code == "458110"
    assert result.sic[0].code.startswith("56")
    assert result.mcc[0].code in {"5651", "5691", "5699", "5611", "5621", "5655"}


def test_a_telling_name_alone_gets_its_industry_with_modest_confidence() -> None:
    result = classify_business(name="Heartland Savings Bank")
    assert result.naics[0].code.startswith("5221")
    assert not result.unknown
    assert result.naics[0].confidence < 0.8
    assert "name only" in " ".join(result.evidence["notes"])


def test_a_name_without_industry_words_is_industry_unknown() -> None:
    result = classify_business(name="Acme Group Holdings Ltd")
    assert result.unknown
    assert result.as_dict()["industry_unknown"] is True


def test_the_website_title_counts_towards_the_industry() -> None:
    result = classify_business(name="Acme Trading Ltd", website_title="Acme. Dog grooming salon")
    assert result.naics[0].code == "812910"


def test_expected_calibration_error_is_zero_when_confidence_matches_accuracy() -> None:
    assert expected_calibration_error([0.8] * 10, [True] * 8 + [False] * 2) == pytest.approx(0.0)
    assert expected_calibration_error([0.9] * 10, [False] * 10) == pytest.approx(0.9)


def test_ece_noise_says_what_a_calibrated_model_would_show_on_a_set_this_size() -> None:
    """On 50 items spread over five bins a perfectly calibrated model's ECE is about 0.1: an
    observed ECE there is noise unless it stands above the draws (small p)."""
    conf, calibrated = [], []
    for p in (0.3, 0.5, 0.6, 0.7, 0.9):  # ten items a bin, exactly p of them right: ECE 0
        conf += [p] * 10
        calibrated += [True] * round(10 * p) + [False] * (10 - round(10 * p))
    assert expected_calibration_error(conf, calibrated) == pytest.approx(0.0)
    noise = ece_noise(conf, calibrated)
    assert 0.07 < noise.median < 0.15 < noise.p95
    assert noise.p_value == pytest.approx(1.0)
    assert ece_noise(conf, calibrated) == noise  # fixed seed: the bench prints stable figures
    overconfident = ece_noise([0.95] * 50, [True] * 25 + [False] * 25)  # ECE 0.45
    assert overconfident.p_value < 0.01
    # The noise shrinks with the set: on 5,000 items calibration is measurable to ~0.01.
    assert ece_noise([0.6] * 5000, [True] * 3000 + [False] * 2000, draws=200).p95 < 0.02
    assert ece_noise([], []).p_value == 1.0


def test_column_major_product_equals_the_sparse_matrix_product() -> None:
    """The serving fast path (``Columns.dot``) computes exactly ``m @ q.T``."""
    import numpy as np
    import scipy.sparse as sp

    from classifications.engine.sparse import Columns

    rng = np.random.default_rng(0)
    m = sp.random(300, 2000, density=0.02, format="csr", dtype=np.float32, random_state=rng)
    for density in (0.0, 0.005, 0.05):
        q = sp.random(1, 2000, density=density, format="csr", dtype=np.float32, random_state=rng)
        expected = np.asarray((m @ q.T).todense()).ravel()
        np.testing.assert_allclose(Columns(m).dot(q), expected, rtol=1e-5, atol=1e-6)


def test_unknown_compounds_are_read_as_their_two_known_words() -> None:
    from classifications.engine import get_classifier

    compounds = get_classifier().compounds
    assert compounds.split("steakhouse") == "steak house"
    assert compounds.split("petshop") == "pet shop"
    assert compounds.split("skincare") == "skin care"
    assert compounds.split("restaurant") is None  # a known word is never split
    assert compounds.split("dealership") is None  # "-ship" is a suffix, not a second word
    assert compounds.split("zzqxvbnm") is None  # no known parts
    # Names: parts of four letters or more ("Stewart" is a surname, not "stew art").
    assert compounds.rewrite("Stewart Steakhouse Ltd", name=True) == "Stewart steak house Ltd"
    assert compounds.rewrite("Our PetShop, est. 1990") == "Our pet shop, est. 1990"


def test_a_compound_description_classifies_like_its_spelled_out_words() -> None:
    joined = classify_business(description="Family petshop and grooming")
    spelled = classify_business(description="Family pet shop and grooming")
    assert joined.naics[0].code == spelled.naics[0].code


def test_a_loaded_model_keeps_one_copy_of_each_matrix(tmp_path: Path) -> None:
    """``load`` lets the artefact's row-major copies go: each matrix is the column-major arrays
    serving reads (the linear weights, phrases, centroids, Naive Bayes weights and SIC / MCC
    title vectors), and saving it again writes the same arrays."""
    import numpy as np

    from classifications.engine import model as engine_model
    from classifications.engine.sparse import Columns

    loaded = engine_model.load()
    assert loaded.linear is not None and loaded._linear_cols is not None
    assert np.shares_memory(loaded.linear.coef.data, loaded._linear_cols.data)
    assert loaded.docs is loaded._docs_cols and loaded.centroids is loaded._centroid_cols
    assert loaded.nb_weights is loaded._nb_cols
    for system, columns in loaded._vector_cols.items():
        assert loaded.tables[system].vectors is columns
    assert all(isinstance(m, Columns) for m in (loaded.docs, loaded.centroids, loaded.nb_weights))
    engine_model.save(loaded, tmp_path)
    with (
        np.load(tmp_path / "model.npz") as again,
        np.load(engine_model.ARTEFACT_DIR / "model.npz") as shipped,
    ):
        assert sorted(again.files) == sorted(shipped.files)
        for name in shipped.files:
            assert np.array_equal(again[name], shipped[name]), name
