"""Integrators and their API keys: the tenancy every API request is checked against."""
