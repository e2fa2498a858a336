"""The shell: the Lambda handler, the report, telemetry, and the wiring of a reconciler from its clients."""
