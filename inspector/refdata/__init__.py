"""Reference data shipped with the app: agencies (GB/T 2260 divisions) and checklist templates."""

from __future__ import annotations

import json
import re
from importlib import resources
from numbers import Real
from typing import Any

CATEGORIES = ("general", "fertilizer", "pesticide", "film", "seed", "machinery")
ITEM_KINDS = ("pass_fail_na", "number", "text", "choice", "date")
AUTHORITIES = ("SAMR", "MARA", "both")

TEMPLATE_FIELDS = ("key", "version", "category", "title", "sections")
SECTION_FIELDS = ("key", "title", "items")
ITEM_FIELDS = ("key", "label", "kind", "required", "photo_required", "legal_basis", "authority")
OPTIONAL_ITEM_FIELDS = ("hint", "unit", "min", "max", "choices", "basis_text", "basis_version", "basis_pending")
# The words of the clauses the legal basis cites, the version date(s) of the law(s) they are from
# (2018-12-29, or 2018-12-29、2022-03-29 for two laws), and the citations not yet checked against
# an official text (shown as 待核). `flask check-citations` keeps them in step with the statutes.
BASIS_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(、\d{4}-\d{2}-\d{2})*$")
# Fields that only mean something for one kind; elsewhere they are a sign of a mistake.
KIND_ONLY_FIELDS = {"unit": "number", "min": "number", "max": "number", "choices": "choice"}


def load_divisions() -> list[dict]:
    """Return the region, league and county agencies, parents before children."""
    return _read_json("divisions.json")["agencies"]


def load_templates() -> list[dict]:
    """Return the published checklist templates, general first, then by category order."""
    folder = resources.files(__name__).joinpath("templates")
    bodies = [
        json.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    ]
    order = {category: index for index, category in enumerate(CATEGORIES)}

    def position(body: dict) -> tuple[int, str]:
        return order.get(body.get("category"), len(order)), body.get("key", "")

    return sorted(bodies, key=position)


def validate_template(body: Any) -> list[str]:
    """Return every problem found in a checklist template; an empty list means it is usable."""
    if not isinstance(body, dict):
        return [f"the template must be a JSON object, not {_type_name(body)}"]
    problems: list[str] = []
    for name in TEMPLATE_FIELDS:
        if name not in body:
            problems.append(f"the template has no {name!r}")
    for name in ("key", "title"):
        if name in body and not _is_text(body[name]):
            problems.append(f"the template's {name!r} must be non-empty text")
    version = body.get("version")
    if "version" in body and not _is_positive_int(version):
        problems.append(
            f"the template's 'version' must be a whole number from 1 up, not {version!r}"
        )
    category = body.get("category")
    if "category" in body and category not in CATEGORIES:
        problems.append(f"category {category!r} is not one of {', '.join(CATEGORIES)}")
    sections = body.get("sections")
    if "sections" not in body:
        return problems
    if not isinstance(sections, list) or not sections:
        problems.append("'sections' must be a non-empty list")
        return problems

    section_keys: set[str] = set()
    item_sections: dict[str, str] = {}  # item key -> where it was first seen
    for s_index, section in enumerate(sections, start=1):
        where = f"section {s_index}"
        if not isinstance(section, dict):
            problems.append(f"{where} must be an object, not {_type_name(section)}")
            continue
        if _is_text(section.get("key")):
            where = f"section {s_index} ({section['key']})"
            if section["key"] in section_keys:
                problems.append(f"{where}: section key {section['key']!r} is used twice")
            section_keys.add(section["key"])
        for name in SECTION_FIELDS:
            if name not in section:
                problems.append(f"{where} has no {name!r}")
            elif name != "items" and not _is_text(section[name]):
                problems.append(f"{where}: {name!r} must be non-empty text")
        items = section.get("items")
        if "items" in section and (not isinstance(items, list) or not items):
            problems.append(f"{where}: 'items' must be a non-empty list")
            continue
        for i_index, item in enumerate(items or [], start=1):
            problems.extend(_item_problems(item, f"{where}, item {i_index}", item_sections))
    return problems


