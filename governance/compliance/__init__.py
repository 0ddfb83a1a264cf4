"""Serving the register/ documents and checks: API routes, the citizen page and the staff guide."""
