// Photo and signature bytes to the server: a small tus 1.0 client (creation, creation-with-upload,
// offset via HEAD) that resumes from the server's offset after any failure. Display copies and
// signatures go first; originals follow (optionally only on Wi-Fi).
//
// Made for weak links (2G/3G, links that drop for seconds):
// - No per-chunk checksum. The server keeps whatever part of an interrupted chunk arrived (a
//   checksummed chunk could not be verified and would be dropped whole, so every cut would cost the
//   chunk again); the whole file's SHA-256, checked by the server before it stores anything, guards
//   integrity. A 460 (from a server that was sent a checksum by someone else) is still handled.
// - A file's offset as its last answered request told it is kept (`confirmed`): its next attempt
//   starts with bytes. Only a file whose request was cut after its body began to leave needs a HEAD,
//   and that HEAD goes while another file's bytes flow (see `learnOffsets`), not on an idle link.
// - The creation request carries only a first part of the file, sized from the measured rate, and
//   none after a failed creation (see `create`): the rest goes in PATCHes, whose every byte that
//   arrives counts.
// - Requests with a body are timed by progress, not by size (see `send`): slow but moving is fine.
// - One failing file never blocks the others (see `runUploads`).
import { call, authHeaders, fetchWithTimeout, errorFrom, trackInFlight, ApiError } from './api.js';
import { utf8Base64 } from './lib/bytes.js';
import * as store from './store.js';

const ENDPOINT = '/api/v1/uploads';
const TUS = { 'Tus-Resumable': '1.0.0' };
const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 8 * 1024 * 1024;
const START_CHUNK = 256 * 1024;
// A PATCH takes about this long on the measured link. Long: each PATCH leaves the link idle for a
// round trip at its end, and a cut costs nothing more with a long one (what arrived is kept).
const TARGET_SECONDS = 60;
const CREATE_SECONDS = 4; // the creation request's body: about this long
const START_CREATE = 64 * 1024; // ... before any rate was measured
const STALL_MS = 12000; // no byte of the body went out for this long: the link is stuck
const ANSWER_MS = 60000; // after the last byte left: the link's buffers drain, the server stores
// Between attempts after failures without progress: short while the failures last less than a
// cut does, so a link back is found within a fifth of a second (an attempt during a cut is one
// refused connection, which sends nothing); then a second, until the round ends.
const PAUSE_MS = 200;
const SLOW_PAUSE_MS = 1000;
const SLOW_AFTER_MS = 8000;
const LINK_DOWN_MS = 20000; // failures without progress for this long (and LINK_DOWN_AFTER of them): stop the round
const LINK_DOWN_AFTER = 5;

let adaptiveChunk = START_CHUNK;
let measuredRate = 0; // bytes per second, of the last completed body-bearing requests
// The shortest round trip seen (a HEAD, the blob check). A request that failed sooner than half of
// it after it began was refused (a cut link): none of its bytes can have reached the server.
let roundTrip = 0;
const timeRoundTrip = (since) => {
  const ms = performance.now() - since;
  roundTrip = roundTrip ? Math.min(roundTrip, ms) : ms;
};

// sha256 -> { url, offset }: the file's offset on the server as its last answered request (creation,
// PATCH, HEAD) told it; offset null once a request whose bytes may have reached the server failed.
// Every change is a new object, so an answer to an older question is known as such (`learnOffsets`).
const confirmed = new Map();
const remember = (sha256, url, offset) => confirmed.set(sha256, { url, offset });

function knownOffset(entry) {
  const c = confirmed.get(entry.sha256);
  return c && c.url === entry.uploadURL ? c.offset : null;
}

// Whether the file's next request carries its bytes: its offset is known, or it is created with a
// first part (see `create`).
const sendsAtOnce = (entry) => (entry.uploadURL ? knownOffset(entry) !== null : !entry.createFailures);

