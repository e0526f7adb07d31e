"""A phone as the sync protocol sees it: an outbox of numbered mutations, and its copy of server rows."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from . import factories

SCHEMA_VERSION = 1


def new_id() -> str:
    return str(uuid.uuid4())


class Phone:
    """Wraps a logged-in ApiClient: numbers mutations 1, 2, 3…, pushes them, pulls into `rows`."""

    def __init__(self, api):
        self.api = api
        self.client_id = api.client_id
        self.user_id = api.login["user"]["id"]
        self.next_id = 1
        self.cursor: str | None = None
        self.rows: dict[tuple[str, Any], dict[str, Any]] = {}
        self.versions: dict[tuple[str, Any], int] = {}
        self.resets = 0

    # ------------------------------------------------------------ push

    def mutation(self, mutation_name: str, /, **args: Any) -> dict[str, Any]:
        """The next mutation of the outbox (numbered, not yet sent)."""
        m = {"id": self.next_id, "name": mutation_name, "args": args, "clientTime": _now()}
        self.next_id += 1
        return m

    def push_raw(self, mutations: list[dict[str, Any]], client=None, **extra: Any):
        body = {"clientID": self.client_id, "schemaVersion": SCHEMA_VERSION, "mutations": mutations, **extra}
        if client is None:
            return self.api.post("/api/v1/sync/push", json=body)
        return client.post("/api/v1/sync/push", json=body, headers={"Authorization": f"Bearer {self.api.token}"})

    def push(self, *mutations: dict[str, Any]) -> dict[str, Any]:
        response = self.push_raw(list(mutations))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def send(self, mutation_name: str, /, **args: Any) -> dict[str, Any]:
        """Push one mutation; its result."""
        return self.push(self.mutation(mutation_name, **args))["results"][0]

    # ------------------------------------------------------------ pull

    def pull_page(self, limit: int = 500) -> dict[str, Any]:
        response = self.api.post("/api/v1/sync/pull", json={"clientID": self.client_id, "schemaVersion": SCHEMA_VERSION,
                                                            "cursor": self.cursor, "limit": limit})
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        if page["reset"]:
            self.rows.clear()
            self.versions.clear()
            self.resets += 1
        for change in page["patch"]:
            key = (change["type"], change["id"])
            if change["op"] == "put":
                self.rows[key] = change["value"]
                self.versions[key] = change["version"]
            else:
                self.rows.pop(key, None)
                self.versions.pop(key, None)
        self.cursor = page["cursor"]
        return page

    def pull(self, limit: int = 500) -> list[dict[str, Any]]:
        """Pull until there is no more; every page."""
        pages = [self.pull_page(limit)]
        while pages[-1]["hasMore"]:
            pages.append(self.pull_page(limit))
        return pages

    def has(self, kind: str, row_id: Any) -> bool:
        return (kind, row_id) in self.rows

    def value(self, kind: str, row_id: Any) -> dict[str, Any]:
        return self.rows[(kind, row_id)]

    def of_type(self, kind: str) -> dict[Any, dict[str, Any]]:
        return {row_id: value for (k, row_id), value in self.rows.items() if k == kind}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def inspection_args(party_id: str, inspector_ids: list[int], template_key: str = "fertilizer",
                    inspection_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """The args of an inspection.create.v1 made in front of the party's shop."""
    return {"id": inspection_id or new_id(), "templateID": factories.template(template_key).id,
            "partyID": party_id, "inspectorIDs": inspector_ids, "place": "店内", "lat": 40.27, "lon": 111.18,
            "gpsAccuracyM": 8.5, "startedAt": "2026-11-30T09:14:03+08:00", **extra}


def complete_answers(template_key: str = "fertilizer") -> list[tuple[str, dict[str, Any]]]:
    """A valid answer for every item of the template: (item key, finding.set args without ids)."""
    answers = []
    for item in factories.template(template_key).items():
        kind = item["kind"]
        if kind == "pass_fail_na":
            answer = {"result": "pass"}
        elif kind == "number":
            answer = {"value": item.get("min") or 1}
        elif kind == "choice":  # 未抽样 where offered: 已抽样 needs a sample record
            answer = {"value": "未抽样" if "未抽样" in item["choices"] else item["choices"][0]}
        elif kind == "date":
            answer = {"value": "2026-10-01"}
        else:
            answer = {"value": "见现场照片"}
        answers.append((item["key"], answer))
    return answers


PARTY_ANSWERS = {"certificatesAnswer": "看清楚了", "recusalAnswer": "不申请回避", "closingAnswer": "以上记录属实"}


def fill_and_sign(phone: Phone, inspection_id: str, template_key: str = "fertilizer") -> list[dict[str, Any]]:
    """Mutations that answer every item, record the party's answers and get the party's signature:
    a record ready to submit."""
    mutations = [phone.mutation("finding.set.v1", id=new_id(), inspectionID=inspection_id, itemKey=key, **answer)
                 for key, answer in complete_answers(template_key)]
    mutations.append(phone.mutation("inspection.update.v1", id=inspection_id, baseVersion=0,
                                    fields=dict(PARTY_ANSWERS)))
    mutations.append(phone.mutation("signature.add.v1", id=new_id(), inspectionID=inspection_id, role="party",
                                    signerName="王建国", imageSha256="a" * 64))
    return mutations
