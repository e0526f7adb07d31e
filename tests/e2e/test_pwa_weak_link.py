"""Photo uploads over a weak link, in Chromium: a file whose requests keep failing does not hold
back the files queued after it, a creation refused before its bytes left is sent again whole, a
link cut in the middle of a chunk costs no byte the server kept and no idle round trip (another
file's bytes go while the cut one's offset is asked), no chunk checksum is sent (the server keeps
what arrived of a cut chunk), and the home screen and the record show the upload moving (bytes,
rate, time left) while it runs."""
from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from tests.link_proxy import LinkProxy

from .pwa_helpers import (
    Api, at_field, go_home, login, make_jpeg, start_inspection, until, wait_synced, watch_errors,
)

IDB_UPLOADS = """() => new Promise((resolve) => { const r = indexedDB.open('inspector');
  r.onsuccess = () => { const q = r.result.transaction('uploads').objectStore('uploads').getAll();
    q.onsuccess = () => { resolve(Object.fromEntries(q.result.map((u) => [u.sha256, u]))); r.result.close(); }; }; })"""


def _stored(api: Api, sha: str) -> bool:
    try:
        return hashlib.sha256(api.blob(sha)).hexdigest() == sha
    except Exception:  # 404 until it arrived
        return False


def _upload_requests(page) -> list:
    """Every request to the upload endpoints, as the page sent it."""
    seen: list = []
    page.on("request", lambda r: seen.append(r) if "/api/v1/uploads" in r.url else None)
    return seen


def _chunk_size(page, size: int) -> None:
    page.click("[data-testid=open-settings]")
    page.click("[data-testid=open-diagnostics]")  # the chunk size is a support setting
    page.select_option("[data-testid=chunk-size]", str(size))
    go_home(page)


def _add_photos(page, paths) -> None:
    for key, path in zip(("G01", "G02", "G03"), paths):
        page.set_input_files(f"[data-testid=photo-{key}]", str(path))
        page.wait_for_selector(f"#item-{key} .thumbs img", timeout=20000)


