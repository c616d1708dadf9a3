"""The PostgreSQL backend: django-prometheus's (query metrics), its pool fitted to our processes
(see ``base``)."""
