"""docs/parameters.md says what template.yaml says: a template change that forgets `make docs` fails here."""

from __future__ import annotations

import copy

from docs.parameters import PAGE, load, render
from tests.template import samstack


def test_the_page_is_what_the_template_generates() -> None:
    assert PAGE.read_text() == render(load()), "docs/parameters.md disagrees with template.yaml: run `make docs`"


def test_every_parameter_is_on_the_page_once_with_its_default_in_its_console_group() -> None:
    page = PAGE.read_text()
    template = samstack.sam_template()
    groups = template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    group_of = {name: group["Label"]["default"] for group in groups for name in group["Parameters"]}
    group_on_page: dict[str, tuple[str, str]] = {}
    group = ""
    for line in page.splitlines():
        if line.startswith("| **"):
            group = line.split("**")[1]
        elif line.startswith("| `"):
            group_on_page[line.split("`")[1]] = (group, line)
    for name, spec in template["Parameters"].items():
        default = spec.get("Default")
        shown = "*(required)*" if default is None else "*(empty)*" if default == "" else f"`{default}`"
        assert page.count(f"| `{name}` |") == 1, f"{name} is not on the page exactly once"
        assert group_on_page[name][0] == group_of.get(name, "Other"), f"{name}: shown in the wrong group"
        assert group_on_page[name][1].startswith(f"| `{name}` | {shown} |"), f"{name}: its default is stale"


def test_the_page_gives_each_parameters_allowed_values_or_range_and_each_rules_message() -> None:
    page = PAGE.read_text()
    template = samstack.sam_template()
    rows = {line.split(" | ")[0].strip("| `"): line for line in page.splitlines() if line.startswith("| `")}
    for name, spec in template["Parameters"].items():
        if "AllowedValues" in spec:
            assert " | " + ", ".join(f"`{value}`" for value in spec["AllowedValues"]) + " | " in rows[name], name
        elif "MinValue" in spec:
            assert f" | {spec['MinValue']} to {spec['MaxValue']} | " in rows[name], name
    for rule in template["Rules"].values():
        for assertion in rule["Assertions"]:
            assert " ".join(assertion["AssertDescription"].split()) in page


def test_a_template_change_the_page_does_not_follow_is_noticed() -> None:
    template = load()
    for change in (
        lambda t: t["Parameters"]["SweepSchedule"].update(Default="rate(5 minutes)"),
        lambda t: t["Parameters"]["DryRun"].update(Description="Something else."),
        lambda t: t["Parameters"].update(NewKnob={"Type": "String", "Default": "", "Description": "New."}),
        lambda t: t["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"].reverse(),
    ):
        changed = copy.deepcopy(template)
        change(changed)
        assert render(changed) != PAGE.read_text()
