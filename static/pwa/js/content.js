// The content of each signable document of a record, as plain JSON, and its SHA-256: the twin of
// the server's inspector/pdf/content.py. A signature sends, per document it covers, the hash of
// what the signer was shown; the server prints the signature only where that content prints.
// Both are held to tests/vectors/document_content.json. Every value is a string (no floats), so
// RFC 8785 canonical JSON is JSON with keys sorted by UTF-16 code units (what Array.sort does).
// Pure functions: no storage, no DOM.
import { sha256Hex } from './lib/bytes.js';

export const ON_SITE = 'on_site';
export const SAMPLING = 'sampling';
export const EVIDENCE = 'evidence';
export const RECTIFICATION = 'rectification';
const RECTIFICATION_MODES = { deadline: '限期改正', immediate: '立即改正' };
const CONTENT_SCHEMA = 'document-content/1';
const CST_MS = 8 * 3600 * 1000;
const STATUS_TEXT = { pass: '符合', fail: '不符合', na: '不适用' };
const SAMPLE_FIELDS = ['name', 'brand', 'spec', 'batchNo', 'productionDate', 'maker', 'standard', 'quantity',
  'baseQuantity', 'backupQuantity', 'note'];

// The 抽样记录's own fields of a sample, in the content only when recorded (as content.py).
const SAMPLE_DETAIL_FIELDS = ['sampleNo', 'labName', 'pricePaid', 'backupStorage', 'backupCondition'];
const SAMPLE_DETAIL_LISTS = ['backupSealNumbers', 'sealedPhotoIDs'];
export const ENTITY_TYPE_LABELS = { enterprise: '企业', individual: '个体工商户', cooperative: '农民专业合作社', other: '其他' };
const REFUSAL_FIELDS = ['reason', 'witnessName', 'witnessUnit', 'witnessPhone', 'recordingFileNo', 'recordingDevice'];

export const evidenceKey = (photoID) => `${EVIDENCE}:${photoID}`;

const text = (value) => (value === null || value === undefined ? '' : String(value));
const present = (values) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
// An ID number as the server stores it: no spaces, upper-case X.
export const idNumberText = (value) => text(value).replace(/\s+/g, '').toUpperCase();

// The documents a signer of `role` is shown and attests: the 被抽样单位经办人 the 抽样记录, the
// 证据提供人 the 证据提取单s, everyone else all of them (content.py's documents_for).
export function documentsFor(role, keys) {
  if (role === 'sampled_party') return keys.filter((k) => k === SAMPLING);
  if (role === 'evidence_provider') return keys.filter((k) => k.startsWith(`${EVIDENCE}:`));
  return [...keys];
}

export function documentContents(record) {
  const out = { [ON_SITE]: onSiteContent(record) };
  if ((record.samples || []).length) out[SAMPLING] = samplingContent(record);
  for (const photo of record.photos || []) out[evidenceKey(photo.id)] = evidenceContent(record, photo);
  return out;
}

const inspectors = (record) => (record.inspectors || []).map((i) => ({ name: text(i.name), certNo: text(i.certNo) }));

export function partyBlock(party) {
  const out = {};
  for (const k of ['name', 'creditCode', 'legalRep', 'address', 'phone']) out[k] = text((party || {})[k]);
  const entity = (party || {}).entityType;
  Object.assign(out, present({ entityType: ENTITY_TYPE_LABELS[entity] || text(entity),
    operatorIDNumber: idNumberText((party || {}).operatorIDNumber) }));
  return out;
}

// 当事人拒绝签名 as the 现场笔录 prints it. A refusal attests the record shown before it was recorded:
// its own attestation is checked against the 现场笔录 without this block (withoutRefusal).
export function refusalBlock(refusal) {
  const out = {};
  for (const f of REFUSAL_FIELDS) out[f] = text(refusal[f]);
  out.at = cnMinute(refusal.at);
  out.witnessIDNumber = idNumberText(refusal.witnessIDNumber);
  out.recordingStartedAt = cnMinute(refusal.recordingStartedAt);
  return out;
}

