"""The benchmark of issue 5: AWS calls, pacing and cold start of the reconciler (`make bench`)."""
