"""gemeente-assistent governance service: the citizen API and widget, in the message path before Rasa."""

API_VERSION = "1.0.0"
