// The steps of an inspection form, each a function of the model returning markup.
import { orderRows } from './orders.js';
import { html } from '../lib/html.js';
import { t, clockTime, reasonText, mutationLabel, fieldLabel } from '../i18n.js';
import { templateItems, parseNumber, PARTY_ANSWERS, isUnconfirmed } from '../record.js';
import { characterisingWords, affirmsRecord } from '../checks.js';
import { validIDNumber } from '../idnumber.js';

const REFUSAL_INPUTS = [['witnessIDNumber', 'text'], ['witnessUnit', 'text'], ['witnessPhone', 'tel'], ['recordingFileNo', 'text'],
  ['recordingDevice', 'text'], ['recordingStartedAt', 'datetime-local']];

export const STEPS = ['checklist', 'samples', 'photos', 'record', 'sign', 'review'];
const STEP_TITLES = { checklist: 'stepChecklist', samples: 'stepSamples', photos: 'stepPhotos', record: 'stepRecord', sign: 'stepSign', review: 'stepReview' };
export const stepTitle = (step) => t(STEP_TITLES[step]);

export function notices(m) {
  const { draft } = m;
  const decision = latestReturn(draft);
  const rejections = draft.rejections || [];
  const conflicts = (draft.conflicts || []).filter((c) => c.status === 'open');
  return html`
    ${draft.caseNumber ? html`<div class="card"><span class="badge ok">${t('caseNumber', { n: draft.caseNumber })}</span></div>` : ''}
    ${decision && ['returned', 'editing'].includes(draft.phase) ? html`<div class="card decision" data-testid="decision">
      <h2>${t('decisionTitle')}：${t('statusReturned')}</h2>
      <div>${decision.comment || ''}</div><div class="muted small">${t('reviewer', { name: decision.reviewerName || '' })} ${clockTime(decision.createdAt)}</div>
      ${draft.phase === 'returned' ? html`<button class="btn primary block" data-action="amend" data-testid="amend" style="margin-top:10px">${t('amend')}</button>` : ''}
    </div>` : ''}
    ${rejections.length ? html`<div class="card" data-testid="rejections"><h2 class="error">${t('rejectedTitle')}</h2>
      ${rejections.map((r) => html`<div class="warning" data-testid="rejection"><b>${mutationLabel(r.name)}</b>
        ${(r.reasons || []).map((reason) => html`<div>${fieldLabel(reason.field) ? html`<span class="muted">${fieldLabel(reason.field)}：</span>` : ''}${reasonText(reason)}</div>`)}</div>`)}
      ${m.editable || draft.phase === 'submitted' ? html`<button class="btn block" data-action="resend" data-testid="resend">${t('resend')}</button>` : ''}
    </div>` : ''}
    ${conflicts.length ? html`<div class="card" data-testid="conflicts"><h2 class="error">${t('conflictTitle')}</h2>
      ${conflicts.map((c) => html`<div class="warning">${t('conflictField', { field: c.field, server: fmt(c.serverValue), client: fmt(c.clientValue) })}
        ${m.editable ? html`<button class="btn" data-action="use-mine" data-conflict="${c.id}">${t('useMine')}</button>` : ''}</div>`)}
    </div>` : ''}`;
}

const fmt = (v) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function latestReturn(draft) {
  const returns = (draft.decisions || []).filter((d) => d.decision === 'return');
  return returns.length ? returns[returns.length - 1] : null;
}

// ------------------------------------------------------------------ checklist
export function checklist(m) {
  const { template, draft } = m;
  const comments = (latestReturn(draft) || {}).itemComments || {};
  return html`${(template.sections || []).map((section) => html`
    <div class="card" data-section="${section.key}"><div class="row"><h2>${section.title}</h2></div>
      ${section.items.map((item) => checklistItem(m, item, comments[item.key]))}
      ${m.editable ? html`<button class="btn block" data-action="section-pass" data-section="${section.key}" data-testid="section-pass">${t('markRestPass')}</button>` : ''}
    </div>`)}`;
}

