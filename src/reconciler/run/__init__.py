"""The run: reads through the adapters, asks the core, and orders the writes."""
