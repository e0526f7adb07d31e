// The sync engine: drains the outbox (push), applies server changes (pull), then uploads photo
// bytes. One tab at a time (Web Locks). Runs on start, on `online`, when the app becomes
// visible, after local edits, on a backoff timer, and on "sync now". Going offline ends the
// requests in flight, so the sync the returning network starts is not queued behind them.
import { call, ApiError, abortRequestsInFlight } from './api.js';
import { run, getMeta } from './db.js';
import * as store from './store.js';
import { runUploads } from './uploads.js';
import { APP_VERSION } from './version.js';
import { setPhase } from './record.js';

const SCHEMA_VERSION = 1;
const MAX_BATCH = 100;
const MAX_BATCH_BYTES = 900 * 1024;
const BACKOFF_MS = [15000, 30000, 60000, 120000, 300000];
const STEADY_MS = 300000; // with nothing failing, still look for review decisions every 5 minutes
const CHECKING_MS = 5000; // while the server still checks a delivered photo, ask again soon
const PHASE_BY_STATUS = { submitted: 'submitted', returned: 'returned', approved: 'approved', rejected: 'rejected' };

export class SyncEngine extends EventTarget {
  constructor() {
    super();
    this.running = false;
    this.failures = 0;
    this.timer = null;
    this.again = false;
    this.paused = false;
    this.batchLimit = MAX_BATCH;
  }

  start() {
    if (this.started) { this.request('start'); return; }
    this.started = true;
    window.addEventListener('online', () => this.request('online'));
    window.addEventListener('offline', () => { abortRequestsInFlight(); this.emit('state'); });
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') this.request('visible'); });
    this.request('start');
  }

  // Ask for a sync; `after local edit` waits a moment so typing is not interrupted by pushes.
  request(reason, { force = false } = {}) {
    clearTimeout(this.timer);
    const delay = reason === 'edit' ? 1500 : 0;
    this.timer = setTimeout(() => this.run({ force, reason }), delay);
  }

  async run({ force = false, includeHeld = false } = {}) {
    if (this.running) { this.again = true; return; }
    const session = await store.getSession();
    if (!session || !session.token || (this.paused && !force)) return;
    if (!navigator.onLine && !force) { this.emit('state'); this.schedule(); return; }
    const work = async (lock) => {
      if (lock === null) return; // another tab is syncing
      this.running = true;
      this.emit('state');
      try {
        this.progressed = false;
        await this.cycle(includeHeld);
        this.failures = 0;
        await store.saveSyncState({ lastSuccessAt: new Date().toISOString(), lastError: null });
      } catch (err) {
        // The backoff grows only while nothing gets through: a round that moved bytes and then lost
        // the link retries after the shortest wait.
        this.failures = this.progressed ? 1 : this.failures + 1;
        await store.saveSyncState({ lastError: describe(err), lastErrorAt: new Date().toISOString() });
        if (err.kind === 'auth') this.paused = true;
      } finally {
        this.running = false;
        this.emit('state');
        this.emit('changed');
      }
    };
    if (navigator.locks) await navigator.locks.request('inspector-sync', { ifAvailable: true }, work);
    else await work(true);
    if (this.again) { this.again = false; this.request('again'); } else this.schedule();
  }

  async schedule() {
    clearTimeout(this.timer);
    let delay = this.failures ? BACKOFF_MS[Math.min(this.failures - 1, BACKOFF_MS.length - 1)] : STEADY_MS;
    // A delivered photo the server has not decoded yet: its verdict (keep or free the original) comes soon.
    if (!this.failures && (await store.listDrafts()).some((d) => (d.photos || []).some((p) => !p.uploaded && p.processing === 'pending'))) delay = CHECKING_MS;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }

