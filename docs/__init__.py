"""Generators of the pages in docs/ that restate a source file: `python -m docs.parameters`."""
