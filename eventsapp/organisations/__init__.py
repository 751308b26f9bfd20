"""Organisations (host clusters and convenors), their people and roles."""
