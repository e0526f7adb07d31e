// The app's storage operations, in the domain's words, on top of db.js. Controllers and the
// sync engine use these; views never do.
import { run, get, getAll, put, getMeta, setMeta } from './db.js';
import { nowISO } from './lib/ids.js';
import { adoptServerState } from './record.js';

// ------------------------------------------------------------------ session and settings
export const getSession = () => getMeta('session');
export const saveSession = (session) => setMeta('session', session);
export const getSettings = async () => ({ lang: 'zh', originalsOnWifi: false, chunkSize: 0, ...(await getMeta('settings', {})) });
export async function saveSettings(patch) { const s = await getSettings(); await setMeta('settings', { ...s, ...patch }); return { ...s, ...patch }; }
export const getSyncState = async () => ({ cursor: null, lastSuccessAt: null, lastError: null, ...(await getMeta('sync', {})) });
export async function saveSyncState(patch) { const s = await getSyncState(); await setMeta('sync', { ...s, ...patch }); }
export const getCalendar = () => getMeta('calendar'); // the pull's calendar block, for deadlines.js
export const getOutboxState = async () => ({ nextMutationID: 1, sentThrough: 0, lastMutationID: 0, ...(await getMeta('outbox', {})) });

// ------------------------------------------------------------------ drafts and the outbox
export const getDraft = (id) => get('drafts', id);
export const listDrafts = () => getAll('drafts');

// Save a draft and queue its mutations (plus any new blobs and uploads) in one transaction,
// so a record never exists without its mutations or its photo bytes, nor the other way round.
// `keep` names server-owned fields this edit deliberately changed (e.g. clearing rejections).
// `dropUploads` lists hashes no record references any more (a removed photo, a replaced signature).
export function commit(draft, mutations = [], { blobs = [], uploads = [], parties = [], keep = [], dropUploads = [] } = {}) {
  if (draft) draft.updatedAt = nowISO();
  return run(['drafts', 'outbox', 'meta', 'blobs', 'uploads', 'server_rows'], 'readwrite', async (s) => {
    if (dropUploads.length) {
      // The same bytes may be evidence in another record (one picture attached twice): keep its upload.
      const used = await hashesOfOtherRecords(s, draft && draft.id);
      for (const sha of dropUploads) {
        const u = await s.uploads.get(sha);
        if (u && u.state !== 'done' && !used.has(sha)) await s.uploads.delete(sha);
      }
    }
    for (const blob of blobs) await s.blobs.put(blob);
    for (const upload of uploads) if (!(await s.uploads.get(upload.sha256))) await s.uploads.put(upload);
    for (const party of parties) await s.server_rows.put({ type: 'party', id: party.id, version: 0, local: true, value: party });
    if (draft) {
      adoptServerState(draft, await s.drafts.get(draft.id), keep);
      await s.drafts.put(draft);
    }
    if (mutations.length) await enqueue(s, mutations);
  });
}

// The photo and signature bytes a record refers to.
const recordHashes = (d) => [...(d.photos || []).flatMap((p) => [p.sha256, p.displaySha256]),
  ...Object.values(d.signatures || {}).map((x) => x.imageSha256)];

async function hashesOfOtherRecords(s, id) {
  return new Set((await s.drafts.getAll()).filter((d) => d.id !== id).flatMap(recordHashes));
}

// A record is gone for good (never created on the server, or its deletion was applied there):
// drop it with the bytes and unfinished uploads no other record needs. Runs inside the caller's
// transaction, which must include drafts, blobs and uploads.
export async function forgetRecord(s, id) {
  const draft = await s.drafts.get(id);
  if (!draft) return;
  const used = await hashesOfOtherRecords(s, id);
  for (const sha of new Set(recordHashes(draft))) {
    if (!sha || used.has(sha)) continue;
    const u = await s.uploads.get(sha);
    if (u && u.state !== 'done') await s.uploads.delete(sha);
    await s.blobs.delete(sha);
  }
  await s.drafts.delete(id);
}

// A draft still being set up exists only on this phone: discarding it sends nothing.
export const discardDraft = (id) => run(['drafts', 'blobs', 'uploads'], 'readwrite', (s) => forgetRecord(s, id));

async function enqueue(s, mutations) {
  const row = await s.meta.get('outbox');
  const state = { nextMutationID: 1, sentThrough: 0, lastMutationID: 0, ...(row ? row.value : {}) };
  // Entries not yet handed to the network may absorb a later edit of the same thing.
  const open = await s.outbox.getAll(IDBKeyRange.lowerBound(state.sentThrough, true));
  for (const m of mutations) {
    const target = m.key ? coalescable(open, m) : null;
    if (target) {
      merge(target, m);
      await s.outbox.put(target);
      continue;
    }
    const entry = { id: state.nextMutationID, name: m.name, args: m.args, key: m.key, inspectionID: m.inspectionID || 'none',
      barrier: !!m.barrier, clientTime: nowISO() };
    state.nextMutationID += 1;
    await s.outbox.put(entry);
    open.push(entry);
  }
  await s.meta.put({ key: 'outbox', value: state });
}

