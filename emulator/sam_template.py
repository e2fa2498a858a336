"""template.yaml as CloudFormation receives it from `sam deploy`: the one reading shared by the emulator and the tests.

Two transforms run before CloudFormation creates anything, in the order the
template's `Transform` lists them:

- AWS::LanguageExtensions expands the `Fn::ForEach` loops (and the
  `Fn::FindInMap` they read). samtranslator does not: cfn-lint's
  implementation of the transform does it here, the same code that lints the
  template, so that the linter, the tests and the emulator read one expansion.
- AWS::Serverless-2016-10-31 (samtranslator) turns the function and its
  events into plain resources. It makes no AWS call: the managed-policy map
  is empty (the template names no managed policy).

The loops run over fixed lists (the protocols, the positions in the CIDR
lists), never over a parameter's value: the expansion does not depend on the
parameters, and is made once per process.
"""

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

from cfnlint.decode import decode_str
from cfnlint.template import Template
from cfnlint.template.transforms._language_extensions import language_extension
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"


class TemplateError(Exception):
    """The template does not parse or does not expand: CloudFormation would refuse it before anything else."""


@cache
def source() -> dict[str, Any]:
    """template.yaml, short-form tags expanded, as plain JSON data (loops not expanded)."""
    decoded, problems = decode_str(TEMPLATE.read_text())
    if problems:
        raise TemplateError(f"{TEMPLATE.name} does not parse: {problems}")
    plain: dict[str, Any] = json.loads(json.dumps(decoded))
    return plain


@cache
def _expanded_json() -> str:
    template = source()
    problems, expanded = language_extension(Template(str(TEMPLATE), copy.deepcopy(template), ["us-east-1"]))
    if problems or expanded is None:
        raise TemplateError(f"{TEMPLATE.name}: {LANGUAGE_EXTENSIONS} fails: {[str(p) for p in problems]}")
    for section in ("Conditions", "Resources", "Outputs"):
        expanded[section] = _in_written_order(template.get(section, {}), expanded.get(section, {}))
    transforms = expanded.get("Transform", [])
    expanded["Transform"] = [
        t for t in ([transforms] if isinstance(transforms, str) else transforms) if t != LANGUAGE_EXTENSIONS
    ]
    return json.dumps(expanded)


def _in_written_order(written: dict[str, Any], expanded: dict[str, Any]) -> dict[str, Any]:
    """A section with each loop's items where the loop is written: the transform appends them at the end.

    CloudFormation does not care; moto creates resources in this order, and the
    names it draws for them (a target group's) follow it, as the docs show them.
    """
    appended = iter([key for key in expanded if key not in written])
    ordered: dict[str, Any] = {}
    for key, value in written.items():
        if not key.startswith("Fn::ForEach::"):
            ordered[key] = expanded[key]
            continue
        _, collection, fragment = value
        for _ in range(len(collection) * len(fragment)):  # the loops here run over written lists, one level deep
            produced = next(appended)
            ordered[produced] = expanded[produced]
    if len(ordered) != len(expanded):
        raise TemplateError(
            f"{TEMPLATE.name}: the expansion made {len(expanded)} items where the loops say {len(ordered)}"
        )
    return ordered


def expanded() -> dict[str, Any]:
    """The template after AWS::LanguageExtensions: every loop written out, the SAM transform still to run."""
    template: dict[str, Any] = json.loads(_expanded_json())
    return template


def translated(code_uri: str, region: str, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """The plain CloudFormation template `sam deploy` would send, the function's code at `code_uri`."""
    template = expanded()
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code_uri
    # The translator insists on a region for its boto3 session; it needs no credentials and makes no call.
    with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": region}):
        translator = Translator(None, Parser())
        result: dict[str, Any] = translator.translate(
            template, parameter_values=parameters or {}, get_managed_policy_map=dict
        )
    return result


def write_expanded(path: Path) -> None:
    """The expansion as a file, for the tools that cannot read Fn::ForEach: checkov, and `sam build`.

    SAM CLI 1.170.0 fails on a loop in Resources ('list' object has no attribute
    'get', aws/aws-sam-cli#5647), so `make build` builds this file. The
    function's CodeUri is rewritten relative to where the file is written.
    """
    template = expanded()
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            code = ROOT / resource["Properties"]["CodeUri"]
            resource["Properties"]["CodeUri"] = os.path.relpath(code, path.resolve().parent) + "/"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(template, indent=1))


if __name__ == "__main__":
    import sys

    write_expanded(Path(sys.argv[1]))
