"""Forms (modals) the bot opens, filled in from the console: `fill stars:5 comment:"Lovely"`.

The form's text inputs are read from the modal the bot sent (rows of text inputs, or labels
wrapping one), and what is typed is checked as Discord's client checks a form: required
fields filled, lengths within the field's limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sandbox.console_options import UsageError, unquote

JsonDict = dict[str, Any]
TEXT_INPUT = 4
LABEL = 18
_FIELD_START = re.compile(r"(?:^|(?<=\s))([A-Za-z_][\w-]*):")


@dataclass(frozen=True)
class FormField:
    custom_id: str
    label: str
    required: bool
    min_length: int
    max_length: int
    default: str
    paragraph: bool

    def describe(self) -> str:
        need = "required" if self.required else "optional"
        length = f"up to {self.max_length} characters"
        default = f", now: {self.default!r}" if self.default else ""
        return f"  {self.custom_id:<10} {self.label} ({need}, {length}{default})"


@dataclass(frozen=True)
class OpenForm:
    """A modal the bot showed one user, waiting to be filled in."""

    custom_id: str
    title: str
    fields: list[FormField]

    @classmethod
    def from_modal(cls, modal: JsonDict) -> OpenForm:
        fields: list[FormField] = []
        for top in modal.get("components", []):
            inputs: list[tuple[JsonDict, str | None]] = []
            if top.get("type") == 1:
                inputs = [(c, None) for c in top.get("components", [])]
            elif top.get("type") == LABEL and isinstance(top.get("component"), dict):
                inputs = [(top["component"], top.get("label"))]
            for component, label in inputs:
                if component.get("type") != TEXT_INPUT:
                    continue
                fields.append(FormField(
                    custom_id=str(component.get("custom_id", "")),
                    label=str(label or component.get("label") or component.get("custom_id")),
                    required=bool(component.get("required", True)),
                    min_length=int(component.get("min_length") or 0),
                    max_length=int(component.get("max_length") or 4000),
                    default=str(component.get("value") or ""),
                    paragraph=component.get("style") == 2,
                ))
        return cls(str(modal.get("custom_id", "")), str(modal.get("title", "")), fields)

    def describe(self) -> list[str]:
        example = " ".join(f'{f.custom_id}:"…"' if f.paragraph else f"{f.custom_id}:…"
                           for f in self.fields)
        return [f"📝 the bot opened a form: “{self.title}”",
                *(f.describe() for f in self.fields),
                f"  fill it in with: fill {example}   (or: cancel)"]

    def answers(self, line: str) -> dict[str, str]:
        """`stars:5 comment:"…"` -> every field's value, checked like Discord's form."""
        usage = "usage: fill " + " ".join(f"{f.custom_id}:<text>" for f in self.fields)
        by_name = {f.custom_id.casefold(): f for f in self.fields}
        starts = list(_FIELD_START.finditer(line))
        starts = [m for m in starts if m.group(1).casefold() in by_name]
        if (starts and line[: starts[0].start()].strip()) or (not starts and line.strip()):
            raise UsageError("write each field as name:value", usage)
        given: dict[str, str] = {}
        for index, match in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(line)
            given[by_name[match.group(1).casefold()].custom_id] = unquote(
                line[match.end(): end].strip()).replace("\\n", "\n")
        values: dict[str, str] = {}
        for form_field in self.fields:
            value = given.get(form_field.custom_id, form_field.default)
            if form_field.required and not value.strip():
                raise UsageError(f"the form needs {form_field.custom_id} "
                                 f"({form_field.label})", usage)
            if value and len(value) < form_field.min_length:
                raise UsageError(f"{form_field.custom_id} needs at least "
                                 f"{form_field.min_length} characters", usage)
            if len(value) > form_field.max_length:
                raise UsageError(f"{form_field.custom_id} is too long: {len(value):,} "
                                 f"characters, at most {form_field.max_length:,}", usage)
            values[form_field.custom_id] = value
        return values
