// The inspection record on the phone (the draft, local source of truth) and the sync mutations
// each edit produces. Pure functions: no storage, no DOM.
import { uuid, nowISO } from './lib/ids.js';

export const INSPECTION_FIELDS = ['place', 'lat', 'lon', 'gpsAccuracyM', 'inspectorIDs', 'startedAt', 'endedAt',
  'certificatesAnswer', 'recusalAnswer', 'narrative', 'partyStatement', 'closingAnswer', 'onSitePerson', 'partyNotified'];
export const SAMPLE_FIELDS = ['name', 'brand', 'spec', 'batchNo', 'productionDate', 'maker', 'standard', 'quantity',
  'baseQuantity', 'backupQuantity', 'sealNumbers', 'note', 'sampleNo', 'sampledAt', 'labName', 'pricePaid',
  'backupSealNumbers', 'backupStorage', 'backupCondition', 'sealedPhotoIDs'];
export const SAMPLE_LISTS = ['sealNumbers', 'backupSealNumbers', 'sealedPhotoIDs'];
// A refusal's optional details (witness, 执法记录仪 recording), sent only when filled in.
export const REFUSAL_DETAILS = ['witnessIDNumber', 'witnessUnit', 'witnessPhone', 'recordingFileNo', 'recordingDevice', 'recordingStartedAt'];
export const EDITABLE_PHASES = ['setup', 'editing'];

// The party's answers to the fixed questions of the 现场笔录, printed after 答：. None is filled in
// for the party: each is chosen (or written) when the party gives it. `label` is the i18n key of
// the choice; the value is what prints, in Chinese whatever the phone's language.
export const PARTY_ANSWERS = {
  certificatesAnswer: [{ value: '看清楚了', label: 'ansSeen' }, { value: '拒绝回答', label: 'ansNoAnswer' }],
  recusalAnswer: [{ value: '不申请回避', label: 'ansNoRecusal' }, { value: '申请回避', label: 'ansRecusal' }, { value: '拒绝回答', label: 'ansNoAnswer' }],
  closingAnswer: [{ value: '以上记录属实', label: 'ansTrue' }, { value: '有异议', label: 'ansObjects' }, { value: '拒绝回答', label: 'ansNoAnswer' }],
};

export function newDraft(user) {
  const now = nowISO();
  return {
    id: uuid(), schema: 3, owner: user.id, phase: 'setup', phaseAt: Date.now(), templateID: null, templateTitle: '', party: null,
    coInspector: null, inspectorIDs: [user.id], place: '', lat: null, lon: null, gpsAccuracyM: null,
    startedAt: now, endedAt: null, certificatesAnswer: '', recusalAnswer: '', narrative: '',
    partyStatement: '', closingAnswer: '', onSitePerson: '', partyNotified: '', findings: {}, samples: [], photos: [], signatures: {},
    refusal: null, revision: 1, caseNumber: null, serverStatus: null, baseVersions: {}, decisions: [],
    rejections: [], conflicts: [], createdAt: now, updatedAt: now, submittedAt: null, taskID: null,
  };
}

export const isEditable = (draft) => EDITABLE_PHASES.includes(draft.phase);

// What app versions before draft schema 3 filled in for the party.
const OLD_PRESETS = { certificatesAnswer: '看清楚了', recusalAnswer: '不申请回避', closingAnswer: '以上记录属实' };

// A draft stored by an older app version, brought to this one. A record still being written that
// holds the old preset answers keeps them (nothing is cleared) but each must be confirmed with the
// party before submission; answers of a record submitted before are the ones that were printed.
export function upgradeDraft(draft) {
  if ((draft.schema || 2) >= 3) return draft;
  if (isEditable(draft) && !draft.submittedAt && (draft.revision || 1) === 1) {
    draft.unconfirmedAnswers = Object.keys(OLD_PRESETS).filter((f) => draft[f] === OLD_PRESETS[f]);
  }
  draft.schema = 3;
  return draft;
}

export const isUnconfirmed = (draft, field) => (draft.unconfirmedAnswers || []).includes(field);

// The party gave this answer now (tapped or written): it no longer waits for confirmation.
export function confirmAnswer(draft, field) {
  if (isUnconfirmed(draft, field)) draft.unconfirmedAnswers = draft.unconfirmedAnswers.filter((f) => f !== field);
}
export const isCreated = (draft) => draft.phase !== 'setup';
// Only a draft that was never submitted may be deleted: a submitted record is evidence.
export const isDeletable = (draft) => isEditable(draft) && !draft.submittedAt && (draft.revision || 1) === 1
  && [null, undefined, 'draft'].includes(draft.serverStatus);

const base = (draft, type, id) => (draft.baseVersions && draft.baseVersions[`${type}:${id}`]) || 0;
const clean = (value) => (value === '' || value === undefined ? null : value);

// A mutation as queued: the wire name and args, plus how it may coalesce with a queued one.
function mutation(name, args, key, inspectionID, barrier = false) {
  return { name, args, key, inspectionID, barrier };
}

