"""A light first load: each shell file crosses the network once (the service worker's precache
takes the hashed files from the HTTP cache), and the app boots offline through its import map."""
from __future__ import annotations

import re
from collections import Counter

from .pwa_helpers import login, open_app, wait_controlled, watch_errors

HASHED = re.compile(r"\.[0-9a-f]{10}\.[a-z]+$")


def test_a_first_load_fetches_each_file_once_and_the_app_boots_offline_through_its_import_map(live_server, phone):
    before = live_server.log.stat().st_size if live_server.log.exists() else 0
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)  # installed: the precache is complete
    precache = page.evaluate("""async () => { const names = await caches.keys();
        const cache = await caches.open(names.find((n) => n.startsWith('shell-')));
        return (await cache.keys()).map((r) => new URL(r.url).pathname); }""")
    log = live_server.log.read_bytes()[before:].decode(errors="replace")
    downloads = Counter(re.findall(r'"GET (/app/\S*) HTTP/[\d.]+" 200', log))
    hashed = [url for url in precache if HASHED.search(url)]
    assert len(hashed) > 40
    assert {url: downloads[url] for url in hashed} == {url: 1 for url in hashed}, log[-3000:]
    # index.html came once; the precache only revalidated it (304, no body).
    assert downloads["/app/"] == 1
    page.close()

    live_server.stop()  # no network from here on
    page = phone.new_page()
    errors += watch_errors(page)
    open_app(page, live_server.url)
    page.wait_for_selector("[data-testid=sync-panel]")
    names, failed = page.evaluate("""async () => {
        const map = JSON.parse(document.querySelector('script[type=importmap]').textContent).imports;
        const failed = [];
        for (const name of Object.keys(map)) { try { await import(name); } catch (e) { failed.push(`${name}: ${e}`); } }
        return [Object.keys(map), failed]; }""")
    assert "/app/js/sync.js" in names and "/app/js/views/home.js" in names and failed == []
    # A file still named plainly (not through the import map) is answered from the cache as well.
    assert page.evaluate("fetch('/app/icons/icon-192.png').then((r) => r.ok)")
    assert errors == []
    live_server.start()
