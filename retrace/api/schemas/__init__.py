"""Request and response bodies of the REST API (pydantic models; the domain never sees them)."""
