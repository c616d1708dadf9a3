"""One name normaliser: registry keys and website matching use the screening vocabulary."""

from __future__ import annotations

import pytest

from verifications import names


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ACME Trading (UK) Ltd.", "acme trading uk"),
        ("The ACME Company", "acme"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Bank of the West", "bank west"),
        ("OOO Romashka", "romashka"),  # a form written first, known to screening only
        ("Limited", "limited"),  # a name made only of a legal form stays itself
    ],
)
def test_legal_forms_come_from_the_screening_vocabulary(name: str, key: str) -> None:
    assert names.normalise(name) == key


def test_the_name_is_found_in_page_text_whatever_its_legal_form() -> None:
    page = names.normalise_text("Welcome to The Acme Trading Company, est. 1921")
    assert f" {names.normalise('ACME TRADING LIMITED')} " in f" {page} "


@pytest.mark.django_db
def test_the_migration_rekeys_rows_keyed_by_the_old_list() -> None:
    import importlib

    from django.apps import apps
    from django.utils import timezone

    from verifications.models import RegistryEntity

    migration = importlib.import_module(
        "verifications.migrations.0015_registry_name_keys_screening_vocabulary"
    )
    row = RegistryEntity.objects.create(
        lei="5493000OLDKEY0000001",
        legal_name="OOO Romashka",
        name_key="ooo romashka",  # the old list did not know "ooo"
        country="RU",
        category="GENERAL",
        entity_status="ACTIVE",
        registration_status="ISSUED",
        source="test",
        loaded_at=timezone.now(),
    )
    migration.rekey(apps, None)
    row.refresh_from_db()
    assert row.name_key == "romashka"
