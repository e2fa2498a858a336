"""Keeps NLB target groups equal to the live IPs of Amazon MQ brokers."""
