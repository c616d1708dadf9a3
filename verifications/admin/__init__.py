"""Admin of the verifications app: the review console (``review``) and job control (``jobs``)."""

from verifications.admin import jobs, review

__all__ = ["jobs", "review"]
