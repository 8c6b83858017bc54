"""The REST API (FastAPI): capture for scanners and integrations, queries for people and tools."""
