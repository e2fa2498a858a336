"""`mq-endpoint plan`: what the function would register and deregister now, with the evidence, as terraform plan."""

from __future__ import annotations

from . import render
from .context import Context
from .views import inspect_stack, last_run, plan_code, print_json, print_plan


def plan(ctx: Context) -> int:
    inspection = inspect_stack(ctx)
    if ctx.as_json:
        print_json(ctx.out, inspection.document())
        return plan_code(inspection)
    # Who had each address to remove: the function's last report knows, a fresh dry run does not.
    print_plan(ctx.out, inspection, last_run(ctx).formerly)
    if ctx.output == "wide":
        ctx.out.print(render.brokers_table(inspection.document()))
    return plan_code(inspection)