export const withoutRefusal = (record) => ({ ...record, refusal: null });

export function sampleBlock(s) {
  const out = {};
  for (const f of SAMPLE_FIELDS) out[f] = text(s[f]);
  out.sealNumbers = (s.sealNumbers || []).map(text);
  const details = {};
  for (const f of SAMPLE_DETAIL_FIELDS) details[f] = text(s[f]);
  Object.assign(out, present(details), present({ sampledAt: cnMinute(s.sampledAt) }));
  for (const f of SAMPLE_DETAIL_LISTS) if ((s[f] || []).length) out[f] = s[f].map(text);
  return out;
}

export function onSiteContent(record) {
  return {
    schema: CONTENT_SCHEMA, document: ON_SITE, title: '现场笔录',
    startedAt: cnMinute(record.startedAt), place: text(record.place), inspectors: inspectors(record),
    party: partyBlock(record.party), certificatesAnswer: text(record.certificatesAnswer),
    recusalAnswer: text(record.recusalAnswer), findings: findings(record.checklist || []),
    narrative: text(record.narrative), partyStatement: text(record.partyStatement), closingAnswer: text(record.closingAnswer),
    ...present({ onSitePerson: text(record.onSitePerson), partyNotified: text(record.partyNotified) }),
    ...(record.refusal ? { refusal: refusalBlock(record.refusal) } : {}),
  };
}

export function samplingContent(record) {
  return {
    schema: CONTENT_SCHEMA, document: SAMPLING, title: '抽样记录',
    startedAt: cnMinute(record.startedAt), place: text(record.place), inspectors: inspectors(record),
    party: partyBlock(record.party),
    samples: (record.samples || []).map(sampleBlock),
  };
}

export function evidenceContent(record, photo) {
  return {
    schema: CONTENT_SCHEMA, document: EVIDENCE, title: '证据提取单',
    photoId: text(photo.id), sha256: text(photo.sha256), caption: text(photo.caption), item: text(photo.itemLabel),
    takenAt: cnSecond(photo.takenAt), remark: text(photo.remark),
    party: text((record.party || {}).name), place: text(record.place),
  };
}

// 责令改正通知书 (content.py's rectification_content): the order record the phone fills in; the
// 文号 and the day of issue are not part of it (the server sets them after the party signed).
export function rectificationContent(order) {
  const mode = order.mode || 'deadline';
  return {
    schema: CONTENT_SCHEMA, document: RECTIFICATION, title: '责令改正通知书',
    orderId: text(order.orderId), agency: text(order.agency), government: text(order.government),
    party: partyBlock(order.party), inspectors: inspectors(order),
    facts: text(order.facts), basis: text(order.basis), requirements: text(order.requirements),
    mode: RECTIFICATION_MODES[mode] || text(mode), dueDate: dayText(mode === 'deadline' ? order.dueDate : null),
    reportBack: order.reportBack ? '是' : '否',
  };
}

// The order's 违反规定 as the server joins it: the items' legal bases in order, each once, then the
// inspector's own words when not already there (content.py's rectification_basis).
export function rectificationBasis(itemBases, extra) {
  const bases = [];
  for (const b of itemBases) { const v = text(b).trim(); if (v && !bases.includes(v)) bases.push(v); }
  const joined = bases.join('；');
  const more = text(extra).trim();
  if (more && !joined.includes(more)) return joined ? `${joined}；${more}` : more;
  return joined;
}

export function dayText(value) {
  if (value === null || value === undefined || value === '') return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : String(value);
}

export function findings(checklist) {
  const out = [];
  for (const section of checklist) {
    for (const item of section.items || []) {
      const result = resultText(item);
      if (result === null) continue;
      out.push({ section: text(section.title), key: text(item.key), label: text(item.label || item.key), result,
        note: text(item.note), basis: text(item.legalBasis) });
    }
  }
  return out;
}

