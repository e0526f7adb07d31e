"""What a mutation handler works with: the caller, the transaction's version, and how it says no."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from marshmallow import ValidationError
from ...database import db
from ...errors import ApiError
from ...schemas.sync import SCHEMA_VERSIONS
from ...models import ChecklistTemplate, Conflict, User
from .. import audit

# Chinese for the API errors that existing services raise inside a mutation.
_ZH = {
    "not_found": "记录不存在，或不在您的管辖范围内。",
    "forbidden": "您无权执行此操作。",
    "validation_failed": "填写的内容不符合要求。",
    "conflict": "记录已被他人修改。",
}


def jsonable(value: Any) -> Any:
    """The value as JSON can hold it: timestamps and dates as ISO 8601 text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def reason(code: str, message: str, message_zh: str, field: str | None = None) -> dict[str, Any]:
    """One reason for a rejection, as the phone shows it on the record."""
    return {"code": code, "field": field, "message": message, "message_zh": message_zh}


class Rejection(Exception):
    """A mutation that can never succeed as sent: answered `rejected`, its payload kept."""

    def __init__(self, *reasons: dict[str, Any]):
        super().__init__("; ".join(r["message"] for r in reasons))
        self.reasons = list(reasons)


def reject(code: str, message: str, message_zh: str, field: str | None = None) -> Rejection:
    return Rejection(reason(code, message, message_zh, field))


def reasons_from(exc: Exception) -> list[dict[str, Any]]:
    """The reasons a handler's exception gives the phone."""
    if isinstance(exc, Rejection):
        return exc.reasons
    if isinstance(exc, ValidationError):
        return [reason("invalid", f"{path}: {_flatten(messages)}", f"填写的内容不符合要求：{_flatten_zh(messages)}", path)
                for path, messages in _walk(exc.messages)]
    if isinstance(exc, ApiError):
        details = exc.details if isinstance(exc.details, dict) else {}
        if "creditCode" in details:
            return [reason("invalid_credit_code", exc.message, details.get("message_zh") or exc.message, "creditCode")]
        field_name = next((k for k in details if isinstance(details[k], list)), None)
        return [reason(exc.code, exc.message, details.get("message_zh") or _ZH.get(exc.code, exc.message), field_name)]
    raise TypeError(f"not a rejection: {exc!r}")


def _walk(messages: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Flatten marshmallow's nested {field: {field: [msg]}} into ("fields.name", [msg]) pairs."""
    if isinstance(messages, dict):
        pairs: list[tuple[str, Any]] = []
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(_walk(value, path) if isinstance(value, dict) else [(path, value)])
        return pairs
    return [(prefix or "_schema", messages)]


# marshmallow's messages as an inspector reads them (the phone names the field beside the reason).
_ZH_VALIDATION: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Longer than maximum length (\d+)\."), r"超过最大长度 \1 个字符。"),
    (re.compile(r"Shorter than minimum length (\d+)\."), r"少于最少 \1 个字符。"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."), r"长度须在 \1 到 \2 个字符之间。"),
    (re.compile(r"Missing data for required field\."), "此项必填。"),
    (re.compile(r"Field may not be null\."), "此项不能为空。"),
    (re.compile(r"Unknown field\."), "手机发送了服务器不认识的字段，请更新应用。"),
    (re.compile(r"Not a valid (?:string|integer|number|boolean|list|mapping)\."), "格式无效。"),
    (re.compile(r"Not a valid (?:datetime|date|time)\."), "日期或时间格式无效。"),
    (re.compile(r"Not a valid UUID\."), "编号格式无效。"),
    (re.compile(r"Must be one of: (.*)\."), r"须为以下之一：\1。"),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."), r"须在 \1 到 \2 之间。"),
]


def _flatten_zh(messages: Any) -> str:
    parts = messages if isinstance(messages, list) else [messages]
    out = []
    for message in map(str, parts):
        for pattern, replacement in _ZH_VALIDATION:
            if pattern.fullmatch(message):
                message = pattern.sub(replacement, message)
                break
        out.append(message)
    return " ".join(out)


def _flatten(messages: Any) -> str:
    if isinstance(messages, list):
        return " ".join(str(m) for m in messages)
    return str(messages)


@dataclass
class PushSession:
    """What stays the same for every mutation of one push: who, from which phone, and caches."""

    user: User
    device_id: int
    writer: str  # the phone's client id: who last changed a field, for per-field merges
    templates: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    statements: dict[str, Any] = field(default_factory=dict)  # built once per push (see `statement`)
    # {inspection id: (inspection, caller is one of its inspectors)}: read once per push (one
    # transaction); forgotten after a mutation of an inspection itself and after a rollback.
    cases: dict[str, tuple[Any, bool]] = field(default_factory=dict)
    # {inspection id: {item key: finding}}: a case's answers, read once per push; forgotten likewise.
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def forget_reads(self) -> None:
        """After a rollback or a change of an inspection itself: read cases and answers again."""
        self.cases.clear()
        self.answers.clear()

    def statement(self, name: str, build: Callable[[], Any]) -> Any:
        """A statement for this caller, built on first use: building costs more than running it."""
        if name not in self.statements:
            self.statements[name] = build()
        return self.statements[name]

    def template_items(self, template_id: int) -> dict[str, dict[str, Any]]:
        """{item key: item} of a template; published templates never change, so one read per push."""
        if template_id not in self.templates:
            template = db.session.get(ChecklistTemplate, template_id)
            self.templates[template_id] = {i["key"]: i for i in template.items()} if template else {}
        return self.templates[template_id]


@dataclass
class MutationContext:
    """One mutation being applied in the push's transaction (in a savepoint of its own on a second try)."""

    push: PushSession
    mutation_id: int
    name: str
    version: int  # the transaction's sync version: PENDING in a push, replaced at its end (models/sync.py)
    client_time: datetime | None = None  # the phone's clock when the mutation was made
    inspection_id: str | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    audited: bool = False  # whether the handler (or a service it called) left an audit event

    @property
    def user(self) -> User:
        return self.push.user

    @property
    def writer(self) -> str:
        return self.push.writer

    def audit(self, action: str, entity_type: str, entity_id: Any, data: dict[str, Any] | None = None,
              why: str | None = None) -> None:
        """The audit event every applied mutation leaves: who, which phone, which mutation."""
        self.audited = True
        audit.record(action, entity_type, entity_id, actor_id=self.user.id, device_id=self.push.device_id,
                     inspection_id=self.inspection_id, reason=why,
                     data={"mutation": [self.writer, self.mutation_id], **jsonable(data or {}),
                           # the phone's clock when it was done (on site, maybe offline): the case file
                           # prints it apart from the server's time of the event, which is the sync
                           **({"clientTime": self.client_time.isoformat()} if self.client_time else {})})


def check_client(device: Any, body: dict[str, Any]) -> None:
    """A push or pull comes from the device that logged in, in a schema this server speaks."""
    if device is None or body["client_id"] != device.client_id:
        raise ApiError("forbidden", "This clientID is not the one this device logged in with.",
                       details={"clientID": [body["client_id"]]})
    if body["schema_version"] not in SCHEMA_VERSIONS:
        raise ApiError("version_not_supported", f"Schema version {body['schema_version']} is not supported.",
                       details={"versionType": "schema", "supported": list(SCHEMA_VERSIONS)})
