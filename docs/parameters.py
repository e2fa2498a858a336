"""`python -m docs.parameters [--write]`: docs/parameters.md, generated from template.yaml.

The template is the one place each parameter is described: its Description,
Default, AllowedValues, MinValue/MaxValue, AllowedPattern (shown as its
ConstraintDescription, the words CloudFormation prints when a value does not
match) and its group in the console (Metadata AWS::CloudFormation::Interface
ParameterGroups). The Rules' AssertDescriptions say what holds across
parameters. This module only lays them out; `make docs` writes the page, and
tests/template/test_parameters_doc.py fails when the page and the template
disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
PAGE = ROOT / "docs" / "parameters.md"

HEADER = """\
# Parameters

<!-- Generated from template.yaml by `make docs` (python -m docs.parameters --write): edit the template, not this
page. tests/template/test_parameters_doc.py fails when the two disagree. -->

Every parameter of `template.yaml`, in the groups (in bold) the
CloudFormation console shows. CloudFormation checks each value before it
creates anything (the *allowed* column, then the rules at the end), so a
wrong one fails the deploy at once with a message naming it. Only the
parameters marked *(required)* have no default.
"""


def load(template: Path = TEMPLATE) -> dict[str, Any]:
    """The template as plain data, short-form tags (!Ref, !Equals...) expanded as cfn-lint reads them."""
    decoded, problems = decode_str(template.read_text())
    if problems:
        raise SystemExit(f"{template.name} does not parse: {problems[0]}")
    return json.loads(json.dumps(decoded))  # type: ignore[no-any-return]


def render(template: Mapping[str, Any]) -> str:
    parameters: Mapping[str, Any] = template.get("Parameters", {})
    lines = [HEADER, "| parameter | default | allowed | what it does |", "| --- | --- | --- | --- |"]
    for label, names in _groups(template, parameters):
        lines.append(f"| **{_cell(label)}** | | | |")
        lines += [_row(name, parameters[name]) for name in names]
    rules = list(_rules(template))
    if rules:
        lines += ["", "## Rules across parameters", "", "Checked by CloudFormation before anything is created:", ""]
        lines += [f"- {_cell(description)} (`{name}`)" for name, description in rules]
    return "\n".join(lines) + "\n"


def _groups(template: Mapping[str, Any], parameters: Mapping[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """The console's groups in their order, then whatever no group names."""
    interface = template.get("Metadata", {}).get("AWS::CloudFormation::Interface", {})
    grouped: set[str] = set()
    for group in interface.get("ParameterGroups", []):
        names = [name for name in group["Parameters"] if name in parameters]
        grouped.update(names)
        yield group["Label"]["default"], names
    rest = [name for name in parameters if name not in grouped]
    if rest:
        yield ("Other" if grouped else "All parameters"), rest


def _row(name: str, spec: Mapping[str, Any]) -> str:
    if "Default" not in spec:
        default = "*(required)*"
    else:
        default = "*(empty)*" if spec["Default"] == "" else f"`{spec['Default']}`"
    return f"| `{name}` | {default} | {_allowed(spec)} | {_cell(spec.get('Description', ''))} |"


def _allowed(spec: Mapping[str, Any]) -> str:
    if "AllowedValues" in spec:
        return ", ".join(f"`{value}`" for value in spec["AllowedValues"])
    if "MinValue" in spec or "MaxValue" in spec:
        return f"{spec.get('MinValue', '…')} to {spec.get('MaxValue', '…')}"
    if "AllowedPattern" in spec:
        return _cell(spec.get("ConstraintDescription") or f"`{spec['AllowedPattern']}`")
    if spec["Type"] not in ("String", "Number", "CommaDelimitedList"):
        return f"an existing `{spec['Type']}`" if not spec["Type"].startswith("List<") else f"existing `{spec['Type']}`"
    return "any"


def _rules(template: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name, rule in template.get("Rules", {}).items():
        for assertion in rule.get("Assertions", []):
            if "AssertDescription" in assertion:
                yield name, assertion["AssertDescription"]


def _cell(text: str) -> str:
    """One line of a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docs.parameters", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {PAGE.relative_to(ROOT)} instead of printing it")
    args = parser.parse_args(argv)
    page = render(load())
    if args.write:
        PAGE.write_text(page)
        print(f"wrote {PAGE.relative_to(ROOT)}")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