def _item_problems(item: Any, where: str, item_sections: dict[str, str]) -> list[str]:
    """Return the problems of one item; `item_sections` collects keys to catch duplicates."""
    if not isinstance(item, dict):
        return [f"{where} must be an object, not {_type_name(item)}"]
    problems: list[str] = []
    key = item.get("key")
    if _is_text(key):
        where = f"{where} ({key})"
        if key in item_sections:
            problems.append(f"{where}: item key {key!r} is already used in {item_sections[key]}")
        else:
            item_sections[key] = where
    for name in ITEM_FIELDS:
        if name not in item:
            problems.append(f"{where} has no {name!r}")
    for name in item:
        if name not in ITEM_FIELDS and name not in OPTIONAL_ITEM_FIELDS:
            problems.append(f"{where}: unknown field {name!r}")
    for name in ("key", "label", "legal_basis"):
        if name in item and not _is_text(item[name]):
            problems.append(f"{where}: {name!r} must be non-empty text")
    for name in ("required", "photo_required"):
        if name in item and not isinstance(item[name], bool):
            problems.append(f"{where}: {name!r} must be true or false, not {item[name]!r}")
    if "hint" in item and not isinstance(item["hint"], str):
        problems.append(f"{where}: 'hint' must be text")
    problems.extend(_basis_problems(item, where))
    if "authority" in item and item["authority"] not in AUTHORITIES:
        problems.append(
            f"{where}: authority {item['authority']!r} is not one of {', '.join(AUTHORITIES)}"
        )
    kind = item.get("kind")
    if "kind" not in item:
        return problems
    if kind not in ITEM_KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(ITEM_KINDS)}")
        return problems
    for name, owner in KIND_ONLY_FIELDS.items():
        if name in item and kind != owner:
            problems.append(
                f"{where}: {name!r} only applies to {owner} items, but this item is {kind}"
            )
    if kind == "number":
        problems.extend(_number_problems(item, where))
    if kind == "choice":
        problems.extend(_choice_problems(item, where))
    return problems


def _basis_problems(item: dict, where: str) -> list[str]:
    """Return the problems of the fields that quote and date the legal basis."""
    problems: list[str] = []
    if "basis_text" in item and not _is_text(item["basis_text"]):
        problems.append(f"{where}: 'basis_text' must be non-empty text")
    if "basis_version" in item and not (isinstance(item["basis_version"], str)
                                        and BASIS_VERSION.match(item["basis_version"])):
        problems.append(f"{where}: 'basis_version' must be a date such as \"2018-12-29\", "
                        f"not {item['basis_version']!r}")
    if ("basis_text" in item) != ("basis_version" in item):
        problems.append(f"{where}: 'basis_text' and 'basis_version' go together")
    pending = item.get("basis_pending")
    if "basis_pending" in item and (not isinstance(pending, list) or not pending
                                    or not all(_is_text(c) for c in pending)):
        problems.append(f"{where}: 'basis_pending' must be a non-empty list of citations")
    elif pending and not all(c in item.get("legal_basis", "") for c in pending):
        problems.append(f"{where}: 'basis_pending' names a citation that 'legal_basis' does not make")
    return problems


def _number_problems(item: dict, where: str) -> list[str]:
    """Return the problems specific to a number item."""
    problems: list[str] = []
    if not _is_text(item.get("unit")):
        problems.append(
            f"{where}: a number item needs a 'unit' (for example \"mm\", \"%\", \"kg\")"
        )
    bounds: dict[str, Real] = {}
    for name in ("min", "max"):
        if name not in item:
            continue
        value = item[name]
        if isinstance(value, Real) and not isinstance(value, bool):
            bounds[name] = value
        else:
            problems.append(f"{where}: {name!r} must be a number, not {value!r}")
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        problems.append(f"{where}: min {bounds['min']} is greater than max {bounds['max']}")
    return problems


def _choice_problems(item: dict, where: str) -> list[str]:
    """Return the problems specific to a choice item."""
    choices = item.get("choices")
    if not isinstance(choices, list) or not choices:
        return [f"{where}: a choice item needs 'choices', a non-empty list of texts"]
    problems: list[str] = []
    if not all(_is_text(choice) for choice in choices):
        problems.append(f"{where}: every entry of 'choices' must be non-empty text")
    elif len(set(choices)) != len(choices):
        problems.append(f"{where}: 'choices' lists the same text twice")
    return problems


def _read_json(name: str) -> Any:
    """Read one JSON file that ships inside this package."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def _is_positive_int(value: Any) -> bool:
    """Tell whether a value is a whole number from 1 up (JSON true is not a number)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_text(value: Any) -> bool:
    """Tell whether a value is a string with something other than spaces in it."""
    return isinstance(value, str) and bool(value.strip())


def _type_name(value: Any) -> str:
    """Name a JSON value's type the way an admin would read it."""
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (int, float)):
        return "a number"
    return f"a {type(value).__name__}"
