"""Rasa SDK discovers this package by name and calls init_hooks (rasa_sdk/plugin.py): our action server
metrics are attached through it, without patching the SDK."""

from __future__ import annotations


def init_hooks(manager) -> None:
    from actions import metrics_plugin

    manager.register(metrics_plugin)
