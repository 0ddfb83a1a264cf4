"""Rasa SDK discovers this package by name and calls init_hooks (rasa_sdk/plugin.py): the action server's
gatekeeper (shared secret, domain actions only) and its metrics are attached through it, without patching
the SDK."""

from __future__ import annotations


def init_hooks(manager) -> None:
    from actions import gatekeeper_plugin, metrics_plugin

    manager.register(gatekeeper_plugin)  # first: a refused call never reaches an action
    manager.register(metrics_plugin)
