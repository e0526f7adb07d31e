"""Getting a case file the way a phone or the console does: asked for, drawn by the job, asked again."""
from __future__ import annotations

from inspector.database import db
from inspector.services import case_file as case_file_service


def download(client, case_id: str):
    """The case-file response after the job has drawn it (a first request only sends the job)."""
    url = f"/api/v1/inspections/{case_id}/case-file.pdf"
    response = client.get(url)
    if response.status_code == 202:  # not drawn yet: the request drew nothing and sent the job
        assert response.get_json()["message"].startswith("正在生成")
        db.session.commit()  # a fresh snapshot: the requests wrote in their own sessions
        case_file_service.prepare_case_file(case_id)  # what the worker does with that job
        response = client.get(url)
    return response
