// Photo and signature bytes to the server: a small tus 1.0 client (creation, creation-with-upload,
// offset via HEAD, sha256 checksum per chunk) that resumes from the server's offset after any
// failure. Display copies and signatures go first; originals follow (optionally only on Wi-Fi).
import { call, authHeaders, fetchWithTimeout, errorFrom, ApiError } from './api.js';
import { sha256Base64, utf8Base64 } from './lib/bytes.js';
import * as store from './store.js';

const ENDPOINT = '/api/v1/uploads';
const TUS = { 'Tus-Resumable': '1.0.0' };
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 2 * 1024 * 1024;
const START_CHUNK = 256 * 1024;
const TARGET_SECONDS = 15;

let adaptiveChunk = START_CHUNK;

export function onWifi() {
  const c = navigator.connection;
  if (!c || !c.type) return null; // unknown (Safari, desktop)
  return c.type === 'wifi' || c.type === 'ethernet';
}

// Upload everything waiting; resolves with the number of blobs completed.
export async function runUploads({ settings, includeHeld = false, onProgress = () => {} }) {
  const open = (await store.listUploads()).filter((u) => u.state !== 'done');
  if (!open.length) return 0;
  const answer = await call('/api/v1/blobs/check', { method: 'POST', body: { sha256: open.map((u) => u.sha256) } });
  const missing = new Set(answer.missing || []);
  const present = new Set(answer.present || []);
  let completed = 0;
  for (const entry of open) {
    if (present.has(entry.sha256)) { await finish(entry, onProgress); completed += 1; }
  }
  const queue = open.filter((u) => missing.has(u.sha256))
    .sort((a, b) => (a.priority - b.priority) || a.createdAt.localeCompare(b.createdAt));
  let refused = null;
  for (const entry of queue) {
    const hold = entry.role === 'original' && !entry.onlyCopy && settings.originalsOnWifi && !includeHeld && onWifi() !== true;
    if (hold) {
      if (entry.state !== 'held') await store.saveUpload({ ...entry, state: 'held' });
      continue;
    }
    try {
      await uploadOne(entry, settings, onProgress);
      completed += 1;
    } catch (err) {
      // Network, server and login trouble stop the round (retried later). A file the server refuses
      // must not hold back every photo queued after it: keep it (and its bytes), go on, report it.
      if (err.kind !== 'client') throw err;
      refused = refused || err;
    }
  }
  if (refused) throw refused;
  return completed;
}

async function finish(entry, onProgress) {
  await store.saveUpload({ ...entry, state: 'done', offset: entry.size, doneAt: new Date().toISOString() });
  onProgress({ sha256: entry.sha256, inspectionID: entry.inspectionID, offset: entry.size, size: entry.size, done: true });
}

async function uploadOne(initial, settings, onProgress) {
  let entry = { ...initial, state: 'uploading', attempts: (initial.attempts || 0) + 1 };
  const blob = await store.getBlob(entry.sha256);
  if (!blob) throw new ApiError('client', 0, 'blob_missing', `bytes of ${entry.sha256} are not on this phone`);
  const bytes = blob.bytes;
  let offset = entry.uploadURL ? await serverOffset(entry.uploadURL) : null;
  if (offset === null) {
    entry.uploadURL = null;
    ({ url: entry.uploadURL, offset } = await create(entry, bytes, chunkSize(settings)));
  }
  entry.offset = offset;
  await store.saveUpload(entry);
  onProgress({ sha256: entry.sha256, inspectionID: entry.inspectionID, offset, size: entry.size });
  let badChecksums = 0;
  while (offset < bytes.byteLength) {
    const size = chunkSize(settings);
    const chunk = bytes.slice(offset, offset + size);
    const started = performance.now();
    const response = await fetchWithTimeout(entry.uploadURL, {
      method: 'PATCH',
      headers: authHeaders({ ...TUS, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset),
        'Upload-Checksum': `sha256 ${await sha256Base64(chunk)}` }),
      body: chunk,
    }, timeoutFor(chunk.byteLength)).catch((err) => { adaptiveChunk = Math.max(MIN_CHUNK, adaptiveChunk / 2); throw err; });
    if (response.status === 204 || response.status === 200) {
      offset = Number(response.headers.get('Upload-Offset'));
      adapt(chunk.byteLength, performance.now() - started);
    } else if (response.status === 409) {
      offset = await serverOffset(entry.uploadURL); // our idea of the offset was stale
      if (offset === null) throw new ApiError('server', 409, 'upload_lost', 'upload session disappeared');
    } else if (response.status === 460 && badChecksums < 3) {
      badChecksums += 1; // the chunk was damaged on the way: send it again
    } else if (response.status === 404 || response.status === 410) {
      ({ url: entry.uploadURL, offset } = await create(entry, bytes, size));
    } else {
      throw errorFrom(response, await response.json().catch(() => null));
    }
    entry.offset = offset;
    await store.saveUpload(entry);
    onProgress({ sha256: entry.sha256, inspectionID: entry.inspectionID, offset, size: entry.size });
  }
  await finish(entry, onProgress);
}

// The server's offset for an upload, or null when the session is gone.
async function serverOffset(url) {
  const response = await fetchWithTimeout(url, { method: 'HEAD', headers: authHeaders(TUS) }, 20000);
  if (response.status === 404 || response.status === 410 || response.status === 403) return null;
  if (!response.ok) throw errorFrom(response, null);
  return Number(response.headers.get('Upload-Offset') || 0);
}

async function create(entry, bytes, size) {
  const headers = authHeaders({ ...TUS, 'Upload-Length': String(bytes.byteLength),
    'Upload-Metadata': `sha256 ${utf8Base64(entry.sha256)},filetype ${utf8Base64(entry.mediaType || 'application/octet-stream')}` });
  let body;
  if (bytes.byteLength <= size) { // small file: creation-with-upload sends it in the same request
    headers['Content-Type'] = 'application/offset+octet-stream';
    headers['Upload-Checksum'] = `sha256 ${await sha256Base64(bytes)}`;
    body = bytes;
  }
  const response = await fetchWithTimeout(ENDPOINT, { method: 'POST', headers, body }, timeoutFor(body ? bytes.byteLength : 0));
  if (response.status !== 201 && response.status !== 200) throw errorFrom(response, await response.json().catch(() => null));
  const url = new URL(response.headers.get('Location'), location.href).href;
  const offset = Number(response.headers.get('Upload-Offset') || 0);
  return { url, offset };
}

function chunkSize(settings) {
  return settings.chunkSize ? Number(settings.chunkSize) : adaptiveChunk;
}

// Aim for chunks that take about 15 s on the measured link.
function adapt(bytes, ms) {
  const rate = bytes / Math.max(ms / 1000, 0.05);
  adaptiveChunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.floor(rate * TARGET_SECONDS / MIN_CHUNK) * MIN_CHUNK));
}

const timeoutFor = (bytes) => Math.max(30000, 3 * (bytes / (20 * 1024)) * 1000);
