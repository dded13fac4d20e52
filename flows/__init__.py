"""Prefect flows, tasks, settings and the command line of Dateline."""
