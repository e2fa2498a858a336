"""One thin adapter per AWS service (and DNS): each reads or writes, and answers in the core's types."""