  async cycle(includeHeld) {
    const clientID = (await store.getSession()).clientID;
    await this.push(clientID);
    await this.pull(clientID);
    const settings = await store.getSettings();
    // A local edit made meanwhile (this.again) ends the upload round early: its push comes first.
    const startedAt = new Map(); // each file's offset (the server's) when this round first reported it
    const onProgress = (p) => {
      if (p.acked === false) { this.emit('progress', p); return; } // bytes on the way prove nothing yet
      if (!startedAt.has(p.sha256)) startedAt.set(p.sha256, p.offset);
      else if (p.offset > startedAt.get(p.sha256)) this.progressed = true;
      this.emit('progress', p);
    };
    const uploaded = await runUploads({ settings, includeHeld, onProgress,
      yieldTo: () => this.again });
    if (uploaded) await this.pull(clientID); // learn which photos the server now holds
  }

  // ---------------------------------------------------------------- push
  async push(clientID) {
    for (;;) {
      const batch = await takeBatch(this.batchLimit);
      if (!batch.length) return;
      let response;
      try {
        response = await call('/api/v1/sync/push', { method: 'POST', timeoutMs: 60000,
          body: { clientID, schemaVersion: SCHEMA_VERSION, appVersion: APP_VERSION, mutations: batch } });
      } catch (err) {
        if (err.code === 'mutation_out_of_order' && err.details && err.details.expectedID) {
          await renumberFrom(err.details.expectedID);
          continue;
        }
        if (err.status === 413 && this.batchLimit > 1) { this.batchLimit = Math.max(1, Math.floor(batch.length / 2)); continue; }
        throw err;
      }
      this.batchLimit = MAX_BATCH;
      await applyPushResults(response);
      this.emit('changed');
      if (!response.results || !response.results.length) return; // nothing advanced: avoid a loop
    }
  }

  // ---------------------------------------------------------------- pull
  // Ends by deleting the originals whose arrival this pull (now stored) confirmed.
  async pull(clientID) {
    for (let page = 0; page < 1000; page += 1) {
      const { cursor } = await store.getSyncState();
      const response = await call('/api/v1/sync/pull', { method: 'POST', timeoutMs: 60000,
        body: { clientID, schemaVersion: SCHEMA_VERSION, cursor, limit: 500 } });
      await applyPull(response);
      this.emit('changed');
      if (!response.hasMore) break;
    }
    await store.pruneConfirmedOriginals();
  }
}

// The next batch, read and marked as on the wire in one transaction: an edit committed in between
// (another tab, or this one) could otherwise be folded into an entry whose older copy is being sent,
// and would be deleted with it when the server acknowledges that copy.
function takeBatch(limit) {
  return run(['outbox', 'meta'], 'readwrite', async (s) => {
    const pending = (await s.outbox.getAll()).sort((a, b) => a.id - b.id);
    const batch = [];
    let bytes = 0;
    for (const e of pending) {
      const wire = { id: e.id, name: e.name, args: e.args, clientTime: e.clientTime };
      const size = JSON.stringify(wire).length;
      if (batch.length && (batch.length >= limit || bytes + size > MAX_BATCH_BYTES)) break;
      batch.push(wire);
      bytes += size;
    }
    if (!batch.length) return batch;
    const row = await s.meta.get('outbox');
    const state = { nextMutationID: 1, sentThrough: 0, lastMutationID: 0, ...(row ? row.value : {}) };
    state.sentThrough = Math.max(state.sentThrough, batch[batch.length - 1].id);
    await s.meta.put({ key: 'outbox', value: state });
    return batch;
  });
}

// The server never applied anything from `expectedID` on (it said so): number our queue from there.
// Entries below `expectedID` were applied; they keep their ids, so resending them returns their
// stored results instead of applying them a second time under a new id.
function renumberFrom(expectedID) {
  return run(['outbox', 'meta'], 'readwrite', async (s) => {
    const entries = (await s.outbox.getAll(IDBKeyRange.lowerBound(expectedID))).sort((a, b) => a.id - b.id);
    for (const e of entries) await s.outbox.delete(e.id);
    let next = expectedID;
    for (const e of entries) { e.id = next; next += 1; await s.outbox.put(e); }
    const row = await s.meta.get('outbox');
    await s.meta.put({ key: 'outbox', value: { ...(row ? row.value : {}), nextMutationID: next, sentThrough: expectedID - 1, lastMutationID: expectedID - 1 } });
  });
}