export function inspectionUpdate(draft, fields) {
  const values = {};
  for (const f of fields) values[f] = clean(draft[f]);
  return mutation('inspection.update.v1', { id: draft.id, baseVersion: base(draft, 'inspection', draft.id), fields: values },
    `inspection:${draft.id}`, draft.id);
}

export function findingSet(draft, itemKey) {
  const f = draft.findings[itemKey];
  const args = { id: f.id, inspectionID: draft.id, itemKey, result: f.result || null, value: f.value ?? null, note: clean(f.note) };
  const version = base(draft, 'finding', f.id);
  if (version) args.baseVersion = version;
  return mutation('finding.set.v1', args, `finding:${f.id}`, draft.id);
}

function sampleArgs(sample) {
  const out = {};
  for (const f of SAMPLE_FIELDS) out[f] = SAMPLE_LISTS.includes(f) ? (sample[f] || []) : clean(sample[f]);
  return out;
}

export function sampleAdd(draft, sample) {
  return mutation('sample.add.v1', { id: sample.id, inspectionID: draft.id, ...sampleArgs(sample) }, `sample:${sample.id}`, draft.id);
}

export function sampleUpdate(draft, sample) {
  return mutation('sample.update.v1', { id: sample.id, baseVersion: base(draft, 'sample', sample.id), fields: sampleArgs(sample) },
    `sample:${sample.id}`, draft.id);
}

export const sampleRemove = (draft, sampleID) => mutation('sample.remove.v1', { id: sampleID }, `sample-remove:${sampleID}`, draft.id);

export function photoAdd(draft, p) {
  const args = { id: p.id, inspectionID: draft.id, sha256: p.sha256, size: p.size, mediaType: p.mediaType,
    displaySha256: p.displaySha256, displaySize: p.displaySize, caption: clean(p.caption), itemKey: p.itemKey || null,
    takenAt: p.takenAt, exifTakenAt: p.exifTakenAt || null, lat: p.lat ?? null, lon: p.lon ?? null, gpsAccuracyM: p.gpsAccuracyM ?? null };
  if (p.remark) args.remark = p.remark; // why a photo far from the inspection's time or place belongs to it
  return mutation('photo.add.v1', args, `photo:${p.id}`, draft.id);
}

export const photoUpdate = (draft, p) => mutation('photo.update.v1', { id: p.id, caption: clean(p.caption), itemKey: p.itemKey || null }, `photo:${p.id}`, draft.id);
export const photoRemove = (draft, photoID) => mutation('photo.remove.v1', { id: photoID }, `photo-remove:${photoID}`, draft.id);

export function signatureAdd(draft, slot) {
  const s = draft.signatures[slot];
  const args = { id: s.id, inspectionID: draft.id, role: s.role, signerName: clean(s.signerName), imageSha256: s.imageSha256, signedAt: s.signedAt };
  if (s.role === 'inspector') args.userID = s.userID;
  if (s.role === 'sampled_party') args.sampleID = s.sampleID;
  if (s.attests) Object.assign(args, { attests: s.attests, confirmation: s.confirmation || null }); // what the signer saw
  return mutation('signature.add.v1', args, `signature:${s.id}`, draft.id);
}

export function signatureRefuse(draft) {
  const r = draft.refusal;
  const args = { id: r.id, inspectionID: draft.id, reason: r.reason, witnessName: r.witnessName, at: r.at };
  for (const f of REFUSAL_DETAILS) if (clean(r[f]) !== null) args[f] = r[f];
  if (r.attests) Object.assign(args, { attests: r.attests, confirmation: r.confirmation || null }); // what was read to the party
  return mutation('signature.refuse.v1', args, `refusal:${r.id}`, draft.id);
}

export function partyCreate(party) {
  const args = { id: party.id, name: party.name };
  for (const f of ['creditCode', 'legalRep', 'address', 'phone', 'entityType', 'operatorIDNumber']) if (party[f]) args[f] = party[f];
  if (party.licences && party.licences.length) args.licences = party.licences;
  return mutation('party.create.v1', args, `party:${party.id}`, 'none');
}

// Fields of a party the inspector added on site (主体类型, operator's ID, licences).
export function partyUpdate(party, fields) {
  return mutation('party.update.v1', { id: party.id, baseVersion: party.version || 0, fields }, `party-update:${party.id}`, 'none');
}

export const inspectionSubmit = (draft) => mutation('inspection.submit.v1', { id: draft.id }, null, draft.id, true);
export const inspectionAmend = (draft, reason) => mutation('inspection.amend.v1', { id: draft.id, reason: reason || null }, null, draft.id, true);
export const inspectionDelete = (draft) => mutation('inspection.delete.v1', { id: draft.id }, null, draft.id, true);

