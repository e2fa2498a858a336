"""CloudFormation's evaluation of a template, offline: the one evaluator the emulator and the template tests share.

- `checked_parameters`: the defaults overlaid with what is given, refused as
  CloudFormation refuses them before it creates anything (a parameter that
  does not exist or has no value; AllowedValues, AllowedPattern,
  Min/MaxValue), and `Evaluation.broken_rules`: the Rules' assertions that fail.
- `Evaluation`: the Conditions and the intrinsic functions of a plain
  (already transformed) template under one set of parameter values. What only
  exists at deploy time stands in: `Ref` of a resource gives what the
  caller's `physical_id` says, `Fn::GetAtt` gives `<LogicalId>.<Attribute>`
  (a target group's TargetGroupArn is its Ref, as on AWS).

The emulator refuses stacks with it (emulator/cloudformation.py) and asks it
which resources a parameter change reaches; tests/template reads the
template's resources through it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import regex


class Refused(Exception):
    """What CloudFormation refuses before creating or updating anything."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


def stand_in(logical_id: str, resource_type: str) -> str:
    """A resource's Ref before it exists: `<LogicalId>`."""
    return f"<{logical_id}>"


def with_defaults(declared: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, str]:
    """The value of every parameter: its default overlaid with what is given."""
    values = {name: str(spec["Default"]) for name, spec in declared.items() if "Default" in spec}
    values.update({name: str(value) for name, value in given.items()})
    return values


def checked_parameters(declared: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, str]:
    """`with_defaults`, refused as CloudFormation refuses a parameter value."""
    unknown = set(given) - set(declared)
    if unknown:
        raise Refused(f"Parameters {sorted(unknown)} do not exist in the template")
    values = with_defaults(declared, given)
    for name, spec in declared.items():
        if name not in values:
            raise Refused(f"Parameters: [{name}] must have values")
        _check_parameter(name, spec, values[name])
    return values


def _check_parameter(name: str, spec: Mapping[str, Any], value: str) -> None:
    reason = spec.get("ConstraintDescription", "")
    if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
        raise Refused(f"Parameter '{name}' must be one of AllowedValues")
    if "AllowedPattern" in spec and not regex.fullmatch(spec["AllowedPattern"], value):
        raise Refused(f"Parameter '{name}' failed to satisfy constraint: {reason}")
    if spec.get("Type") == "Number":
        number = float(value)
        if number < float(spec.get("MinValue", number)) or number > float(spec.get("MaxValue", number)):
            raise Refused(f"Parameter '{name}' is out of range")


@dataclass
class Evaluation:
    template: dict[str, Any]
    parameters: dict[str, str]
    pseudo: Mapping[str, str] = field(default_factory=dict)
    physical_id: Callable[[str, str], str] = stand_in
    _conditions: dict[str, bool] = field(default_factory=dict)

    # --- intrinsic functions -------------------------------------------------
    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in map(self.resolve, node) if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            function = _FUNCTIONS.get(key)
            if function is not None:
                return function(self, arg)
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in node.items()) if v is not NO_VALUE}

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            kind = self.template["Parameters"][name]["Type"]
            value = self.parameters[name]
            return value.split(",") if kind.startswith("List<") or kind == "CommaDelimitedList" else value
        resource = self.template.get("Resources", {}).get(name)
        if resource is None:  # a pseudo parameter not given (AWS::StackId...): it stands in by its name
            return stand_in(name, "")
        return self.physical_id(name, resource["Type"])

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if attribute == "TargetGroupArn":
            return self.ref(logical_id)
        return f"{logical_id}.{attribute}"

    def sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def replace(match: regex.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self.get_att(*name.split(".", 1)))
            return str(self.ref(name))

        substituted: str = regex.sub(r"\$\{([^!}][^}]*)\}", replace, text)
        return substituted

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self.resolve(self.template["Conditions"][name]))
        return self._conditions[name]

    # --- what the stack holds ---------------------------------------------------
    def creates(self, logical_id: str) -> bool:
        resource = self.template["Resources"][logical_id]
        return "Condition" not in resource or self.condition(resource["Condition"])

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return {
            logical_id: self.resolve(resource)
            for logical_id, resource in self.template["Resources"].items()
            if self.creates(logical_id)
        }

    @property
    def outputs(self) -> dict[str, Any]:
        return {
            name: self.resolve(output["Value"])
            for name, output in self.template.get("Outputs", {}).items()
            if "Condition" not in output or self.condition(output["Condition"])
        }

    def broken_rules(self) -> list[str]:
        broken = []
        for rule in self.template.get("Rules", {}).values():
            if "RuleCondition" in rule and not self.resolve(rule["RuleCondition"]):
                continue
            broken += [a.get("AssertDescription", "") for a in rule["Assertions"] if not self.resolve(a["Assert"])]
        return broken


def _select(evaluation: Evaluation, arg: list[Any]) -> Any:
    index, items = evaluation.resolve(arg)
    return items[int(index)]


def _get_att(evaluation: Evaluation, arg: Any) -> Any:
    logical_id, attribute = evaluation.resolve(arg) if isinstance(arg, list) else arg.split(".", 1)
    return evaluation.get_att(logical_id, attribute)


_FUNCTIONS: dict[str, Callable[[Evaluation, Any], Any]] = {
    "Ref": lambda e, name: e.ref(name),
    "Fn::GetAtt": _get_att,
    "Fn::If": lambda e, arg: e.resolve(arg[1] if e.condition(arg[0]) else arg[2]),
    "Fn::Join": lambda e, arg: arg[0].join(e.resolve(arg[1])),
    "Fn::Split": lambda e, arg: e.resolve(arg[1]).split(arg[0]),
    "Fn::Select": _select,
    "Fn::Sub": lambda e, arg: e.sub(arg),
    "Fn::Equals": lambda e, arg: e.resolve(arg[0]) == e.resolve(arg[1]),
    "Fn::Not": lambda e, arg: not e.resolve(arg[0]),
    "Fn::And": lambda e, arg: all(e.resolve(arg)),
    "Fn::Or": lambda e, arg: any(e.resolve(arg)),
    "Condition": lambda e, name: e.condition(name),
}