// HEADs, each a few hundred bytes up, for the queued files whose offset a cut left unknown: they go
// while the file in hand sends its bytes, so those files' turns start with bytes, not with a round
// trip on an idle link. What they find the server kept counts as progress of the round (see
// `runUploads`). They are asked at each attempt and every ASK_EVERY_MS while one runs (a chunk may
// take a minute), except those with a HEAD on the way that went after the round's latest failed
// request: one sent before it may wait on a connection that the failure broke, up to its timeout.
// On a link that stalls rather than refuses, such HEADs wait out their timeout side by side: at
// most MAX_HEADS at once, so that they never take the connections (six per server in Chromium)
// that the bytes and the sync need.
const asking = new Map(); // sha256 -> the value of `failures` when its HEAD went
let failures = 0; // failed requests of the rounds so far
let headsOnTheWay = 0;
const ASK_EVERY_MS = 2000;
const MAX_HEADS = 3;
function learnOffsets(queue) {
  for (const { entry } of queue) {
    if (headsOnTheWay >= MAX_HEADS) return;
    if (!entry.uploadURL || knownOffset(entry) !== null || asking.get(entry.sha256) === failures) continue;
    const { sha256, uploadURL } = entry;
    const before = confirmed.get(sha256);
    const mark = failures;
    asking.set(sha256, mark);
    headsOnTheWay += 1;
    serverOffset(uploadURL)
      .then((offset) => {
        if (offset === null || confirmed.get(sha256) !== before) return;
        remember(sha256, uploadURL, offset);
        const f = live.files.get(sha256);
        if (f && offset > f.acked) moved(sha256, { acked: offset });
      })
      .catch(() => {})
      .finally(() => {
        headsOnTheWay -= 1;
        if (asking.get(sha256) === mark) asking.delete(sha256);
      });
  }
}

export function onWifi() {
  const c = navigator.connection;
  if (!c || !c.type) return null; // unknown (Safari, desktop)
  return c.type === 'wifi' || c.type === 'ethernet';
}

// ------------------------------------------------------------------ live progress
// What the home screen and the record screen show while uploading: bytes sent of the round's
// total, the link's current rate and the time left. `pos` of a file counts the bytes of a request
// still on the way; when the request fails, it falls back to what the server kept.
const live = { active: false, files: new Map(), wire: 0, samples: [], failing: false };
// Long enough to average out the buffers between the page and the radio: a request's body leaves
// the page at once and then nothing is reported until its answer.
const RATE_WINDOW_MS = 20000;

function track(entry) {
  live.files.set(entry.sha256, { inspectionID: entry.inspectionID, size: entry.size, acked: entry.offset || 0, pos: entry.offset || 0 });
}

function moved(sha256, { acked, pos }) {
  const f = live.files.get(sha256);
  if (!f) return;
  if (acked !== undefined) { f.acked = acked; f.pos = Math.max(acked, pos === undefined ? acked : pos); }
  else if (pos !== undefined) f.pos = pos;
}

function wireBytes(n) {
  live.wire += n;
  sample();
}

function confirmedBytes() {
  let n = 0;
  for (const f of live.files.values()) n += f.acked;
  return n;
}

function sample() {
  const now = performance.now();
  live.samples.push([now, live.wire]);
  while (live.samples.length > 2 && live.samples[1][0] < now - RATE_WINDOW_MS) live.samples.shift();
}

// { active, sent, total, unacked, rate (bytes/s or null), secondsLeft (or null), byInspection: { id: { sent, total, unacked } } }
export function uploadStatus() {
  if (live.active) sample();
  let sent = 0; let total = 0; let unacked = 0;
  const byInspection = {};
  for (const f of live.files.values()) {
    sent += f.pos; total += f.size; unacked += f.pos - f.acked;
    const r = byInspection[f.inspectionID] || (byInspection[f.inspectionID] = { sent: 0, total: 0, unacked: 0 });
    r.sent += f.pos; r.total += f.size; r.unacked += f.pos - f.acked;
  }
  const [first, last] = [live.samples[0], live.samples[live.samples.length - 1]];
  const span = first && last ? (last[0] - first[0]) / 1000 : 0;
  const rate = span >= 1 ? (last[1] - first[1]) / span : null;
  const secondsLeft = rate ? Math.ceil((total - sent) / rate) : null;
  return { active: live.active, sent, total, unacked, rate, secondsLeft, byInspection, failing: live.failing };
}