function checklistItem(m, item, comment) {
  const f = m.draft.findings[item.key] || {};
  const photos = m.draft.photos.filter((p) => p.itemKey === item.key);
  const numberError = item.kind === 'number' && f.raw ? parseNumber(f.raw, item).error : null;
  return html`<div class="item-card ${comment ? 'flagged' : ''}" id="item-${item.key}" data-item-card="${item.key}">
    <div class="item-label">${item.key} ${item.label}
      ${item.required ? html`<span class="badge">${t('required')}</span>` : ''}
      ${item.photo_required ? html`<span class="badge warn">${t('photoRequired')}</span>` : ''}</div>
    ${item.hint ? html`<div class="item-hint">${item.hint}</div>` : ''}
    ${item.legal_basis ? legalBasis(item) : ''}
    ${comment ? html`<div class="warning" data-testid="item-comment">${t('reviewerComment', { text: comment })}</div>` : ''}
    ${answer(item, f)}
    ${item.kind === 'number' ? html`<div class="error small" data-role="num-error" data-item="${item.key}">${numberError ? t(numberError.key, numberError.params) : ''}</div>` : ''}
    <label class="field ${f.note || f.result === 'fail' ? '' : 'hidden'}" data-role="note" data-item="${item.key}"><span>${t('note')}</span>
      <textarea data-edit="finding-note" data-item="${item.key}" rows="2" style="min-height:64px">${f.note || ''}</textarea></label>
    <div class="thumbs">${photos.map((p) => picture(m, p, p.caption || item.key))}</div>
    ${m.editable ? html`<div class="tools">
      <label class="btn file-btn">${t('takePhoto')}<input type="file" accept="${PHOTO_ACCEPT}" capture="environment" data-file="item" data-item="${item.key}" data-testid="photo-${item.key}"></label>
      ${f.note || f.result === 'fail' ? '' : html`<button class="btn" data-action="show-note" data-item="${item.key}">${t('addNote')}</button>`}
    </div>` : ''}
  </div>`;
}

// 依据: the short citation; tapping it opens the words of the cited clauses, which the template
// carries (basis_text), so they show without a signal. Citations not yet checked say 待核.
function legalBasis(item) {
  const pending = (item.basis_pending || []).length ? html`<span class="badge warn" data-testid="basis-pending-${item.key}">${t('basisPending')}</span>` : '';
  if (!item.basis_text) return html`<div class="item-hint">${t('legalBasis')}：${item.legal_basis}${pending}</div>`;
  return html`<details class="item-hint basis" data-testid="basis-${item.key}"><summary>${t('legalBasis')}：${item.legal_basis}${pending}</summary>
    <div class="basis-text" data-testid="basis-text-${item.key}">${item.basis_text}</div>
    <div class="small">${t('basisVersion', { date: item.basis_version })}</div></details>`;
}

function answer(item, f) {
  if (item.kind === 'pass_fail_na') {
    return html`<div class="seg" role="group" data-item="${item.key}">${['pass', 'fail', 'na'].map((v) => html`
      <button type="button" data-action="result" data-item="${item.key}" data-value="${v}" aria-pressed="${f.result === v}" data-testid="${item.key}-${v}">${t(v)}</button>`)}</div>`;
  }
  if (item.kind === 'choice') {
    return html`<div class="choices" data-item="${item.key}">${(item.choices || []).map((c) => html`
      <button type="button" data-action="choice" data-item="${item.key}" data-value="${c}" aria-pressed="${f.value === c}">${c}</button>`)}</div>`;
  }
  if (item.kind === 'number') {
    return html`<div class="row" style="margin-top:8px"><input type="text" inputmode="decimal" data-edit="finding-value" data-item="${item.key}"
      data-testid="value-${item.key}" value="${f.raw ?? (f.value ?? '')}"><span style="flex:0 0 auto">${item.unit || ''}</span></div>`;
  }
  if (item.kind === 'date') {
    return html`<input type="date" style="margin-top:8px" data-edit="finding-value" data-item="${item.key}" data-testid="value-${item.key}" value="${f.value || ''}">`;
  }
  return html`<input type="text" style="margin-top:8px" data-edit="finding-value" data-item="${item.key}" data-testid="value-${item.key}" value="${f.value || ''}">`;
}