function coalescable(open, m) {
  for (let i = open.length - 1; i >= 0; i -= 1) {
    const e = open[i];
    // Never move an edit across a submit, amend or delete of the same record.
    if (e.barrier && e.inspectionID === m.inspectionID) return null;
    if (e.key === m.key) return e;
  }
  return null;
}

function merge(entry, m) {
  entry.clientTime = nowISO();
  if (entry.name === m.name && m.args.fields && entry.args.fields) {
    Object.assign(entry.args.fields, m.args.fields);
  } else if (entry.name === 'sample.add.v1' && m.name === 'sample.update.v1') {
    Object.assign(entry.args, m.args.fields);
  } else if (entry.name === 'photo.add.v1' && m.name === 'photo.update.v1') {
    entry.args.caption = m.args.caption;
    entry.args.itemKey = m.args.itemKey;
  } else {
    entry.name = m.name;
    entry.args = m.args;
  }
}

export const pendingMutations = () => getAll('outbox');

// ------------------------------------------------------------------ reference rows from the server
export async function rowsOfType(type) {
  return run('server_rows', 'readonly', (s) => s.server_rows.getAllFromIndex('byType', type));
}

export async function serverRow(type, id) { const r = await get('server_rows', [type, id]); return r ? r.value : null; }

export async function putServerRows(type, values) {
  await run('server_rows', 'readwrite', async (s) => {
    for (const value of values) {
      const old = await s.server_rows.get([type, String(value.id)]);
      if (!old || !old.version || old.version <= (value.version || 0)) {
        await s.server_rows.put({ type, id: String(value.id), version: value.version || (old && old.version) || 0, value });
      }
    }
  });
}

export async function templates() { return (await rowsOfType('template')).map((r) => r.value); }
export async function template(id) { return serverRow('template', String(id)); }
export async function colleagues() { return (await rowsOfType('colleague')).map((r) => r.value); }

export async function searchParties(query, limit = 30) {
  const q = (query || '').trim().toUpperCase();
  const all = (await rowsOfType('party')).map((r) => r.value).filter((p) => !p.deletedAt);
  const hits = q ? all.filter((p) => (p.name || '').toUpperCase().includes(q) || (p.creditCode || '').startsWith(q)) : all;
  return hits.sort((a, b) => a.name.localeCompare(b.name, 'zh')).slice(0, limit);
}

// ------------------------------------------------------------------ blobs and uploads
export const getBlob = (sha256) => get('blobs', sha256);
export const listUploads = () => getAll('uploads');
export const saveUpload = (entry) => put('uploads', entry);
export const getUpload = (sha256) => get('uploads', sha256);

// Bytes of photos (originals and display copies) kept on this phone, summed from index keys.
export async function photoBytes() {
  const keys = await run('blobs', 'readonly', (s) => s.blobs.indexKeys('byRoleSize'));
  return keys.reduce((n, [role, size]) => (role === 'signature' ? n : n + size), 0);
}

// Free the phone of originals the server confirmed it holds for their record: the original's
// upload is done and a pull (stored before this runs) marked the photo `uploaded`. Display copies
// and signatures stay: the record is shown offline from them. Bytes stay while anything still
// needs them: an upload not done, a queued mutation naming the hash, a photo of any record that
// is not confirmed yet (one picture may be evidence twice), any display copy or signature with that
// hash. One transaction: a crash deletes all of it or nothing. Resolves with the count deleted.
export function pruneConfirmedOriginals() {
  return run(['drafts', 'outbox', 'uploads', 'blobs'], 'readwrite', async (s) => {
    const [drafts, outbox, uploads] = [await s.drafts.getAll(), await s.outbox.getAll(), await s.uploads.getAll()];
    const done = new Set(uploads.filter((u) => u.state === 'done').map((u) => u.sha256));
    const needed = new Set(uploads.filter((u) => u.state !== 'done').map((u) => u.sha256));
    for (const e of outbox) for (const k of ['sha256', 'displaySha256', 'imageSha256']) if (e.args && e.args[k]) needed.add(e.args[k]);
    const confirmed = new Set();
    for (const d of drafts) {
      for (const p of d.photos || []) {
        needed.add(p.displaySha256);
        if (p.uploaded && done.has(p.sha256)) confirmed.add(p.sha256);
        else needed.add(p.sha256);
      }
      for (const sig of Object.values(d.signatures || {})) needed.add(sig.imageSha256);
    }
    let pruned = 0;
    for (const sha of confirmed) {
      if (needed.has(sha) || !(await s.blobs.count(sha))) continue;
      await s.blobs.delete(sha);
      pruned += 1;
    }
    return pruned;
  });
}

