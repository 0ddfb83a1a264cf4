"""Compliance paperwork generated from the running system (issue 7): the Algoritmeregister export, DPIA and
IAMA drafts, the readiness check of the guide, and the supply-API client. Everything here reads the
configuration and live figures; nothing is typed twice, so the documents stay in sync with what runs."""