// ------------------------------------------------------------------ samples
const SAMPLE_INPUTS = [['name', 'sampleName', 'text', true], ['brand', 'brand', 'text'], ['spec', 'spec', 'text'], ['batchNo', 'batchNo', 'text'],
  ['productionDate', 'productionDate', 'date'], ['maker', 'maker', 'text'], ['standard', 'standard', 'text'], ['quantity', 'quantity', 'text', true],
  ['baseQuantity', 'baseQuantity', 'text', true], ['backupQuantity', 'backupQuantity', 'text'], ['sealNumbers', 'sealNumbers', 'text', true],
  ['sampleNo', 'sampleNo', 'text'], ['sampledAt', 'sampledAt', 'datetime-local'], ['labName', 'labName', 'text'], ['pricePaid', 'pricePaid', 'text'],
  ['backupSealNumbers', 'backupSealNumbers', 'text'], ['backupStorage', 'backupStorage', 'text'], ['backupCondition', 'backupCondition', 'text'], ['note', 'note', 'text']];

// A stored value as an <input> shows it: lists comma-joined, instants as local datetime-local text.
function inputValue(value, type) {
  if (Array.isArray(value)) return value.join(', ');
  if (type === 'datetime-local' && value) return localInput(value);
  return value || '';
}

// An instant as datetime-local text in China time (UTC+8, no daylight saving), as the controller reads it.
export function localInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() + 8 * 3600000).toISOString().slice(0, 16);
}

export function samples(m) {
  const list = m.draft.samples;
  return html`<div class="card"><h2>${t('samples')}</h2>${list.length ? '' : html`<p class="muted">${t('noSamples')}</p>`}</div>
    ${list.map((s, i) => html`<div class="card" data-testid="sample" data-sample-card="${s.id}"><div class="row"><h2>${t('sampleN', { n: i + 1 })}</h2>
      ${m.editable ? html`<button class="btn danger" style="flex:0 0 auto" data-action="remove-sample" data-sample="${s.id}">${t('remove')}</button>` : ''}</div>
      ${SAMPLE_INPUTS.map(([field, label, type, req]) => html`<label class="field"><span>${t(label)}${req ? ' *' : ''}</span>
        <input type="${type}" data-edit="sample" data-sample="${s.id}" data-field="${field}" data-testid="sample-${field}"
          value="${inputValue(s[field], type)}"></label>`)}
      ${sampleSealing(m, s, i)}
      ${labResult((m.labResults || {})[s.id])}
    </div>`)}
    ${m.editable ? html`<button class="btn block" data-action="add-sample" data-testid="add-sample">＋ ${t('addSample')}</button>` : ''}`;
}

// A sample's lab result as the bureau entered it (SMP-O2): read-only, with the 复检 deadline.
function labReport(r, title) {
  return html`<div data-testid="lab-report" data-check-type="${r.checkType}">
    <p><strong>${t(title, { no: r.reportNo, lab: r.labName })}</strong> · <span data-testid="lab-conclusion">${t(`labConclusion_${r.conclusion}`)}</span></p>
    <ul>${(r.items || []).map((i) => html`<li data-testid="lab-item" data-verdict="${i.verdict}">${i.item}：${t('labMeasured', { value: `${i.measured}${i.unit || ''}` })}${i.declaredValue ? html`，${t('labDeclared', { value: `${i.declaredValue}${i.unit || ''}` })}` : ''}${i.requirementText ? html`（${i.requirementText}）` : ''} · ${t(`labVerdict_${i.verdict}`)}${i.isMandatory ? html` · ${t('labMandatory')}` : ''}</li>`)}</ul>
    ${r.retestDue ? html`<p data-testid="lab-retest-due">${t('labRetestDue', { date: r.retestDue })}${r.retestDueProvisional ? html` <span class="badge">${t('deadline_provisional')}</span>` : ''}</p>` : ''}
  </div>`;
}