// What waits to be synced. `records` counts records (an inspection, or a party created on this
// phone) with anything unsent: the inspector thinks in records, not in queued mutations.
export async function syncStats() {
  const [outbox, uploads, sync] = await Promise.all([getAll('outbox'), getAll('uploads'), getSyncState()]);
  const open = uploads.filter((u) => u.state !== 'done');
  const records = new Set([...outbox.map((e) => (e.inspectionID !== 'none' ? e.inspectionID : `party:${e.args && e.args.id}`)),
    ...open.map((u) => u.inspectionID)]);
  return {
    waiting: outbox.length + open.length,
    records: records.size,
    mutations: outbox.length,
    uploads: open.length,
    held: open.filter((u) => u.state === 'held').length,
    bytesLeft: open.reduce((n, u) => n + Math.max(0, u.size - (u.offset || 0)), 0),
    byInspection: outbox.reduce((m, e) => { m[e.inspectionID] = (m[e.inspectionID] || 0) + 1; return m; }, {}),
    uploadsByInspection: open.reduce((m, u) => { m[u.inspectionID] = (m[u.inspectionID] || 0) + 1; return m; }, {}),
    // Photo bytes of each record with files still to upload: all its files, and what the server holds.
    uploadBytesByInspection: uploads.filter((u) => open.some((o) => o.inspectionID === u.inspectionID)).reduce((m, u) => {
      const r = m[u.inspectionID] || (m[u.inspectionID] = { total: 0, done: 0 });
      r.total += u.size || 0;
      r.done += u.state === 'done' ? u.size || 0 : Math.min(u.offset || 0, u.size || 0);
      return m;
    }, {}),
    lastSuccessAt: sync.lastSuccessAt,
    lastError: sync.lastError,
  };
}

// Records with unsynced work that a logout or switch of inspector would lose.
export async function unsyncedCount() {
  const [stats, drafts] = await Promise.all([syncStats(), listDrafts()]);
  return stats.records + drafts.filter((d) => d.phase === 'setup' && d.templateID).length;
}

// Logout: everything about the inspector and their cases goes; settings stay.
export async function clearSensitiveData() {
  await run(['meta', 'server_rows', 'outbox', 'drafts', 'blobs', 'uploads'], 'readwrite', async (s) => {
    const settings = await s.meta.get('settings');
    for (const name of ['meta', 'server_rows', 'outbox', 'drafts', 'blobs', 'uploads']) await s[name].clear();
    if (settings) await s.meta.put(settings);
  });
  clearUnsavedEdits();
}

// ------------------------------------------------------------------ edits a closing page could not store
// IndexedDB needs several round trips per save, and a page that is being unloaded (reload, closed
// tab) gets none of them. localStorage writes synchronously, so the open record's edits that are
// not stored yet are kept there when the page hides, and stored properly on the next start.
const UNSAVED_KEY = 'inspector.unsavedEdits';

export function keepUnsavedEdits(draft, dirty) {
  try {
    localStorage.setItem(UNSAVED_KEY, JSON.stringify({ draft, dirty }));
  } catch (_) { /* storage full or disabled: the regular save is still on its way */ }
}

export function unsavedEdits() {
  try {
    return JSON.parse(localStorage.getItem(UNSAVED_KEY) || 'null');
  } catch (_) {
    return null;
  }
}

export function clearUnsavedEdits() {
  try { localStorage.removeItem(UNSAVED_KEY); } catch (_) { /* nothing kept */ }
}

export async function storageEstimate() {
  const out = { usage: null, quota: null, persisted: null };
  try {
    if (navigator.storage && navigator.storage.estimate) Object.assign(out, await navigator.storage.estimate());
    if (navigator.storage && navigator.storage.persisted) out.persisted = await navigator.storage.persisted();
  } catch (_) { /* unsupported */ }
  out.photoBytes = await photoBytes();
  return out;
}

export async function requestPersistence() {
  try {
    if (navigator.storage && navigator.storage.persist) return await navigator.storage.persist();
  } catch (_) { /* unsupported */ }
  return false;
}

// ------------------------------------------------------------------ import of an export file
// Adds drafts this phone lacks, the bytes, their uploads, and re-queues the mutations under
// this phone's own mutation numbers (entity ids unchanged: the server dedupes by id).
export function importWork(work) {
  return run(['drafts', 'outbox', 'meta', 'blobs', 'uploads', 'server_rows'], 'readwrite', async (s) => {
    let drafts = 0;
    for (const d of work.drafts) {
      if (!(await s.drafts.get(d.id))) { await s.drafts.put({ ...d, importedFrom: work.from, updatedAt: nowISO() }); drafts += 1; }
      if (d.party && d.party.local) await s.server_rows.put({ type: 'party', id: d.party.id, version: 0, local: true, value: d.party });
    }
    for (const b of work.blobs) await s.blobs.put(b);
    for (const u of work.uploads) if (!(await s.uploads.get(u.sha256))) await s.uploads.put({ ...u, state: 'waiting', offset: 0, uploadURL: null });
    await enqueue(s, work.mutations.map((m) => ({ name: m.name, args: m.args, key: null, inspectionID: m.inspectionID, barrier: m.barrier })));
    return { drafts, mutations: work.mutations.length, blobs: work.blobs.length };
  });
}
