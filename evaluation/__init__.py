"""Evaluation commands' scoring: how good a warehouse's events are against annotated gold."""