function labResult(lab) {
  if (!lab) return '';
  return html`<div class="lab-result" data-testid="lab-result" data-lab-status="${lab.status}">
    <h3>${t('labResult')} · <span data-testid="lab-status">${t(`labStatus_${lab.status}`)}</span></h3>
    ${lab.labName ? html`<p class="muted">${t('labSentTo', { lab: lab.labName, date: lab.shippedOn || '' })}</p>` : ''}
    ${(lab.reports || []).map((r) => labReport(r, r.checkType === 'retest' ? 'labRetestReport' : 'labReport'))}
  </div>`;
}

// The photo of the sealed sample and the 被抽样单位's signature of its 抽样记录.
function sampleSealing(m, s, i) {
  const photos = m.draft.photos.filter((p) => (s.sealedPhotoIDs || []).includes(p.id));
  const signature = m.draft.signatures[`sample:${s.id}`];
  const stale = (m.stale || {})[`sample:${s.id}`]; // the 抽样记录 changed after it was signed
  return html`<div class="thumbs" data-testid="sealed-photos">${photos.map((p) => picture(m, p, t('sealedPhotoCaption', { n: i + 1 })))}</div>
    ${m.editable ? html`<label class="btn file-btn block">${t('sealedPhoto')}<input type="file" accept="${PHOTO_ACCEPT}" capture="environment" data-file="sample" data-sample="${s.id}" data-testid="sealed-photo"></label>` : ''}
    <div class="field" data-testid="sample-signature"><span>${t('signSampledParty')}</span>
      ${stale ? html`<div class="warning" data-testid="resign-needed">${t('resignNeeded', { revision: stale[0].revision, documents: staleNames(stale) })}</div>` : ''}
      ${signature ? html`<img class="sig-img" src="${m.thumbs[signature.imageSha256] || ''}" alt=""><div class="muted small">${signature.signerName || '—'} · ${t('signedAt', { time: clockTime(signature.signedAt) })}</div>`
        : html`<div class="muted">${t('notSigned')}</div>`}
      ${!m.editable ? '' : s.queued ? html`<button class="btn block" data-action="sign" data-slot="sample:${s.id}" data-testid="sign-sample">${signature ? t('resign') : t('sign')}</button>`
        : html`<div class="muted small">${t('signSampleFirst')}</div>`}</div>`;
}

// ------------------------------------------------------------------ evidence photos
// HEIC is named as well: some pickers do not count it under image/*.
const PHOTO_ACCEPT = 'image/*,.heic,.heif';

// The photo from this phone's copy or the server's; a placeholder while neither can be shown
// (a HEIC this browser cannot decode, before the server has made its copies).
function picture(m, p, alt) {
  const src = m.thumbs[p.displaySha256 || p.sha256];
  if (src) return html`<img src="${src}" alt="${alt}" data-testid="photo-img">`;
  return html`<div class="photo-placeholder" data-testid="photo-placeholder" role="img" aria-label="${alt}">${t('photoNoPreview')}</div>`;
}