// Everything needed to recreate the record on the server, in dependency order (creation, and
// "send this record again" after a rejection; creates are idempotent by id on the server).
export function recordMutations(draft, { includeParty = true, includeSubmit = false } = {}) {
  const out = [];
  if (includeParty && draft.party && draft.party.local) out.push(partyCreate(draft.party));
  out.push(mutation('inspection.create.v1', {
    id: draft.id, templateID: draft.templateID, partyID: draft.party.id, inspectorIDs: draft.inspectorIDs,
    place: clean(draft.place), lat: draft.lat, lon: draft.lon, gpsAccuracyM: draft.gpsAccuracyM, startedAt: draft.startedAt,
    ...(draft.taskID ? { taskID: draft.taskID } : {}),
  }, `create:${draft.id}`, draft.id));
  const filled = INSPECTION_FIELDS.filter((f) => !['place', 'lat', 'lon', 'gpsAccuracyM', 'inspectorIDs', 'startedAt'].includes(f) && clean(draft[f]) !== null);
  if (filled.length) out.push(inspectionUpdate(draft, filled));
  for (const key of Object.keys(draft.findings)) {
    const f = draft.findings[key];
    if (f.result || f.value !== null && f.value !== undefined || f.note) out.push(findingSet(draft, key));
  }
  for (const s of draft.samples) if (s.queued) out.push(sampleAdd(draft, s));
  for (const p of draft.photos) out.push(photoAdd(draft, p));
  for (const slot of Object.keys(draft.signatures)) out.push(signatureAdd(draft, slot));
  if (draft.refusal && draft.refusal.queued) out.push(signatureRefuse(draft));
  if (includeSubmit) out.push(inspectionSubmit(draft));
  return out;
}

export function finding(draft, itemKey) {
  if (!draft.findings[itemKey]) draft.findings[itemKey] = { id: uuid(), result: null, value: null, raw: '', note: '' };
  return draft.findings[itemKey];
}

export function signatureSlots(draft, colleaguesByID, me) {
  const slots = [{ slot: 'party', role: 'party' }, { slot: 'witness', role: 'witness' }];
  for (const uid of draft.inspectorIDs) {
    const person = uid === me.id ? me : colleaguesByID[uid];
    slots.push({ slot: `inspector:${uid}`, role: 'inspector', userID: uid, name: person ? person.displayName : String(uid) });
  }
  // 证据提供人 confirms the evidence sheets; the 被抽样单位 signs each sample (on its card).
  if (draft.photos.length) slots.push({ slot: 'evidence_provider', role: 'evidence_provider' });
  for (const s of draft.samples) slots.push({ slot: `sample:${s.id}`, role: 'sampled_party', sampleID: s.id });
  return slots;
}

// The slot a signature row pulled from the server fills on this form.
export function slotOf(s) {
  if (s.role === 'inspector') return `inspector:${s.userID}`;
  if (s.role === 'sampled_party') return `sample:${s.sampleID}`;
  return s.role;
}

// The template's items, flat, each with its section.
export function templateItems(template) {
  const out = [];
  for (const section of (template && template.sections) || []) for (const item of section.items) out.push({ ...item, section: section.key });
  return out;
}

// Parse a number field against the item's limits: {value, error: null|{key, params}}.
export function parseNumber(raw, item) {
  const text = String(raw ?? '').trim().replace(',', '.');
  if (text === '') return { value: null, error: null };
  const value = Number(text);
  if (!Number.isFinite(value)) return { value: null, error: { key: 'notANumber', params: {} } };
  const unit = item.unit || '';
  const hasMin = item.min !== undefined && item.min !== null;
  const hasMax = item.max !== undefined && item.max !== null;
  if ((hasMin && value < item.min) || (hasMax && value > item.max)) {
    if (hasMin && hasMax) return { value: null, error: { key: 'numberRange', params: { min: item.min, max: item.max, unit } } };
    if (hasMin) return { value: null, error: { key: 'numberMin', params: { min: item.min, unit } } };
    return { value: null, error: { key: 'numberMax', params: { max: item.max, unit } } };
  }
  return { value, error: null };
}

// Fields the sync engine owns on a draft; an editor's stale copy must never overwrite them
// (`rectifications`: the 责令改正 orders issued from the record, written by their own screen).
export const SERVER_OWNED = ['serverStatus', 'caseNumber', 'decisions', 'rejections', 'conflicts', 'baseVersions',
  'rectifications'];

// Copy what the server side of the phone learned into `target` (the editor's copy): server-owned
// fields, a newer phase, and which photos the server holds. `keep` names fields the editor changed.
export function adoptServerState(target, source, keep = []) {
  if (!source) return target;
  for (const k of SERVER_OWNED) if (!keep.includes(k) && source[k] !== undefined) target[k] = source[k];
  if ((source.phaseAt || 0) > (target.phaseAt || 0)) {
    target.phase = source.phase;
    target.phaseAt = source.phaseAt;
    target.revision = source.revision;
  }
  const fromServer = Object.fromEntries((source.photos || []).map((p) => [p.id, p]));
  for (const p of target.photos || []) {
    const known = fromServer[p.id];
    if (!known) continue;
    if (known.uploaded) p.uploaded = true;
    // The server's check of the delivered bytes: pending, ready, or failed with the reason.
    if (known.processing !== undefined) { p.processing = known.processing; p.processingError = known.processingError; }
  }
  return target;
}

export function setPhase(draft, phase) {
  draft.phase = phase;
  draft.phaseAt = Math.max(Date.now(), (draft.phaseAt || 0) + 1);
}
