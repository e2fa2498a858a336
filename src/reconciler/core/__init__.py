"""The pure core: the model, what a run may believe (evidence.py) and the plan. No AWS client, no clock, no I/O."""
