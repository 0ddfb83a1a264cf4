"""The web layer: thin routers, request dependencies and the staff sign-in checks.

Everything here sits on top of the domain packages (conversation, handover, audit, ...) and the citizen turn
(`governance.turn`); nothing below imports from here, so a newcomer can read a route and follow it down.
"""