// ------------------------------------------------------------------ the round
// Upload everything waiting; resolves with the number of blobs completed.
//
// Order: priority (display copies and signatures 0, originals 1), then age. One failing file
// never blocks the others:
// - A file whose attempt fails (network, timeout, 5xx) without a byte of progress goes behind the
//   other files of its priority and the next one is tried. If that one fails too, the link itself
//   is suspect: the round pauses (0.2 s, 1 s once such failures have lasted 8 s) and goes on with
//   the file in front; a byte the server kept, on any file, ends the pauses.
// - A file that failed again while others got through since its last failure goes behind every
//   file (an original may then overtake a display copy that cannot get through). A request cut
//   after its body began to leave is no such strike: a cut link is the likely cause. Files are not
//   dropped from the round: one that keeps failing, once alone, ends the round as link-down does.
// - A file whose offset is unknown (its request was cut) lets a file of its priority that sends at
//   once go first, while its offset is asked (see `learnOffsets`).
// - Failures without progress for 20 s (five at least) mean the link is down (a 5 s cut is ridden
//   out): the round ends and the sync engine retries on its backoff, on `online`, or on "sync now".
// - A file the server refuses (4xx) is kept and reported once the others were tried.
// Whether the round progressed is judged by the server's offsets (PATCH answers, HEADs, on any
// file), never by bytes handed to the socket: a chunk cut before its answer counts once a HEAD
// finds its bytes kept.
//
// `yieldTo()`: true when other sync work waits (a local edit to push): the round ends after the
// request in hand, without error, and the sync engine's next cycle pushes first, then resumes here.
export async function runUploads({ settings, includeHeld = false, onProgress = () => {}, yieldTo = () => false }) {
  const open = (await store.listUploads()).filter((u) => u.state !== 'done');
  if (!open.length) return 0;
  const asked = performance.now();
  const answer = await call('/api/v1/blobs/check', { method: 'POST', body: { sha256: open.map((u) => u.sha256) } });
  timeRoundTrip(asked);
  const missing = new Set(answer.missing || []);
  const present = new Set(answer.present || []);
  let completed = 0;
  for (const entry of open) {
    if (present.has(entry.sha256)) { await finish(entry, onProgress); completed += 1; }
  }
  const queue = [];
  for (const entry of open.filter((u) => missing.has(u.sha256))
    .sort((a, b) => (a.priority - b.priority) || a.createdAt.localeCompare(b.createdAt))) {
    const hold = entry.role === 'original' && !entry.onlyCopy && settings.originalsOnWifi && !includeHeld && onWifi() !== true;
    if (hold) {
      if (entry.state !== 'held') await store.saveUpload({ ...entry, state: 'held' });
      continue;
    }
    queue.push({ entry, strikes: 0, failedAt: null });
  }
  live.files.clear();
  for (const { entry } of queue) track(entry);
  live.active = queue.length > 0;
  live.failing = false;
  live.samples = [];
  sample();
  let refused = null; // a 4xx: reported at the end
  let dead = 0; // consecutive failed attempts without a byte of progress
  // When the first of them failed (not began: half a minute of a chunk's bytes before a cut is no dead link).
  let deadSince = 0;
  let epoch = 0; // grows with every attempt that progressed
  let kept = confirmedBytes(); // the server's offsets as last seen: more means the link carried bytes
  const asker = setInterval(() => learnOffsets(queue), ASK_EVERY_MS);
  try {
    while (queue.length && !yieldTo()) {
      const first = queue[0].entry;
      const ready = sendsAtOnce(first) ? 0
        : queue.findIndex((q) => q.entry.priority === first.priority && sendsAtOnce(q.entry));
      const [item] = queue.splice(Math.max(ready, 0), 1);
      const file = live.files.get(item.entry.sha256);
      const before = file.acked;
      learnOffsets(queue);
      try {
        if (await uploadOne(item.entry, settings, onProgress, yieldTo) === YIELDED) break;
        completed += 1;
        dead = 0;
        epoch += 1;
        kept = confirmedBytes();
        continue;
      } catch (err) {
        failures += 1;
        const sentSome = file.pos > file.acked; // bytes left the phone: the server may have kept some
        moved(item.entry.sha256, { acked: file.acked }); // bytes on the way count no more
        if (err.kind === 'client') { refused = refused || err; continue; } // kept (and its bytes)
        if (err.kind !== 'network' && err.kind !== 'server') throw err; // login trouble: stop
        const stored = await store.getUpload(item.entry.sha256);
        if (!stored) continue; // its record was deleted meanwhile
        item.entry = stored;
        const suspectLink = dead > 0;
        live.failing = true; // until an attempt gets through
        if (confirmedBytes() > kept) { kept = confirmedBytes(); dead = 0; epoch += 1; } else {
          // A body still leaving when its connection broke (a cut, not a stall) may have delivered
          // bytes no answer confirmed yet: the 20 s start again from it.
          if (!dead || (err.sent && err.code === 'network')) deadSince = performance.now();
          dead += 1;
        }
        if (file.acked > before) item.failedAt = null; else {
          // Others got through since its last failure, it did not (a request cut after sending bytes
          // is no strike: a cut link, not the file, is the likely cause).
          if (!sentSome && item.failedAt !== null && item.failedAt !== epoch) item.strikes += 1;
          item.failedAt = epoch;
        }
        if ((dead >= LINK_DOWN_AFTER && performance.now() - deadSince >= LINK_DOWN_MS) || !navigator.onLine) throw err;
        let at = 0; // the link is suspect: the same file again after the pause
        if (item.strikes) at = queue.length;
        else if (!suspectLink) at = queue.findIndex((q) => q.entry.priority > item.entry.priority);
        queue.splice(at < 0 ? queue.length : at, 0, item);
        if (dead) await sleep(performance.now() - deadSince < SLOW_AFTER_MS ? PAUSE_MS : SLOW_PAUSE_MS);
      }
    }
  } finally {
    clearInterval(asker);
    live.active = false;
  }
  if (refused) throw refused;
  return completed;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function finish(entry, onProgress) {
  await store.saveUpload({ ...entry, state: 'done', offset: entry.size, doneAt: new Date().toISOString() });
  moved(entry.sha256, { acked: entry.size });
  onProgress({ sha256: entry.sha256, inspectionID: entry.inspectionID, offset: entry.size, size: entry.size, done: true });
}

// One file, from wherever the server is, to the end. Throws on the first failed request: the
// round decides what comes next (this file again, or another).
const YIELDED = 'yielded';

async function uploadOne(initial, settings, onProgress, yieldTo = () => false) {
  let entry = { ...initial, state: 'uploading', attempts: (initial.attempts || 0) + 1 };
  const blob = await store.getBlob(entry.sha256);
  if (!blob) throw new ApiError('client', 0, 'blob_missing', `bytes of ${entry.sha256} are not on this phone`);
  const bytes = blob.bytes;
  let lastReport = 0;
  const report = (offset, pos) => { // pos: bytes of a request on the way (reported 4 times a second at most)
    moved(entry.sha256, pos === undefined ? { acked: offset } : { pos });
    if (pos !== undefined && performance.now() - lastReport < 250) return;
    lastReport = performance.now();
    onProgress({ sha256: entry.sha256, inspectionID: entry.inspectionID, offset: pos === undefined ? offset : pos, size: entry.size,
      acked: pos === undefined }); // acked: the server's offset, not bytes still on the way
  };
  const save = async (offset) => {
    entry.offset = offset; live.failing = false;
    remember(entry.sha256, entry.uploadURL, offset);
    await store.saveUpload(entry);
    report(offset);
  };
  let offset = entry.uploadURL ? knownOffset(entry) ?? await serverOffset(entry.uploadURL) : null;
  if (offset === null) {
    entry.uploadURL = null;
    await store.saveUpload(entry);
    ({ url: entry.uploadURL, offset } = await create(entry, bytes, settings, (loaded) => report(0, loaded)));
  }
  await save(offset);
  let badChecksums = 0;
  while (offset < bytes.byteLength) {
    if (yieldTo()) return YIELDED;
    const chunk = bytes.slice(offset, offset + chunkSize(settings));
    const at = offset;
    let response;
    try {
      response = await send('PATCH', entry.uploadURL, authHeaders({ ...TUS,
        'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) }), chunk,
      (loaded) => report(at, at + loaded));
    } catch (err) {
      // Bytes began to leave: the server kept an unknown part of them. (A connection refused during
      // a cut sent none: the offset stands.)
      if (err.sent) remember(entry.sha256, entry.uploadURL, null);
      throw err;
    }
    if (response.status === 204 || response.status === 200) {
      offset = Number(response.header('Upload-Offset'));
    } else if (response.status === 409) {
      offset = await serverOffset(entry.uploadURL); // our idea of the offset was stale
      if (offset === null) throw new ApiError('server', 409, 'upload_lost', 'upload session disappeared');
    } else if (response.status === 460 && badChecksums < 3) {
      badChecksums += 1; // the chunk was damaged on the way: send it again
    } else if (response.status === 404 || response.status === 410) {
      entry.uploadURL = null;
      await store.saveUpload(entry);
      ({ url: entry.uploadURL, offset } = await create(entry, bytes, settings, (loaded) => report(0, loaded)));
    } else if (response.status === 423) {
      throw locked(); // the server still holds the cut request's lease: again shortly
    } else {
      throw errorFrom(response, response.json());
    }
    await save(offset);
  }
  await finish(entry, onProgress);
}

// 423: a request cut a moment ago still writes this upload on the server (it has not noticed the
// cut yet). Not the file's fault: retried like a network failure, never reported as refused.
const locked = () => new ApiError('server', 423, 'upload_locked', 'another request is still writing this upload');

// The server's offset for an upload, or null when the session is gone.
async function serverOffset(url) {
  const asked = performance.now();
  const response = await fetchWithTimeout(url, { method: 'HEAD', headers: authHeaders(TUS) }, 20000);
  timeRoundTrip(asked);
  if (response.status === 404 || response.status === 410 || response.status === 403) return null;
  if (!response.ok) throw errorFrom(response, null);
  return Number(response.headers.get('Upload-Offset') || 0);
}

// tus creation; with a first part of the file as its body (creation-with-upload). The part is what
// the measured rate sends in CREATE_SECONDS (the whole file when it fits), never more than a PATCH
// chunk. After a failed creation the next one has no body: the server kept what arrived of the cut
// request in an upload session of this file and answers the new creation with that session and its
// offset, discarding any body sent with it; the rest then goes in PATCHes, whose every byte that
// arrives counts.
async function create(entry, bytes, settings, onSent) {
  const headers = authHeaders({ ...TUS, 'Upload-Length': String(bytes.byteLength),
    'Upload-Metadata': `sha256 ${utf8Base64(entry.sha256)},filetype ${utf8Base64(entry.mediaType || 'application/octet-stream')}` });
  const size = createSize(settings, entry.createFailures || 0);
  let body = null;
  if (size > 0 && bytes.byteLength > 0) {
    headers['Content-Type'] = 'application/offset+octet-stream';
    body = bytes.byteLength <= size ? bytes : bytes.slice(0, size);
  }
  let response;
  try {
    response = await send('POST', ENDPOINT, headers, body, onSent);
  } catch (err) {
    if (!err.sent) throw err; // nothing left the phone (a refused connection): no session to find
    entry.createFailures = (entry.createFailures || 0) + 1;
    await store.saveUpload(entry);
    throw err;
  }
  if (response.status === 423) throw locked();
  if (response.status !== 201 && response.status !== 200) throw errorFrom(response, response.json());
  entry.createFailures = 0;
  const url = new URL(response.header('Location'), location.href).href;
  const offset = Number(response.header('Upload-Offset') || 0);
  return { url, offset };
}

export function createSize(settings, failures = 0) {
  if (failures > 0) return 0;
  const measured = measuredRate ? Math.floor(measuredRate * CREATE_SECONDS) : START_CREATE;
  return Math.min(chunkSize(settings), Math.max(MIN_CHUNK, measured));
}

function chunkSize(settings) {
  return settings.chunkSize ? Number(settings.chunkSize) : adaptiveChunk;
}

// Aim for chunks that take about TARGET_SECONDS on the measured link.
function adapt(bytes, ms) {
  const rate = bytes / Math.max(ms / 1000, 0.05);
  measuredRate = measuredRate ? 0.5 * measuredRate + 0.5 * rate : rate;
  adaptiveChunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.floor(measuredRate * TARGET_SECONDS / MIN_CHUNK) * MIN_CHUNK));
}

// ------------------------------------------------------------------ one request
// A request with a body, by XMLHttpRequest rather than fetch: fetch reports nothing while a body
// goes out, so its only timeout is one on the total time, which a slow link exceeds with a large
// chunk (the request aborted, its bytes sent again) and a stuck one waits out in full. Here the
// upload's progress events re-arm a stall timer: a body that keeps moving is never aborted, one
// that sent nothing for STALL_MS is. Once the last byte left, the answer may take up to ANSWER_MS
// (the link's buffers drain, the server verifies and stores a finished file). The same headers as
// api.js (authHeaders), and the same abort when the phone goes offline (trackInFlight).
// Resolves with { status, header(name), json() }; rejects with ApiError('network', ...) whose `sent`
// says whether any of the body may have reached the server: the upload progress reported bytes
// leaving, and the request lasted long enough for them to arrive (see `roundTrip`; Chromium reports
// a body written into a connection that the link refuses at once as sent).
export function send(method, url, headers, body, onSent = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const controller = new AbortController();
    const untrack = trackInFlight(controller);
    let timer = null;
    let why = 'network';
    let reported = 0;
    const started = performance.now();
    const arm = (ms) => { clearTimeout(timer); timer = setTimeout(() => { why = 'timeout'; xhr.abort(); }, ms); };
    const done = () => { clearTimeout(timer); untrack(); };
    const length = body ? body.byteLength : 0;
    const progress = (loaded) => {
      if (loaded > reported) { wireBytes(loaded - reported); reported = loaded; onSent(loaded); }
    };
    controller.signal.addEventListener('abort', () => { why = 'network'; xhr.abort(); });
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => { progress(e.loaded); arm(e.loaded >= length ? ANSWER_MS : STALL_MS); };
    xhr.upload.onload = () => { progress(length); arm(ANSWER_MS); };
    xhr.onload = () => {
      done();
      progress(length);
      if (length && xhr.status >= 200 && xhr.status < 300) adapt(length, performance.now() - started);
      const text = xhr.responseText;
      resolve({ status: xhr.status, header: (name) => xhr.getResponseHeader(name),
        headers: { get: (name) => xhr.getResponseHeader(name) },
        json: () => { try { return text ? JSON.parse(text) : null; } catch (_) { return null; } } });
    };
    const fail = () => {
      done(); // (PATCH sizes stay: the server kept what arrived; a failed creation is followed by an empty one)
      const sent = reported > 0 && performance.now() - started >= roundTrip / 2;
      reject(Object.assign(new ApiError('network', 0, why, `${method} ${url}: ${why}`), { sent }));
    };
    xhr.onerror = fail;
    xhr.onabort = fail;
    xhr.ontimeout = fail;
    arm(length ? STALL_MS : ANSWER_MS);
    xhr.send(body);
  });
}
