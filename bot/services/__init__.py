"""Orchestration between the store, the library engines and the cogs."""
