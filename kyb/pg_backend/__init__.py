"""The PostgreSQL backend: django-prometheus's (query metrics) with a cheap pool check (see
``kyb.db_pool``)."""
