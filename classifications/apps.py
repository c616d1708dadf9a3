from django.apps import AppConfig


class ClassificationsConfig(AppConfig):
    name = "classifications"
    verbose_name = "Industry classification"

    def ready(self) -> None:
        from classifications import signals  # noqa: F401  (connects cache invalidation)
        from kyb.warmup import warm_up_register

        # Reads only the shipped artefact: safe before a worker forks its pool.
        warm_up_register("classifier", _load_classifier, before_fork=True)


def _load_classifier() -> object:
    from classifications.engine import get_classifier  # numpy: only where it runs

    return get_classifier()