// An item's answer as printed, or null when it was not answered (as the case file decides).
export function resultText(item) {
  const kind = item.kind || 'text';
  const { result } = item;
  const value = item.value === undefined ? null : item.value;
  const answer = value !== null ? value : (result === undefined ? null : result);
  if (result === 'na' || (kind === 'pass_fail_na' && answer === 'na')) return STATUS_TEXT.na;
  if (kind === 'pass_fail_na') return answer === 'pass' || answer === 'fail' ? STATUS_TEXT[answer] : null;
  if (answer === null || answer === '') return null;
  if (kind === 'number' && typeof answer === 'number') {
    const number = numberText(answer);
    return item.unit ? `${number} ${item.unit}` : number;
  }
  if (kind === 'date' && typeof answer === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(answer);
    return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : answer;
  }
  if (typeof answer === 'string') return answer;
  if (typeof answer === 'number') return numberText(answer);
  return String(answer);
}

// As the server's number_text: 15 significant digits, integers without a fraction.
export function numberText(value) {
  const clean = Number(Number(value).toPrecision(15));
  return String(clean);
}

function instant(value) {
  if (value === null || value === undefined || value === '') return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  return new Date(ms + CST_MS); // read with getUTC*: China Standard Time
}

export function cnMinute(value) {
  const d = instant(value);
  if (!d) return '';
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日${d.getUTCHours()}时${d.getUTCMinutes()}分`;
}

export function cnSecond(value) {
  const d = instant(value);
  return d ? `${cnMinute(value)}${d.getUTCSeconds()}秒` : '';
}

// RFC 8785 for the values content holds (strings, arrays, objects; numbers and literals as ES6 writes them).
export function canonicalJSON(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(value[k])}`).join(',')}}`;
}

export async function contentHash(content) {
  return sha256Hex(new TextEncoder().encode(canonicalJSON(content)));
}

export async function documentHashes(record) {
  const out = {};
  for (const [key, content] of Object.entries(documentContents(record))) out[key] = await contentHash(content);
  return out;
}

// The record a draft on this phone makes, in the shape the server builds from its database.
export function recordFromDraft(draft, template, people) {
  const sections = (template && template.sections) || [];
  const itemLabel = (key) => {
    for (const s of sections) for (const i of s.items) if (i.key === key) return i.label || key;
    return key;
  };
  const checklist = sections.map((section) => ({
    title: section.title,
    items: section.items.filter((item) => draft.findings[item.key]).map((item) => {
      const f = draft.findings[item.key];
      return { key: item.key, label: item.label, kind: item.kind, unit: item.unit ?? null, legalBasis: item.legal_basis ?? null,
        result: f.result ?? null, value: f.value ?? null, note: f.note || null };
    }),
  }));
  return {
    startedAt: draft.startedAt, place: draft.place || '',
    inspectors: people.map((p) => ({ name: p.displayName, certNo: p.certNo ?? null })),
    party: draft.party || {}, certificatesAnswer: draft.certificatesAnswer, recusalAnswer: draft.recusalAnswer,
    closingAnswer: draft.closingAnswer, narrative: draft.narrative, partyStatement: draft.partyStatement, checklist,
    onSitePerson: draft.onSitePerson || null, partyNotified: draft.partyNotified || null, refusal: draft.refusal || null,
    samples: draft.samples.map((s) => ({ ...s, productionDate: s.productionDate || null })),
    photos: draft.photos.map((p) => ({ id: p.id, sha256: p.sha256, caption: p.caption || null,
      itemLabel: p.itemKey ? itemLabel(p.itemKey) : null, takenAt: p.takenAt || null, remark: p.remark || null })),
  };
}

// Which documents a signature's attests no longer match: [{document, revision}] (empty: it stands).
export function staleDocuments(attests, hashes) {
  if (!attests) return [];
  const claimed = Object.fromEntries(attests.map((a) => [a.document, a]));
  const out = [];
  for (const [key, sha] of Object.entries(hashes)) {
    const a = claimed[key];
    if (!a || a.sha256 !== sha) out.push({ document: key, revision: a ? a.revision : Math.max(...attests.map((x) => x.revision)) });
  }
  return out;
}
