"""Cross-cutting API plumbing: authentication and tenancy, errors, pagination."""
