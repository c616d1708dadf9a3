from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "batches"
    verbose_name = "Verification batches"

    def ready(self) -> None:
        from batches.services import batch_on_verification_changed
        from verifications import effects

        # Counts each batch item's first decision, in the deciding transaction.
        effects.register(batch_on_verification_changed)