function applyPushResults(response) {
  return run(['outbox', 'drafts', 'meta', 'blobs', 'uploads'], 'readwrite', async (s) => {
    const last = response.lastMutationID || 0;
    const entries = await s.outbox.getAll(IDBKeyRange.upperBound(last));
    const byID = Object.fromEntries(entries.map((e) => [e.id, e]));
    const drafts = {};
    const draftFor = async (id) => { if (!(id in drafts)) drafts[id] = (await s.drafts.get(id)) || null; return drafts[id]; };
    const deleted = new Set();
    for (const result of response.results || []) {
      const entry = byID[result.id];
      if (!entry) continue;
      const draft = await draftFor(entry.inspectionID);
      if (draft && result.status === 'rejected') {
        draft.rejections = draft.rejections || [];
        draft.rejections.push({ key: `${entry.name}:${entry.id}`, mutationID: entry.id, name: entry.name, args: entry.args,
          reasons: result.reasons || [], at: new Date().toISOString() });
        // A rejected submit leaves the record editable so the inspector can fix what is missing.
        if (entry.name === 'inspection.submit.v1' && draft.phase === 'submitted') setPhase(draft, 'editing');
        // A refused deletion (e.g. the co-inspector submitted the record meanwhile) gives the record back.
        if (entry.name === 'inspection.delete.v1' && draft.phase === 'deleted') setPhase(draft, 'editing');
      }
      if (draft && result.status !== 'rejected' && entry.name === 'inspection.delete.v1' && draft.phase === 'deleted') {
        deleted.add(draft.id);
      }
      if (draft && result.status === 'applied_with_conflict') {
        draft.conflicts = draft.conflicts || [];
        for (const c of result.conflicts || []) if (!draft.conflicts.some((x) => x.id === c.id)) draft.conflicts.push({ ...c, status: 'open' });
      }
    }
    for (const e of entries) await s.outbox.delete(e.id);
    for (const d of Object.values(drafts)) if (d && !deleted.has(d.id)) await s.drafts.put(d);
    for (const id of deleted) await store.forgetRecord(s, id);
    const row = await s.meta.get('outbox');
    const state = { nextMutationID: 1, sentThrough: 0, ...(row ? row.value : {}) };
    state.lastMutationID = Math.max(state.lastMutationID || 0, last);
    state.nextMutationID = Math.max(state.nextMutationID, last + 1);
    await s.meta.put({ key: 'outbox', value: state });
  });
}

const CASE_ROW_TYPES = ['finding', 'sample', 'photo', 'signature', 'decision', 'conflict', 'lab_result', 'rectification', 'case_clock'];

// A case that left the phone (deleted, or its user taken off it) takes its rows along: no part of
// a case is kept without the case (the protocol sends `del` for the case only).
async function dropCaseRows(s, inspectionID) {
  for (const type of CASE_ROW_TYPES) {
    for (const row of await s.server_rows.getAllFromIndex('byType', type)) {
      if (row.value && row.value.inspectionID === inspectionID) await s.server_rows.delete([type, row.id]);
    }
  }
}

