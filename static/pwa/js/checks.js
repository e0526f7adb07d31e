// What is still missing before a record can be submitted, and wording warnings. Pure functions.
import { templateItems, parseNumber, isUnconfirmed } from './record.js';
import { validIDNumber } from './idnumber.js';

// The checklist answer saying a sample was taken: the record then needs a sample (抽样记录),
// as the server's inspection_rules.SAMPLED_ANSWER requires.
export const SAMPLED_ANSWER = '已抽样';

// Characterising or penalty words that do not belong in an objective 现场情况.
export const CHARACTERISING_WORDS = ['违法', '违规', '涉嫌', '非法', '擅自', '假冒', '伪劣', '责令', '罚款', '没收'];

// A statute article cited in the narrative is a legal conclusion: it belongs to the checklist's
// basis column (printed beside each item), not to the objective 现场情况.
const STATUTE_ARTICLE = /《[^《》]{2,40}》\s*第[一二三四五六七八九十百千零〇0-9]+条/g;

export function characterisingWords(text) {
  const words = CHARACTERISING_WORDS.filter((w) => (text || '').includes(w));
  return [...words, ...new Set((text || '').match(STATUTE_ARTICLE) || [])];
}

export const SAMPLE_REQUIRED = ['name', 'quantity', 'baseQuantity', 'sealNumbers'];
const filled = (v) => (Array.isArray(v) ? v.length > 0 : !!v);

// A closing answer that only confirms the record: it cannot stand beside a refusal to sign
// (the server's inspection_rules.AFFIRMING_CLOSINGS holds the same list).
export const AFFIRMING_CLOSINGS = ['以上记录属实', '以上笔录属实', '记录属实', '笔录属实', '属实'];

export function affirmsRecord(answer) {
  return AFFIRMING_CLOSINGS.includes(String(answer || '').replace(/[\s。.！!]/g, ''));
}

// Each missing thing: {key (i18n), params, step, anchor}.
export function missingItems(draft, template, people) {
  const out = [];
  for (const item of templateItems(template)) {
    const f = draft.findings[item.key] || {};
    const answered = item.kind === 'pass_fail_na' ? !!f.result : f.value !== null && f.value !== undefined && f.value !== '';
    if (item.kind === 'number' && f.raw && parseNumber(f.raw, item).error) {
      out.push({ key: 'missNumber', params: { key: item.key }, step: 'checklist', anchor: item.key });
    } else if (item.required && !answered) {
      out.push({ key: 'missFinding', params: { key: item.key, label: item.label }, step: 'checklist', anchor: item.key });
    }
    if (f.value === SAMPLED_ANSWER && (item.choices || []).includes(SAMPLED_ANSWER) && !draft.samples.length) {
      out.push({ key: 'missSampleRecord', params: { key: item.key }, step: 'samples' });
    }
    const photos = draft.photos.filter((p) => p.itemKey === item.key);
    if (item.photo_required && f.result !== 'na' && (answered || item.required) && !photos.length) {
      out.push({ key: 'missPhoto', params: { key: item.key }, step: 'checklist', anchor: item.key });
    }
  }
  draft.samples.forEach((s, i) => {
    const lacking = SAMPLE_REQUIRED.filter((f) => !filled(s[f]));
    if (lacking.length) out.push({ key: 'missSample', params: { n: i + 1, fields: lacking.join(', ') }, step: 'samples', anchor: s.id, fields: lacking });
  });
  if (draft.inspectorIDs.length < 2) out.push({ key: 'missInspectors', params: {}, step: 'setup' });
  if (!(draft.certificatesAnswer || '').trim() || isUnconfirmed(draft, 'certificatesAnswer')) out.push({ key: 'missCertificates', params: {}, step: 'record', anchor: 'certificatesAnswer' });
  if (!(draft.recusalAnswer || '').trim() || isUnconfirmed(draft, 'recusalAnswer')) out.push({ key: 'missRecusal', params: {}, step: 'record', anchor: 'recusalAnswer' });
  if (!(draft.narrative || '').trim()) out.push({ key: 'missNarrative', params: {}, step: 'record', anchor: 'narrative' });
  if (!(draft.closingAnswer || '').trim() || isUnconfirmed(draft, 'closingAnswer')) out.push({ key: 'missClosing', params: {}, step: 'record', anchor: 'closingAnswer' });
  else if (draft.refusal && affirmsRecord(draft.closingAnswer)) out.push({ key: 'closingContradictsRefusal', params: { answer: draft.closingAnswer }, step: 'record', anchor: 'closingAnswer' });
  if (draft.refusal) {
    if (!draft.refusal.reason || !draft.refusal.witnessName) out.push({ key: 'missRefusal', params: {}, step: 'sign' });
    if (draft.refusal.witnessIDNumber && !validIDNumber(draft.refusal.witnessIDNumber)) out.push({ key: 'missWitnessID', params: {}, step: 'sign' });
    if (!draft.signatures.witness) out.push({ key: 'missWitnessSign', params: {}, step: 'sign' });
  } else if (!draft.signatures.party) {
    out.push({ key: 'missPartySign', params: {}, step: 'sign' });
  }
  for (const person of people) {
    if (!draft.signatures[`inspector:${person.id}`]) out.push({ key: 'missInspectorSign', params: { name: person.displayName }, step: 'sign' });
  }
  return out;
}