export function photos(m) {
  const list = m.draft.photos;
  return html`<div class="card"><h2>${t('photos')}</h2>
    ${m.editable ? html`<label class="btn primary block file-btn">${t('takeEvidencePhoto')}
      <input type="file" accept="${PHOTO_ACCEPT}" capture="environment" data-file="evidence" data-testid="evidence-photo"></label>` : ''}
    <div data-role="photo-status" class="muted small"></div>
    ${list.length ? '' : html`<p class="muted">${t('noPhotos')}</p>`}
    ${list.map((p) => html`<div class="photo" data-testid="photo" data-photo-card="${p.id}">
      ${picture(m, p, '')}
      <div>
        ${p.itemKey ? html`<span class="badge">${p.itemKey}</span>` : ''}
        <input type="text" placeholder="${t('caption')}" data-edit="caption" data-photo="${p.id}" data-testid="caption" value="${p.caption || ''}">
        <div class="muted small" data-testid="photo-time">${t('photoTaken', { time: clockTime(p.exifTakenAt || p.takenAt) })}</div>
        ${p.remark ? html`<div class="warning small" data-testid="photo-remark">${t('photoRemark', { text: p.remark })}</div>` : ''}
        ${p.lat !== null && p.lat !== undefined ? html`<div class="muted small">${t('photoGps', { lat: p.lat.toFixed(5), lon: p.lon.toFixed(5) })}</div>` : ''}
        <div class="muted small" data-testid="photo-hash">${t('photoHash', { hash: p.sha256.slice(0, 16) })}…</div>
        <div class="small${!p.uploaded && p.processing === 'failed' ? ' warning' : ''}" data-role="upload" data-photo="${p.id}" data-testid="photo-upload">${uploadText(m, p)}</div>
        <div class="progress"><div data-role="bar" data-photo="${p.id}" style="width:${uploadPct(m, p)}%"></div></div>
        ${m.editable ? html`<button class="btn danger" style="margin-top:6px;min-height:40px" data-action="remove-photo" data-photo="${p.id}">${t('remove')}</button>` : ''}
      </div></div>`)}
  </div>`;
}

export function uploadPct(m, p) {
  if (p.uploaded) return 100;
  const parts = [m.uploads[p.displaySha256], p.sha256 !== p.displaySha256 ? m.uploads[p.sha256] : null].filter(Boolean);
  if (!parts.length) return 0;
  const size = parts.reduce((n, u) => n + u.size, 0);
  const done = parts.reduce((n, u) => n + (u.state === 'done' ? u.size : u.offset || 0), 0);
  return Math.floor((100 * done) / Math.max(size, 1));
}

export function uploadText(m, p) {
  const pct = uploadPct(m, p);
  const original = m.uploads[p.sha256];
  if (!p.uploaded && p.processing === 'failed') return t('uploadUndecodable');
  if (!p.uploaded && p.processing === 'pending') return t('uploadProcessing');
  if (pct >= 100) return t('uploaded');
  if (original && original.state === 'held') return t('uploadHeld');
  return pct > 0 ? t('uploadProgress', { pct }) : t('uploadWaiting');
}

// ------------------------------------------------------------------ the written record
export function record(m) {
  const d = m.draft;
  const words = characterisingWords(d.narrative);
  const field = (name, label, rows, hint) => html`<label class="field"><span>${t(label)}</span>
    ${rows ? html`<textarea data-edit="field" data-field="${name}" data-testid="${name}" rows="${rows}">${d[name] || ''}</textarea>`
      : html`<input type="text" data-edit="field" data-field="${name}" data-testid="${name}" value="${d[name] || ''}">`}
    ${hint ? html`<div class="muted small">${t(hint)}</div>` : ''}</label>`;
  return html`<div class="card">
    ${field('onSitePerson', 'onSitePerson')}
    ${field('partyNotified', 'partyNotified', 2)}
    ${partyAnswer(d, 'certificatesAnswer')}
    ${partyAnswer(d, 'recusalAnswer')}
    ${field('narrative', 'narrative', 8, 'narrativeHint')}
    <div data-role="narrative-warning" data-testid="narrative-warning">${words.length ? html`<div class="warning">${t('narrativeWarning', { words: words.join('、') })}</div>` : ''}</div>
    ${field('partyStatement', 'partyStatement', 4)}
    ${partyAnswer(d, 'closingAnswer')}
  </div>`;
}

