"""JSON answers gzip-compressed for phones on 2G (pulls above all).

A JSON body of at least 1 KB is compressed when the client accepts gzip; every JSON answer says
`Vary: Accept-Encoding`. Only whole JSON bodies are touched: streamed downloads (PDF, ZIP, XLSX),
file passthroughs, PATCH answers (tus) and anything already encoded go out as they are.
"""
from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_BYTES = 1024
LEVEL = 6  # per request: most of level 9's gain at a fraction of its time


def _is_json(response: Response) -> bool:
    mimetype = response.mimetype or ""
    return mimetype == "application/json" or mimetype.endswith("+json")


def compress_json(response: Response) -> Response:
    if not _is_json(response) or response.is_streamed or response.direct_passthrough:
        return response
    if request.method in ("HEAD", "PATCH") or response.status_code in (204, 206, 304) or "Content-Encoding" in response.headers:
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, LEVEL))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag + "-gz", weak)
    return response


def init_app(app: Flask) -> None:
    app.after_request(compress_json)