def test_a_photo_whose_chunks_keep_failing_does_not_hold_back_the_next(live_server, phone, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    _chunk_size(page, 64 * 1024)
    stuck_sha = make_jpeg(tmp_path / "stuck.jpg", size=(1200, 900), noise=True, seed=81)
    next_sha = make_jpeg(tmp_path / "next.jpg", size=(1200, 900), noise=True, seed=82)
    marker = base64.b64encode(stuck_sha.encode()).decode()
    stuck: dict[str, str] = {}
    failing = {"on": True}

    def creation(route):
        if route.request.method == "POST" and marker in (route.request.headers.get("upload-metadata") or ""):
            response = route.fetch()
            stuck["path"] = urlsplit(response.headers["location"]).path
            route.fulfill(response=response)
        else:
            route.continue_()

    def chunk(route):  # every chunk of the stuck photo's original: the connection drops
        if failing["on"] and route.request.method == "PATCH" and urlsplit(route.request.url).path == stuck.get("path"):
            route.abort("connectionreset")
        else:
            route.continue_()
    page.route("**/api/v1/uploads", creation)
    page.route("**/api/v1/uploads/*", chunk)
    requests = _upload_requests(page)
    start_inspection(page)
    _add_photos(page, [tmp_path / "stuck.jpg", tmp_path / "next.jpg"])  # the stuck one is queued first

    api = Api(live_server.url)
    # (page.wait_for_timeout lets Playwright run the route handlers meanwhile; time.sleep would not)
    until(lambda: page.wait_for_timeout(300) or _stored(api, next_sha), timeout=90, interval=0.2)
    assert page.evaluate(IDB_UPLOADS)[stuck_sha]["state"] != "done"
    assert any(r.method == "PATCH" and urlsplit(r.url).path == stuck["path"] for r in requests)

    failing["on"] = False  # the link recovers
    seen = len(requests)
    go_home(page)
    page.click("[data-testid=sync-now]")
    wait_synced(page, timeout=90)
    assert _stored(api, stuck_sha)
    resumed = [int(r.headers["upload-offset"]) for r in requests[seen:]
               if r.method == "PATCH" and urlsplit(r.url).path == stuck["path"]]
    assert resumed and resumed[0] == 64 * 1024  # from what the creation request delivered
    assert [r for r in requests if "upload-checksum" in r.headers] == []  # no per-chunk checksum
    assert errors == []


def test_a_creation_refused_before_its_bytes_left_is_sent_again_whole(live_server, phone, tmp_path):
    """The connection is reset before the creation request's body left the phone (as a link that is
    down refuses it): no byte reached the server, so the next creation carries the same first part
    rather than an empty body and a round trip more."""
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    sha = make_jpeg(tmp_path / "photo.jpg", size=(1200, 900), noise=True, seed=83)
    marker = base64.b64encode(sha.encode()).decode()
    cut = {"left": 1}

    def creation(route):
        if route.request.method == "POST" and marker in (route.request.headers.get("upload-metadata") or "") and cut["left"]:
            cut["left"] -= 1
            route.abort("connectionreset")
        else:
            route.continue_()
    page.route("**/api/v1/uploads", creation)
    requests = _upload_requests(page)
    start_inspection(page)
    _add_photos(page, [tmp_path / "photo.jpg"])
    go_home(page)
    wait_synced(page, timeout=90)

    creations = [len(r.post_data_buffer or b"") for r in requests
                 if r.method == "POST" and marker in (r.headers.get("upload-metadata") or "")]
    assert len(creations) == 2 and creations[0] > 0 and creations[1] == creations[0]
    assert _stored(Api(live_server.url), sha)
    assert errors == []


def test_a_link_cut_in_the_middle_of_a_chunk_costs_no_kept_byte_and_no_idle_round_trip(live_server, phone, tmp_path):
    """Two photos go over a slow link (tests/link_proxy.py) that drops while a chunk is on its way.
    Once the link is back, another file's bytes go at once, and the cut file's offset is asked while
    they flow; every photo arrives, and no byte the server kept is sent again."""
    with LinkProxy(("127.0.0.1", live_server.port)) as proxy:
        at_field(phone, proxy.url)
        page = phone.new_page()
        errors = watch_errors(page)
        login(page, proxy.url)
        start_inspection(page)
        shas = [make_jpeg(tmp_path / f"cut{n}.jpg", size=(1000, 750), noise=True, seed=84 + n) for n in range(2)]
        proxy.configure(up_bps=200_000, down_bps=400_000, latency_s=0.2)
        _add_photos(page, [tmp_path / "cut0.jpg", tmp_path / "cut1.jpg"])

        def chunk_on_its_way():
            return next((r for r in proxy.snapshot()["requests"] if r.method == "PATCH"
                         and 16 * 1024 < r.body_bytes < r.content_length), None)
        cut_chunk = until(chunk_on_its_way, timeout=90, interval=0.05)
        proxy.cut(2)
        go_home(page)
        wait_synced(page, timeout=120)
        snap = proxy.snapshot()

    uploads = page.evaluate(IDB_UPLOADS).values()
    assert uploads and all(u["state"] == "done" for u in uploads)
    api = Api(live_server.url)
    assert all(_stored(api, sha) for sha in shas)
    sent = [r for r in snap["requests"] if r.path.startswith("/api/v1/uploads")]
    assert sum(r.body_bytes for r in sent) == sum(u["size"] for u in uploads)  # nothing kept was sent again

    cut_end = snap["cut_times"][0][1]
    after = [r for r in sent if r.started >= cut_end]
    asked = next(r for r in after if r.method == "HEAD" and r.path == cut_chunk.path)
    resumed = next(r for r in after if r.method == "PATCH" and r.path == cut_chunk.path)
    others = [r for r in after if r.path != cut_chunk.path and r.content_length]
    assert others and others[0].started < resumed.started  # another file's bytes went first
    assert others[0].body_last > asked.started  # the cut file's offset was asked while they flowed
    assert errors == []


def test_home_and_record_show_the_upload_moving(live_server, phone, tmp_path, screenshots):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    _chunk_size(page, 64 * 1024)
    cdp = phone.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 40, "downloadThroughput": -1,
                                                  "uploadThroughput": 200 * 1024})
    record_id = start_inspection(page)
    paths = []
    for n in range(2):
        make_jpeg(tmp_path / f"p{n}.jpg", size=(1400, 1000), noise=True, seed=90 + n)
        paths.append(tmp_path / f"p{n}.jpg")
    _add_photos(page, paths)

    record_lines = set()
    for _ in range(60):  # the record's own line, on the record screen
        text = page.inner_text("[data-testid=record-upload]")
        if text:
            record_lines.add(text)
        if len(record_lines) >= 2:
            break
        page.wait_for_timeout(500)
    assert len(record_lines) >= 2 and all(line.startswith("照片上传") for line in record_lines)

    go_home(page)
    panel, rows = [], set()
    while True:  # what the home screen says, every half second, until the upload is over
        live = page.locator("[data-testid=upload-live]")
        if not live.count():
            if panel:
                break
            page.wait_for_timeout(200)
            continue
        panel.append(live.inner_text())
        if len(panel) == 3:
            page.screenshot(path=str(screenshots / "pwa-home-upload-progress.png"))
        row = page.locator(f"[data-record-upload='{record_id}'] [data-testid=record-upload]")
        if row.count():
            rows.add(row.inner_text())
        page.wait_for_timeout(500)
    assert len(set(panel)) >= 4, panel  # it moves, it is not frozen
    assert all(line.startswith("正在上传") for line in panel)
    assert any("/秒" in line and "约剩" in line for line in panel), panel
    assert len(rows) >= 2, rows
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    wait_synced(page, timeout=90)

    english = page.evaluate("""async () => { const i18n = await import('/app/js/i18n.js');
        const home = await import('/app/js/views/home.js'); i18n.setLanguage('en');
        const text = home.liveUploadText({ active: true, sent: 1048576, total: 3145728, rate: 12800, secondsLeft: 200 });
        i18n.setLanguage('zh'); return text; }""")
    assert english == "Uploading 1.0 MB of 3.0 MB · 13 KB/s · about 3 min 20 s left"
    assert errors == []