// Apply one pull page: server rows, then what they mean for the drafts (decisions, case
// numbers, returns, rejections, conflicts). Outbox and drafts survive a reset.
function applyPull(response) {
  return run(['server_rows', 'drafts', 'meta', 'outbox'], 'readwrite', async (s) => {
    if (response.reset) {
      const keep = (await s.server_rows.getAll()).filter((r) => r.local);
      await s.server_rows.clear();
      for (const r of keep) await s.server_rows.put(r);
    }
    const pending = new Set((await s.outbox.getAll()).map((e) => e.inspectionID));
    const drafts = Object.fromEntries((await s.drafts.getAll()).map((d) => [d.id, d]));
    const touched = new Set();
    for (const op of response.patch || []) {
      const id = String(op.id);
      if (op.op === 'del') {
        await s.server_rows.delete([op.type, id]);
        if (op.type === 'inspection') await dropCaseRows(s, id);
        continue;
      }
      await s.server_rows.put({ type: op.type, id, version: op.version, value: op.value });
      const v = op.value || {};
      const inspectionID = op.type === 'inspection' ? id : v.inspectionID || (op.type === 'rejection' && v.args && (v.args.inspectionID || v.args.id));
      const draft = drafts[inspectionID];
      if (!draft) continue;
      touched.add(draft.id);
      draft.baseVersions = draft.baseVersions || {};
      if (['inspection', 'finding', 'sample', 'photo', 'signature'].includes(op.type)) draft.baseVersions[`${op.type}:${id}`] = op.version;
      if (op.type === 'inspection') {
        draft.serverStatus = v.status;
        draft.caseNumber = v.caseNumber || draft.caseNumber;
        if (!pending.has(draft.id)) {
          if (v.revision) draft.revision = v.revision;
          const phase = PHASE_BY_STATUS[v.status] || (v.status === 'draft' && draft.phase === 'submitted' ? 'editing' : null);
          if (phase && phase !== draft.phase) setPhase(draft, phase);
        }
      } else if (op.type === 'photo') {
        const photo = draft.photos.find((p) => p.id === id);
        if (photo) {
          photo.uploaded = !!v.uploaded; // stored and decoded: only then may the original be deleted
          photo.processing = v.processing || null; // pending, ready, failed (the server could not decode it)
          photo.processingError = v.processingError || null;
        }
      } else if (op.type === 'decision') {
        draft.decisions = (draft.decisions || []).filter((d) => String(d.id) !== id).concat([{ ...v, id }]);
      } else if (op.type === 'conflict') {
        draft.conflicts = (draft.conflicts || []).filter((c) => c.id !== id).concat([{ ...v, id }]);
      } else if (op.type === 'rejection') {
        const key = `${v.name}:${v.mutationID}`;
        draft.rejections = draft.rejections || [];
        if (!draft.rejections.some((r) => r.key === key)) {
          draft.rejections.push({ key, mutationID: v.mutationID, name: v.name, args: v.args, reasons: v.reasons || [], at: v.createdAt });
        }
      }
    }
    for (const id of touched) await s.drafts.put(drafts[id]);
    // The working-day calendar (deadlines.js), sent on a reset and when it changed; kept across resets.
    if (response.calendar) await s.meta.put({ key: 'calendar', value: response.calendar });
    const row = await s.meta.get('sync');
    await s.meta.put({ key: 'sync', value: { ...(row ? row.value : {}), cursor: response.cursor } });
  });
}

// Why the server refused a photo's bytes, each with its own words on the home screen.
const UPLOAD_REFUSALS = ['truncated_image', 'corrupt_image', 'unsupported_format', 'decompression_bomb', 'digest_mismatch',
  'too_large', 'storage_full'];

// The last error in plain words (an i18n key plus details).
export function describe(err) {
  if (err instanceof ApiError || err.kind) {
    if (err.kind === 'network') return { key: 'errNetwork', code: err.code };
    if (err.kind === 'auth') return { key: 'errAuth', code: err.code };
    if (err.kind === 'server') return { key: 'errServer', code: err.code, status: err.status };
    if (err.code === 'version_not_supported') return { key: 'errVersion', code: err.code };
    if (err.status === 404 || err.status === 405) return { key: 'errNoSync', code: err.code };
    if (UPLOAD_REFUSALS.includes(err.code)) return { key: `errUpload_${err.code}`, code: err.code };
    return { key: 'errUnknown', code: err.code, message: err.message };
  }
  return { key: 'errUnknown', code: err.name || 'error', message: String(err.message || err) };
}

export { getMeta };