// One of the party's answers: the usual ones to tap, or the party's own words; nothing preset.
// With a refusal to sign, "以上记录属实" is not offered (and a typed one is flagged).
function partyAnswer(d, name) {
  const value = d[name] || '';
  const unconfirmed = isUnconfirmed(d, name);
  const contradicts = name === 'closingAnswer' && d.refusal && affirmsRecord(value);
  return html`<div class="field" id="item-${name}" data-answer="${name}"><span>${t(name)} *</span>
    <div class="choices">${PARTY_ANSWERS[name].map((c) => html`<button type="button" data-action="answer" data-field="${name}"
      data-value="${c.value}" aria-pressed="${value === c.value && !unconfirmed}" ${name === 'closingAnswer' && d.refusal && affirmsRecord(c.value) ? 'disabled' : ''}>${t(c.label)}</button>`)}</div>
    <input type="text" data-edit="field" data-field="${name}" data-testid="${name}" value="${value}" placeholder="${t('answerOwnWords')}">
    ${value ? '' : html`<div class="muted small" data-role="unanswered">${t('answerNotGiven')}</div>`}
    ${unconfirmed ? html`<div class="warning" data-testid="answer-unconfirmed">${t('answerPreset')}</div>` : ''}
    ${contradicts ? html`<div class="warning" data-testid="closing-contradiction">${t('closingContradictsRefusal', { answer: value })}</div>` : ''}
  </div>`;
}

export function narrativeWarning(text) {
  const words = characterisingWords(text);
  return words.length ? html`<div class="warning">${t('narrativeWarning', { words: words.join('、') })}</div>` : html``;
}

// ------------------------------------------------------------------ signatures
export function sign(m) {
  const d = m.draft;
  const slotCard = (slot) => {
    const s = d.signatures[slot.slot];
    const title = slotTitle(slot);
    const stale = (m.stale || {})[slot.slot];
    return html`<div class="card" data-testid="sign-${slot.role}" data-slot-card="${slot.slot}"><h2>${title}</h2>
      ${stale ? html`<div class="warning" data-testid="resign-needed">${t('resignNeeded', { revision: stale[0].revision, documents: staleNames(stale) })}</div>` : ''}
      ${s ? html`<img class="sig-img" src="${m.thumbs[s.imageSha256] || ''}" alt=""><div class="muted small">${s.signerName || '—'} · ${t('signedAt', { time: clockTime(s.signedAt) })}</div>`
        : html`<div class="muted">${t('notSigned')}</div>`}
      ${m.editable ? html`<button class="btn block" style="margin-top:8px" data-action="sign" data-slot="${slot.slot}" data-testid="sign-button">${s ? t('resign') : t('sign')}</button>` : ''}
      ${slot.role === 'party' ? html`<label class="choice" style="margin-top:10px"><input type="checkbox" data-action="toggle-refusal" data-testid="refuse" ${d.refusal ? 'checked' : ''} ${m.editable ? '' : 'disabled'}> ${t('partyRefuses')}</label>
        ${d.refusal ? html`<label class="field"><span>${t('refusalReason')} *</span><input type="text" data-edit="refusal" data-field="reason" data-testid="refusal-reason" value="${d.refusal.reason || ''}"></label>
          <label class="field"><span>${t('witnessName')} *</span><input type="text" data-edit="refusal" data-field="witnessName" data-testid="refusal-witness" value="${d.refusal.witnessName || ''}"></label>
          ${REFUSAL_INPUTS.map(([name, type]) => html`<label class="field"><span>${t(name)}</span><input type="${type}" data-edit="refusal" data-field="${name}" data-testid="refusal-${name}" value="${inputValue(d.refusal[name], type)}"></label>`)}
          ${d.refusal.witnessIDNumber && !validIDNumber(d.refusal.witnessIDNumber) ? html`<div class="error small" data-testid="refusal-id-error">${t('badIDNumber')}</div>` : ''}
          ${affirmsRecord(d.closingAnswer) ? html`<div class="warning" data-testid="closing-contradiction">${t('closingContradictsRefusal', { answer: d.closingAnswer })}</div>` : ''}` : ''}` : ''}
    </div>`;
  };
  return html`${m.slots.filter((slot) => slot.role !== 'sampled_party').map(slotCard)}`;
}

