// Unsynced work as a file, and back: for a trip that ends without signal or a broken phone.
// The file holds the queued mutations (with their client-generated entity ids), the drafts and
// the photo bytes still to upload; an original the server confirmed has left the phone and its
// upload is done, so neither its bytes nor an upload for it travel. Importing re-queues the
// mutations on the importing phone; the server treats creates with an existing id as no-ops, so
// both phones syncing later makes no duplicates.
import { run } from './db.js';
import { toBase64, fromBase64, sha256Hex } from './lib/bytes.js';
import { nowISO } from './lib/ids.js';

export const EXPORT_KIND = 'inspector-unsynced-work';
export const EXPORT_FORMAT = 1;

export async function buildExport(session, appVersion) {
  const { outbox, drafts, uploads, blobs } = await run(['outbox', 'drafts', 'uploads', 'blobs'], 'readonly', async (s) => {
    const entries = (await s.outbox.getAll()).sort((a, b) => a.id - b.id);
    const open = (await s.uploads.getAll()).filter((u) => u.state !== 'done');
    const inspections = new Set([...entries.map((e) => e.inspectionID), ...open.map((u) => u.inspectionID)]);
    const all = await s.drafts.getAll();
    const chosen = all.filter((d) => inspections.has(d.id) || (d.phase === 'setup' && d.templateID));
    const wanted = new Set(open.map((u) => u.sha256));
    for (const d of chosen.filter((x) => x.phase === 'setup')) for (const p of d.photos) { wanted.add(p.sha256); wanted.add(p.displaySha256); }
    const found = [];
    for (const sha of wanted) { const b = await s.blobs.get(sha); if (b) found.push(b); }
    return { outbox: entries, drafts: chosen, uploads: open, blobs: found };
  });
  if (!outbox.length && !drafts.length && !uploads.length) return null;
  const payload = {
    kind: EXPORT_KIND, format: EXPORT_FORMAT, exportedAt: nowISO(), appVersion,
    from: { clientID: session.clientID, userID: session.user.id, username: session.user.username, displayName: session.user.displayName },
    mutations: outbox.map((e) => ({ sourceID: e.id, name: e.name, args: e.args, key: e.key, inspectionID: e.inspectionID, barrier: e.barrier, clientTime: e.clientTime })),
    drafts,
    uploads: uploads.map((u) => ({ sha256: u.sha256, role: u.role, size: u.size, mediaType: u.mediaType, inspectionID: u.inspectionID, priority: u.priority, createdAt: u.createdAt })),
    blobs: blobs.map((b) => ({ sha256: b.sha256, mediaType: b.mediaType, role: b.role, inspectionID: b.inspectionID, data: toBase64(b.bytes) })),
  };
  const stamp = payload.exportedAt.slice(0, 16).replace(/[-:T]/g, '');
  return { name: `unsynced-${session.user.username}-${stamp}.json`, text: JSON.stringify(payload), counts: { mutations: outbox.length, drafts: drafts.length, blobs: blobs.length } };
}

// Check a file and turn it into rows to store; throws Error with a message on a bad file.
export async function parseExport(text) {
  let data;
  try { data = JSON.parse(text); } catch (_) { throw new Error('not a JSON file'); }
  if (!data || data.kind !== EXPORT_KIND) throw new Error('not an export of this app');
  if (data.format !== EXPORT_FORMAT) throw new Error(`unsupported format ${data.format}`);
  const blobs = [];
  for (const b of data.blobs || []) {
    const bytes = fromBase64(b.data);
    if ((await sha256Hex(bytes)) !== b.sha256) throw new Error(`damaged file: photo ${b.sha256.slice(0, 12)} does not match its hash`);
    blobs.push({ sha256: b.sha256, bytes, size: bytes.byteLength, mediaType: b.mediaType, role: b.role, inspectionID: b.inspectionID, createdAt: nowISO() });
  }
  return { from: data.from, mutations: data.mutations || [], drafts: data.drafts || [], uploads: data.uploads || [], blobs };
}
