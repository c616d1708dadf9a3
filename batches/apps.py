from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "batches"
    verbose_name = "Verification batches"

    def ready(self) -> None:
        from batches.services import batch_on_event
        from kyb import events

        # Counts each batch item's first decision, in the deciding transaction.
        events.subscribe(batch_on_event)