export function slotTitle(slot) {
  if (slot.role === 'party') return t('signParty');
  if (slot.role === 'witness') return t('signWitness');
  if (slot.role === 'evidence_provider') return t('signProvider');
  if (slot.role === 'sampled_party') return t('signSampledParty');
  return t('signInspector', { name: slot.name });
}

// The documents a signature attests that changed since, by name: 现场笔录、证据提取单 2 张.
function staleNames(stale) {
  const evidence = stale.filter((x) => x.document.startsWith('evidence')).length;
  const names = stale.filter((x) => x.document === 'on_site' || x.document === 'sampling')
    .map((x) => t(x.document === 'on_site' ? 'docOnSite' : 'docSampling'));
  if (evidence) names.push(`${t('docEvidence')} ×${evidence}`);
  return names.join('、');
}

// Asked when a photo's time or place is far from the inspection's: why it belongs to this case.
export function photoReasonSheet(phrases) {
  return html`<h2>${t('photoDeviationTitle')}</h2>
    <p class="warning" data-testid="photo-deviation">${t('photoDeviationHint', { what: phrases.join('，') })}</p>
    <label class="field"><span>${t('photoReason')}</span><textarea data-role="reason" data-testid="photo-reason" rows="3"></textarea></label>
    <p class="error" data-role="sheet-error"></p>
    <div class="row" style="margin-top:10px">
      <button class="btn" data-sheet="cancel" data-testid="photo-reason-cancel">${t('cancel')}</button>
      <button class="btn primary" data-sheet="ok" data-testid="photo-reason-ok">${t('attachAnyway')}</button>
    </div>`;
}

export function signSheet(title, signerName, askName) {
  return html`<h2>${title}</h2>
    ${askName ? html`<label class="field"><span>${t('signerName')}</span><input type="text" data-role="signer" data-testid="signer-name" value="${signerName || ''}"></label>` : ''}
    <p class="muted small">${t('signHere')}</p>
    <canvas data-role="pad" data-testid="signature-pad"></canvas>
    <p class="error" data-role="sheet-error"></p>
    <div class="row" style="margin-top:10px">
      <button class="btn" data-sheet="cancel">${t('cancel')}</button>
      <button class="btn" data-sheet="clear">${t('clear')}</button>
      <button class="btn primary" data-sheet="ok" data-testid="signature-ok">${t('confirm')}</button>
    </div>`;
}

// ------------------------------------------------------------------ review and submit
export function review(m) {
  const missing = m.missing;
  return html`<div class="card" data-testid="review"><h2>${t('reviewTitle')}</h2>
    <div class="muted">${m.draft.party ? m.draft.party.name : ''} · ${m.draft.templateTitle}</div>
    <div class="muted small">${t('stepChecklist')} ${templateItems(m.template).length} · ${t('photosCount', { n: m.draft.photos.length })} · ${t('samples')} ${m.draft.samples.length}</div>
    ${characterisingWords(m.draft.narrative).length ? narrativeWarning(m.draft.narrative) : ''}
    ${Object.keys(m.stale || {}).length ? html`<p class="warning" data-testid="resign-count">${t('resignCount', { n: Object.keys(m.stale).length })}
      <button class="btn" data-action="goto" data-step="sign" data-anchor="">${t('goFix')}</button></p>` : ''}
    ${missing.length ? html`<p class="error" data-testid="missing-count">${t('missingItems', { n: missing.length })}</p>
      <ul class="list missing" data-testid="missing">${missing.map((x) => html`<li><span>${t(x.key, x.params)}</span>
        <button class="btn" data-action="goto" data-step="${x.step}" data-anchor="${x.anchor || ''}">${t('goFix')}</button></li>`)}</ul>`
      : html`<p class="ok" data-testid="nothing-missing">✓ ${t('nothingMissing')}</p>`}
  </div>
  <div class="card" data-testid="rectifications"><h2>${t('rectTitle')}</h2>
    ${orderRows(m.orders || [])}
    <button class="btn block" data-action="rectify" data-testid="rectify-start">${t('rectStart')}</button>
  </div>`;
}
