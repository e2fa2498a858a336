"""The operator's command line of mq-static-endpoint: `mq-endpoint status | plan | resync --stack NAME`.

Lives outside src/, which is the function's CodeUri: rich and argparse have
no place in the Lambda package or its cold start.
"""
