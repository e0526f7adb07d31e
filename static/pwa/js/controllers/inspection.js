// One inspection, from choosing the checklist to submitting, and amending after a return.
// Every edit is kept in memory, saved to IndexedDB within 300 ms (and at once when the page is
// hidden, with a synchronous copy for a page that is closing), and turned into outbox mutations
// so sync can start before the record is submitted.
import { openClocks } from '../todo.js';
import * as store from '../store.js';
import * as rec from '../record.js';
import { missingItems, SAMPLE_REQUIRED } from '../checks.js';
import { checkAsTyped, checkCreditCode, normalise } from '../creditcode.js';
import { processCapture, currentPosition, objectURL, PhotoError, showsInBrowser } from '../photos.js';
import { photoDeviation, deviationPhrases } from '../provenance.js';
import { SignaturePad } from '../signature.js';
import { validIDNumber, normaliseID } from '../idnumber.js';
import { documentContents, documentsFor, contentHash, recordFromDraft, staleDocuments } from '../content.js';
import { previewSheet } from '../views/preview.js';
import { caseOrders } from '../views/orders.js';
import { mount } from '../lib/html.js';
import { sha256Hex } from '../lib/bytes.js';
import { uuid, nowISO } from '../lib/ids.js';
import { call, authHeaders, fetchWithTimeout } from '../api.js';
import { t } from '../i18n.js';
import { SetupView, LICENCE_KINDS } from '../views/setup.js';
import { FormView } from '../views/form.js';
import { STEPS, slotTitle } from '../views/steps.js';

const SAVE_DELAY_MS = 300;
const asList = (value) => value.split(/[,，、\s]+/).filter(Boolean);
// A datetime-local input's text as an instant; it is China time, as every time on the phone is
// shown (i18n clockTime) whatever zone the phone is set to. '' stays empty.
const asInstant = (value) => (value ? new Date(`${value}:00+08:00`).toISOString() : null);
const INSTANT_FIELDS = ['sampledAt', 'recordingStartedAt'];
const DIRTY_SETS = ['fields', 'findings', 'samples', 'photos'];

const noEdits = () => ({ draft: false, fields: new Set(), findings: new Set(), samples: new Set(), photos: new Set(), refusal: false });
const hasEdits = (dirty) => dirty.draft || dirty.refusal || DIRTY_SETS.some((k) => dirty[k].size > 0);

// Several edit sets as one, e.g. to keep the current edits together with saves still in flight.
function joinEdits(list) {
  const out = noEdits();
  for (const dirty of list) {
    out.draft = out.draft || dirty.draft;
    out.refusal = out.refusal || dirty.refusal;
    for (const k of DIRTY_SETS) for (const x of dirty[k]) out[k].add(x);
  }
  return out;
}

const editsToJSON = (dirty) => ({ ...dirty, ...Object.fromEntries(DIRTY_SETS.map((k) => [k, [...dirty[k]]])) });
const editsFromJSON = (data) => ({ ...noEdits(), ...data, ...Object.fromEntries(DIRTY_SETS.map((k) => [k, new Set(data[k] || [])])) });

// The hashes of the documents a signer of `role` attests (content.js documentsFor).
function onlyFor(role, hashes) {
  return Object.fromEntries(documentsFor(role, Object.keys(hashes)).map((k) => [k, hashes[k]]));
}

export class InspectionController {
  constructor({ shell, sync, session, navigate }) {
    Object.assign(this, { shell, sync, session, navigate });
    this.draft = null;
    this.thumbs = {};
    this.saving = Promise.resolve(true);
    this.inFlight = []; // edit sets handed to saves that have not finished
    this.saveError = null;
    this.resetDirty();
    sync.addEventListener('progress', (e) => this.onProgress(e.detail));
    sync.addEventListener('changed', () => this.onServerChange());
  }

  me() { return this.session.session.user; }

  resetDirty() { this.dirty = noEdits(); }

  // ---------------------------------------------------------------- opening
  async create() {
    const draft = rec.newDraft(this.me());
    await store.commit(draft);
    this.navigate(`#/i/${draft.id}`);
  }

  // An inspection for a task (检查任务): its party and the co-inspector on the task filled in, the
  // checklist chosen in setup as for any record. The server links the record to the task.
  async createFromTask(task) {
    const me = this.me();
    const draft = rec.newDraft(me);
    draft.taskID = task.id;
    if (task.party) {
      draft.party = { ...((await store.serverRow('party', String(task.party.id))) || task.party) };
      draft.place = draft.party.address || '';
    }
    const co = (task.assignees || []).find((a) => !a.recused && a.userID !== me.id);
    if (co) {
      draft.coInspector = { id: co.userID, displayName: co.displayName, certNo: co.certNo };
      draft.inspectorIDs = [me.id, co.userID];
    }
    await store.commit(draft);
    this.navigate(`#/i/${draft.id}`);
  }

  // The screen being built: a picture the camera returns while this record's screen is rebuilt
  // (a tap on its step bar) waits for it rather than being refused as taken for a closed record.
  show(id, step) {
    this.showing = this.showRecord(id, step);
    return this.showing;
  }

  async showRecord(id, step) {
    if (!this.draft || this.draft.id !== id) {
      if (this.draft && !(await this.flush())) {
        // The open record is not on disk: keep it in memory (and on screen) rather than drop it.
        this.navigate(`#/i/${this.draft.id}`);
        return;
      }
      const draft = await store.getDraft(id);
      if (!draft) { this.navigate('#/home'); return; }
      this.draft = rec.upgradeDraft(draft);
      this.resetDirty();
      this.saveError = null;
      this.savedAt = draft.updatedAt;
    } else {
      const stored = await store.getDraft(id); // another screen (责令改正) may have added to it
      if (stored) rec.adoptServerState(this.draft, stored);
    }
    this.colleagues = (await store.colleagues()).filter((c) => c.id !== this.me().id);
    if (this.draft.phase === 'setup') { await this.showSetup(); return; }
    this.step = STEPS.includes(step) ? step : 'checklist';
    this.template = (await store.template(this.draft.templateID)) || { sections: [] };
    await this.renderForm(this.pendingAnchor);
    this.pendingAnchor = null;
  }

  leave() { this.flush(); this.view = null; this.setupView = null; }

  async openReturned(id) {
    if (!(await store.getDraft(id))) {
      const draft = await this.draftFromServer(id);
      if (!draft) return;
      await store.commit(draft);
    }
    this.navigate(`#/i/${id}/review`);
  }

  // A returned case known only from the server (e.g. after reinstalling): rebuild the record.
  async draftFromServer(id) {
    const v = await store.serverRow('inspection', id);
    if (!v) return null;
    const me = this.me();
    const rows = async (type) => (await store.rowsOfType(type)).filter((r) => r.value.inspectionID === id);
    const [findings, samples, photos, signatures, decisions] = await Promise.all(['finding', 'sample', 'photo', 'signature', 'decision'].map(rows));
    const partyID = String(v.partyID || (v.party && v.party.id));
    const party = (await store.serverRow('party', partyID)) || v.party || { id: partyID, name: v.partyName || '' };
    const template = await store.template(v.templateID);
    const inspectorIDs = v.inspectorIDs || (v.inspectors || []).map((i) => i.userID);
    const coID = inspectorIDs.find((x) => x !== me.id);
    const co = this.colleagues ? this.colleagues.find((c) => c.id === coID) : (await store.colleagues()).find((c) => c.id === coID);
    const draft = { ...rec.newDraft(me), id, phase: 'returned', templateID: v.templateID, templateTitle: template ? template.title : '',
      party, coInspector: co || (coID ? { id: coID, displayName: String(coID) } : null), inspectorIDs,
      place: v.place || '', lat: v.lat ?? null, lon: v.lon ?? null, gpsAccuracyM: v.gpsAccuracyM ?? null,
      startedAt: v.startedAt || v.startedAtDevice || null, endedAt: v.endedAt || v.endedAtDevice || null,
      certificatesAnswer: v.certificatesAnswer || '', recusalAnswer: v.recusalAnswer || '', narrative: v.narrative || '',
      partyStatement: v.partyStatement || '', closingAnswer: v.closingAnswer || '', onSitePerson: v.onSitePerson || '',
      partyNotified: v.partyNotified || '', revision: v.revision || 1,
      caseNumber: v.caseNumber || null, serverStatus: v.status, baseVersions: {}, decisions: decisions.map((r) => ({ ...r.value, id: r.id })) };
    draft.baseVersions[`inspection:${id}`] = (await store.rowsOfType('inspection')).find((r) => r.id === id).version;
    for (const { value: f, version } of findings) {
      draft.findings[f.itemKey] = { id: f.id, result: f.result || null, value: f.value ?? null, raw: f.value === null || f.value === undefined ? '' : String(f.value), note: f.note || '' };
      draft.baseVersions[`finding:${f.id}`] = version;
    }
    draft.samples = samples.map(({ value: s }) => ({ ...s, queued: true }));
    draft.photos = photos.map(({ value: p }) => ({ ...p, displaySha256: p.displaySha256 || p.sha256, takenAt: p.takenAt || p.takenAtDevice }));
    for (const { value: s } of signatures) {
      if (s.status === 'refused') {
        draft.refusal = { id: s.id, reason: s.refusalReason, witnessName: s.witnessName, at: s.signedAtDevice, queued: true,
          attests: s.attests || null, confirmation: s.confirmation || null };
        for (const f of rec.REFUSAL_DETAILS) if (s[f]) draft.refusal[f] = s[f];
      } else draft.signatures[rec.slotOf(s)] = { id: s.id, role: s.role, signerName: s.signerName, userID: s.userID, sampleID: s.sampleID || null, imageSha256: s.imageSha256, signedAt: s.signedAtDevice || s.signedAt,
        attests: s.attests || null, confirmation: s.confirmation || null };
    }
    return draft;
  }

  // ---------------------------------------------------------------- setup (before 开始检查)
  async showSetup() {
    const hash = location.hash;
    // Retired and superseded checklist versions are still pulled (old cases render with them) but
    // only the newest published version of each checklist is offered for new ones.
    const all = await store.templates();
    const newest = {};
    for (const tpl of all) if (tpl.status === 'published' && !(newest[tpl.key] && newest[tpl.key].version > tpl.version)) newest[tpl.key] = tpl;
    const templates = all.filter((tpl) => newest[tpl.key] === tpl || tpl.id === this.draft.templateID);
    const model = { draft: this.draft, templates, colleagues: this.colleagues,
      parties: await store.searchParties(this.query || ''), query: this.query, creatingParty: this.creatingParty };
    if (location.hash !== hash) return;
    this.shell.setTitle(t('setupTitle'), { back: true });
    if (!this.setupView || !this.setupView.section.isConnected) {
      this.setupView = new SetupView(this.shell.screen());
      this.setupView.bindAction((action, id) => this.setupAction(action, id));
      this.setupView.bindInput((name, value) => this.setupInput(name, value));
    }
    this.setupView.render(model);
  }

  async setupAction(action, id) {
    const d = this.draft;
    if (action === 'template') {
      const tpl = await store.template(id);
      d.templateID = tpl.id;
      d.templateTitle = tpl.title;
    } else if (action === 'party') {
      d.party = { ...(await store.serverRow('party', id)) };
      if (!d.place) d.place = d.party.address || '';
      // Another party than the task's: an inspection of its own, not the task's.
      const task = d.taskID ? await store.serverRow('task', d.taskID) : null;
      if (task && task.partyID && task.partyID !== d.party.id) d.taskID = null;
    } else if (action === 'change-party') d.party = null;
    else if (action === 'new-party') this.creatingParty = { name: this.query || '' };
    else if (action === 'cancel-party') this.creatingParty = null;
    else if (action === 'save-party') { await this.saveParty(); return; }
    else if (action === 'save-party-details') { await this.savePartyDetails(); return; }
    else if (action === 'co') {
      const c = this.colleagues.find((x) => String(x.id) === id);
      d.coInspector = { id: c.id, displayName: c.displayName, certNo: c.certNo };
      d.inspectorIDs = [this.me().id, c.id];
    } else if (action === 'gps') { await this.takeGps(); return; }
    else if (action === 'start') { await this.start(); return; }
    else if (action === 'delete-draft') { await this.deleteDraft(); return; }
    this.dirty.draft = true;
    await this.flush();
    await this.showSetup();
  }

  async setupInput(name, value) {
    if (name === 'search') {
      this.query = value;
      this.setupView.showParties(await store.searchParties(value));
      clearTimeout(this.searchTimer);
      if (navigator.onLine && value.trim().length >= 2) {
        this.searchTimer = setTimeout(async () => {
          try {
            const found = await call(`/api/v1/parties?q=${encodeURIComponent(value.trim())}`, { timeoutMs: 8000 });
            await store.putServerRows('party', found.parties || []);
            if (this.query === value && this.setupView) this.setupView.showParties(await store.searchParties(value));
          } catch (_) { /* offline search already shown */ }
        }, 400);
      }
    } else if (name.startsWith('party:')) {
      const field = name.slice(6);
      if (field === 'operatorIDNumber') this.setupView.showOperatorIDCheck(value.trim().length >= 18 ? validIDNumber(value) : null);
      if (!this.creatingParty) return; // the chosen party's details: read when saved
      this.creatingParty[field] = value;
      if (field === 'creditCode') {
        this.setupView.showCreditCheck(value ? checkAsTyped(value) : { valid: null, length: 0 });
        const stated = { 91: 'enterprise', 92: 'individual', 93: 'cooperative' }[normalise(value).slice(0, 2)];
        this.creatingParty.entityType = this.setupView.suggestEntityType(stated);
      }
    } else if (name === 'edit:place') {
      this.draft.place = value;
      this.dirty.draft = true;
      this.scheduleSave();
    }
  }

  async saveParty() {
    const form = this.setupView.partyFormValues();
    if (!form.name) return;
    let creditCode = null;
    if (form.creditCode) {
      const check = checkCreditCode(form.creditCode);
      this.setupView.showCreditCheck(check);
      if (!check.valid) return;
      creditCode = normalise(form.creditCode);
    }
    if (form.operatorIDNumber && !validIDNumber(form.operatorIDNumber)) { this.setupView.showOperatorIDCheck(false); return; }
    const licences = mergeLicences([], form);
    const party = { id: uuid(), name: form.name, creditCode, legalRep: form.legalRep || null, address: form.address || null, phone: form.phone || null,
      entityType: form.entityType || null, operatorIDNumber: form.operatorIDNumber ? normaliseID(form.operatorIDNumber) : null, licences, local: true };
    this.draft.party = party;
    if (!this.draft.place) this.draft.place = party.address || '';
    this.creatingParty = null;
    await this.saving;
    await store.commit(this.draft, [rec.partyCreate(party)], { parties: [party] });
    this.sync.request('edit');
    await this.showSetup();
  }

  // What the inspector added to a chosen party's record, sent as party.update.v1 (merged per field
  // on the server like any edit of a party).
  async savePartyDetails() {
    const d = this.draft;
    const form = this.setupView.partyFormValues();
    if (form.operatorIDNumber && !validIDNumber(form.operatorIDNumber)) { this.setupView.showOperatorIDCheck(false); return; }
    const party = d.party;
    const fields = {};
    if ((form.entityType || null) !== (party.entityType || null)) fields.entityType = form.entityType || null;
    const id = form.operatorIDNumber ? normaliseID(form.operatorIDNumber) : null;
    if (id !== (party.operatorIDNumber || null)) fields.operatorIDNumber = id;
    const licences = mergeLicences(party.licences || [], form);
    if (JSON.stringify(licences) !== JSON.stringify(party.licences || [])) fields.licences = licences;
    if (!Object.keys(fields).length) return;
    d.party = { ...party, ...fields };
    await this.saving;
    await store.commit(d, [rec.partyUpdate(party, fields)]);
    this.sync.request('edit');
    this.shell.toast(t('partyDetailsSaved'));
    await this.showSetup();
  }

  async takeGps() {
    this.setupView.showGps(this.draft, t('gpsWaiting'));
    const pos = await currentPosition(20000);
    if (!pos || pos.error) { this.setupView.showGps(this.draft, t('gpsFailed', { msg: pos ? pos.error : '' })); return; }
    Object.assign(this.draft, { lat: pos.lat, lon: pos.lon, gpsAccuracyM: pos.accuracyM });
    this.dirty.draft = true;
    await this.flush();
    this.setupView.showGps(this.draft);
  }

  async start() {
    const d = this.draft;
    if (!d.templateID || !d.party || !d.coInspector) { this.shell.toast(t('setupMissing')); return; }
    await this.flush();
    d.startedAt = nowISO();
    rec.setPhase(d, 'editing');
    await store.commit(d, rec.recordMutations(d, { includeParty: false }));
    this.sync.request('edit');
    this.setupView = null;
    this.navigate(`#/i/${d.id}/checklist`);
  }

  // ---------------------------------------------------------------- the form
  async model() {
    const d = this.draft;
    const me = this.me();
    const byID = Object.fromEntries(this.colleagues.map((c) => [c.id, c]));
    if (d.coInspector) byID[d.coInspector.id] = byID[d.coInspector.id] || d.coInspector;
    const people = d.inspectorIDs.map((id) => (id === me.id ? me : byID[id] || { id, displayName: String(id) }));
    const uploads = Object.fromEntries((await store.listUploads()).filter((u) => u.inspectionID === d.id).map((u) => [u.sha256, u]));
    await this.loadThumbs();
    const { hashes } = await this.documents(people);
    const stale = {};
    for (const [slot, s] of Object.entries(d.signatures)) {
      const docs = staleDocuments(s.attests, onlyFor(s.role, hashes));
      if (docs.length) stale[slot] = docs;
    }
    // Lab results of this case's samples, as last pulled (read-only; keyed by the sample's id).
    const labResults = Object.fromEntries((await store.rowsOfType('lab_result'))
      .filter((r) => r.value && r.value.inspectionID === d.id).map((r) => [r.id, r.value]));
    // The case's 责令改正通知书: pulled (either inspector's, or the console's) and those not synced yet.
    const orders = caseOrders((await store.rowsOfType('rectification')).map((r) => r.value).filter((o) => o && o.inspectionID === d.id),
      d.rectifications, d.rejections || []);
    // The case clocks of this case (立案 decision, 先行登记保存 …), read-only, the nearest first.
    const caseClocks = openClocks((await store.rowsOfType('case_clock')).map((r) => r.value)
      .filter((c) => c && c.inspectionID === d.id));
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    return { draft: d, step: this.step, template: this.template, editable: rec.isEditable(d), deletable: rec.isDeletable(d), thumbs: this.thumbs, uploads, labResults, orders, caseClocks, today,
      savedAt: this.savedAt, saveError: this.saveError, slots: rec.signatureSlots(d, byID, me), missing: missingItems(d, this.template, people), stale };
  }

  // The people of the record as they print: the inspectors in order, with their certificate numbers.
  people() {
    const d = this.draft;
    const me = this.me();
    const byID = Object.fromEntries(this.colleagues.map((c) => [c.id, c]));
    if (d.coInspector) byID[d.coInspector.id] = byID[d.coInspector.id] || d.coInspector;
    return d.inspectorIDs.map((id) => (id === me.id ? me : byID[id] || { id, displayName: String(id) }));
  }

  // Each signable document's content and hash, as the server will build them (content.js).
  async documents(people = this.people()) {
    const contents = documentContents(recordFromDraft(this.draft, this.template, people));
    const hashes = {};
    for (const [key, content] of Object.entries(contents)) hashes[key] = await contentHash(content);
    return { contents, hashes };
  }

  // Before anyone signs: the record read-only, as it prints; resolves with what the signature
  // attests ({attests, confirmation}) once the signer confirmed 以上笔录我已看过 (or it was read aloud), else null.
  // The 被抽样单位经办人 (`role` sampled_party) sees and attests the 抽样记录, the 证据提供人 the
  // 证据提取单s; everyone else the whole record. A refusal attests the record before it is typed.
  async confirmRecord(role = null) {
    await this.flush();
    const d = this.draft;
    const all = await this.documents();
    const hashes = onlyFor(role, all.hashes);
    const contents = Object.fromEntries(Object.keys(hashes).map((k) => [k, all.contents[k]]));
    const photos = Object.fromEntries(d.photos.map((p) => [p.id, p]));
    const pages = Object.entries(contents).map(([key, content]) => ({ key, content,
      displaySha256: content.photoId && photos[content.photoId] ? photos[content.photoId].displaySha256 : null }));
    let index = 0;
    let seenAll = pages.length === 1;
    return new Promise((resolve) => {
      const draw = (holder) => {
        mount(holder.firstElementChild, previewSheet({ pages, index, thumbs: this.thumbs, title: t('previewTitle'), seenAll }));
      };
      const sheet = this.shell.openSheet(previewSheet({ pages, index, thumbs: this.thumbs, title: t('previewTitle'), seenAll }), (action, holder) => {
        if (action === 'next' || action === 'prev') {
          index = Math.max(0, Math.min(pages.length - 1, index + (action === 'next' ? 1 : -1)));
          if (index === pages.length - 1) seenAll = true;
          draw(holder);
          holder.firstElementChild.scrollTop = 0;
          return;
        }
        holder.remove();
        if (action === 'cancel') { resolve(null); return; }
        resolve({ confirmation: action, attests: Object.entries(hashes).map(([document, sha256]) => ({ document, sha256, revision: d.revision || 1 })) });
      });
      sheet.dataset.testid = 'preview';
    });
  }

  async renderForm(anchor) {
    const d = this.draft;
    const hash = location.hash;
    const model = await this.model();
    if (location.hash !== hash || !location.hash.startsWith(`#/i/${d.id}`)) return; // left meanwhile
    this.shell.setTitle(d.party ? d.party.name : t('newInspection'), { back: true });
    if (!this.view || !this.view.section.isConnected) {
      this.view = new FormView(this.shell.screen());
      this.view.bindAction((action, data, el) => this.act(action, data, el).catch((err) => this.reportSaveError(err)));
      this.view.bindEdit((kind, value, data) => this.edit(kind, value, data));
    }
    this.lastModel = model;
    this.view.render(this.lastModel);
    if (anchor) this.view.scrollTo(anchor);
  }

  // Stored bytes (or, online, the server's copy) as object URLs for <img>. A photo this browser
  // cannot show (a HEIC in Chrome) waits for the server's display copy, made once it has the bytes.
  async loadThumbs() {
    const d = this.draft;
    const wanted = [...d.photos.map((p) => ({ sha: p.displaySha256 || p.sha256, uploaded: !!p.uploaded, variant: p.displaySha256 ? 'thumb' : 'display' })),
      ...Object.values(d.signatures).map((s) => ({ sha: s.imageSha256, uploaded: false, variant: 'thumb' }))].filter((x) => x.sha);
    for (const { sha, uploaded, variant } of wanted) {
      if (this.thumbs[sha]) continue;
      const blob = await store.getBlob(sha);
      if (blob && showsInBrowser(blob.mediaType)) { this.thumbs[sha] = objectURL(blob.bytes, blob.mediaType); continue; }
      if (!navigator.onLine || (blob && !uploaded)) continue;
      try {
        const response = await fetchWithTimeout(`/api/v1/blobs/${sha}/${variant}`, { headers: authHeaders() }, 5000);
        if (response.ok) this.thumbs[sha] = URL.createObjectURL(await response.blob());
      } catch (_) { /* shown without a picture */ }
    }
  }

  edit(kind, value, data) {
    const d = this.draft;
    if (!d || !rec.isEditable(d)) return;
    if (kind === 'field') {
      d[data.field] = value;
      rec.confirmAnswer(d, data.field);
      this.dirty.fields.add(data.field);
      if (data.field === 'narrative') this.view.showNarrativeWarning(value);
    } else if (kind === 'finding-value') {
      const item = this.item(data.item);
      const f = rec.finding(d, data.item);
      if (item.kind === 'number') {
        f.raw = value;
        const parsed = rec.parseNumber(value, item);
        this.view.showNumberError(data.item, parsed.error ? t(parsed.error.key, parsed.error.params) : '');
        if (parsed.error) { this.dirty.draft = true; this.scheduleSave(); return; }
        f.value = parsed.value;
      } else {
        f.value = value || null;
      }
      this.dirty.findings.add(data.item);
    } else if (kind === 'finding-note') {
      rec.finding(d, data.item).note = value;
      this.dirty.findings.add(data.item);
    } else if (kind === 'sample') {
      const s = d.samples.find((x) => x.id === data.sample);
      s[data.field] = rec.SAMPLE_LISTS.includes(data.field) ? asList(value) : INSTANT_FIELDS.includes(data.field) ? asInstant(value) : value;
      this.dirty.samples.add(s.id);
    } else if (kind === 'caption') {
      d.photos.find((p) => p.id === data.photo).caption = value;
      this.dirty.photos.add(data.photo);
    } else if (kind === 'refusal') {
      d.refusal[data.field] = INSTANT_FIELDS.includes(data.field) ? asInstant(value) : value;
      this.dirty.refusal = true;
    }
    this.dirty.draft = true;
    this.scheduleSave();
  }

  item(key) { return rec.templateItems(this.template).find((i) => i.key === key); }

  scheduleSave() {
    if (this.view) this.view.showSaved(null);
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  // Write what changed (draft + coalesced mutations) in one transaction. Saves run in order.
  flush() {
    clearTimeout(this.saveTimer);
    const d = this.draft;
    const dirty = this.dirty;
    if (!d || !hasEdits(dirty)) return this.saving;
    this.resetDirty();
    this.inFlight.push(dirty);
    if (this.view) this.view.showSaved(null, this.saveError);
    const unqueued = d.samples.filter((x) => !x.queued).map((x) => x.id);
    const refusalQueued = !!(d.refusal && d.refusal.queued);
    const mutations = rec.isCreated(d) ? this.mutationsFor(dirty) : [];
    // Resolves true once stored; false when the save failed (the edit stays in memory and dirty,
    // so the next save retries it with its mutations, and the failure stays on screen).
    const settled = () => {
      this.inFlight = this.inFlight.filter((x) => x !== dirty);
      if (!this.inFlight.length && !hasEdits(this.dirty)) store.clearUnsavedEdits();
    };
    this.saving = this.saving.then(() => store.commit(d, mutations)).then(() => {
      settled();
      this.savedAt = nowISO();
      if (this.draft === d) this.saveError = null;
      if (this.view && this.draft === d) this.view.showSaved(this.savedAt);
      if (mutations.length) this.sync.request('edit');
      return true;
    }, (err) => {
      if (this.draft === d) this.restoreDirty(dirty);
      settled();
      // Nothing was queued: a sample or refusal marked queued by this save must be added next time.
      for (const x of d.samples) if (unqueued.includes(x.id)) x.queued = false;
      if (d.refusal && !refusalQueued) d.refusal.queued = false;
      this.reportSaveError(err);
      return false;
    });
    return this.saving;
  }

  // A failed save: put its changes back in the dirty sets (they are not on disk, nor queued).
  restoreDirty(dirty) {
    this.dirty = joinEdits([this.dirty, dirty]);
    this.dirty.draft = true;
  }

  // The page is being hidden, maybe closed or reloaded: a save started now may never reach
  // IndexedDB, so what is not stored yet is also kept synchronously, then saved as usual.
  saveBeforeHiding() {
    const pending = joinEdits([this.dirty, ...this.inFlight]);
    if (this.draft && hasEdits(pending)) store.keepUnsavedEdits(this.draft, editsToJSON(pending));
    return this.flush();
  }

  // On start: store the edits a closing page could only keep synchronously (saveBeforeHiding).
  // Replaying edits that did reach IndexedDB queues the same values again, which changes nothing.
  async recoverUnsavedEdits() {
    const kept = store.unsavedEdits();
    if (!kept || !kept.draft) return;
    const stored = await store.getDraft(kept.draft.id);
    // Another inspector's, or a record forgotten since (its deletion applied): nothing to store.
    if (kept.draft.owner !== this.me().id || !stored || stored.phase === 'deleted') { store.clearUnsavedEdits(); return; }
    this.draft = kept.draft;
    this.dirty = { ...editsFromJSON(kept.dirty || {}), draft: true };
    await this.flush(); // a failed save leaves the copy kept for the next start
    this.draft = null;
    this.resetDirty();
  }

  reportSaveError(err) {
    const msg = err && err.name === 'QuotaExceededError' ? t('storageFull') : String((err && err.message) || err);
    this.saveError = msg;
    if (this.view) this.view.showSaved(null, msg);
    this.shell.toast(t('notSaved', { msg }), 10000);
  }

  mutationsFor(dirty) {
    const d = this.draft;
    const out = [];
    if (dirty.fields.size) out.push(rec.inspectionUpdate(d, [...dirty.fields]));
    for (const key of dirty.findings) out.push(rec.findingSet(d, key));
    for (const id of dirty.samples) {
      const s = d.samples.find((x) => x.id === id);
      if (!s) continue;
      if (s.queued) out.push(rec.sampleUpdate(d, s));
      else if (SAMPLE_REQUIRED.every((f) => (Array.isArray(s[f]) ? s[f].length : s[f]))) { s.queued = true; out.push(rec.sampleAdd(d, s)); }
    }
    for (const id of dirty.photos) { const p = d.photos.find((x) => x.id === id); if (p) out.push(rec.photoUpdate(d, p)); }
    if (dirty.refusal && d.refusal && d.refusal.reason && d.refusal.witnessName
        && !(d.refusal.witnessIDNumber && !validIDNumber(d.refusal.witnessIDNumber))) {
      // As on the server, the refusal replaces the party's signature: the phone no longer shows one.
      delete d.signatures.party;
      d.refusal.queued = true;
      out.push(rec.signatureRefuse(d));
    }
    return out;
  }

  async act(action, data, el) {
    const d = this.draft;
    if (action === 'file-item' || action === 'file-evidence' || action === 'file-sample') {
      // The camera is another app and may return its picture after the inspector left the record
      // (or it became read-only): it is never attached to another record, nor dropped silently.
      const onRecord = d && (location.hash === `#/i/${d.id}` || location.hash.startsWith(`#/i/${d.id}/`));
      if (onRecord && d.id === data.record && !this.view) await this.showing;
      if (!d || d.id !== data.record || !this.view || !rec.isEditable(d)) { this.shell.showError(t('photoRecordClosed')); return; }
      await this.capture(el, action === 'file-item' ? data.item : null, action === 'file-sample' ? data.sample : null);
      return;
    }
    if (action === 'step') { await this.flush(); this.navigate(`#/i/${d.id}/${data.step}`); return; }
    if (action === 'next' || action === 'prev') {
      await this.flush();
      const i = STEPS.indexOf(this.step) + (action === 'next' ? 1 : -1);
      this.navigate(`#/i/${d.id}/${STEPS[Math.max(0, Math.min(STEPS.length - 1, i))]}`);
      return;
    }
    if (action === 'goto') { await this.flush(); this.pendingAnchor = data.anchor; this.navigate(`#/i/${d.id}/${data.step === 'setup' ? 'checklist' : data.step}`); return; }
    if (action === 'amend') { await this.amend(); return; }
    if (action === 'rectify') { await this.flush(); this.navigate(`#/rectify/${d.id}`); return; }
    if (action === 'delete-draft') { await this.deleteDraft(); return; }
    if (!rec.isEditable(d) && action !== 'resend') return;
    if (action === 'result') {
      rec.finding(d, data.item).result = data.value;
      this.view.setResult(data.item, data.value);
      this.markFinding(data.item);
    } else if (action === 'choice') {
      rec.finding(d, data.item).value = data.value;
      this.view.setChoice(data.item, data.value);
      this.markFinding(data.item);
    } else if (action === 'section-pass') {
      const section = this.template.sections.find((s) => s.key === data.section);
      for (const item of section.items) {
        if (item.kind === 'pass_fail_na' && !(d.findings[item.key] && d.findings[item.key].result)) {
          rec.finding(d, item.key).result = 'pass';
          this.dirty.findings.add(item.key);
        }
      }
      this.dirty.draft = true;
      await this.flush();
      await this.renderForm();
    } else if (action === 'answer') {
      d[data.field] = data.value;
      rec.confirmAnswer(d, data.field);
      this.dirty.fields.add(data.field);
      this.dirty.draft = true;
      await this.flush();
      await this.renderForm(data.field);
    } else if (action === 'show-note') this.view.showNote(data.item);
    else if (action === 'add-sample') {
      d.samples.push({ id: uuid(), sealNumbers: [] });
      this.dirty.draft = true;
      await this.flush();
      await this.renderForm();
    } else if (action === 'remove-sample') {
      if (!(await this.shell.confirm({ title: t('removeSampleTitle'), ok: t('remove') }))) return;
      const s = d.samples.find((x) => x.id === data.sample);
      d.samples = d.samples.filter((x) => x.id !== data.sample);
      delete d.signatures[`sample:${data.sample}`]; // its 抽样记录 is gone with it
      await this.flush();
      await store.commit(d, s && s.queued ? [rec.sampleRemove(d, s.id)] : []);
      await this.renderForm();
    } else if (action === 'remove-photo') {
      if (!(await this.shell.confirm({ title: t('removePhotoTitle'), body: t('removePhotoBody'), ok: t('remove') }))) return;
      const p = d.photos.find((x) => x.id === data.photo);
      if (!p || this.draft !== d) return;
      d.photos = d.photos.filter((x) => x.id !== data.photo);
      for (const s of d.samples) {
        if ((s.sealedPhotoIDs || []).includes(p.id)) { s.sealedPhotoIDs = s.sealedPhotoIDs.filter((x) => x !== p.id); this.dirty.samples.add(s.id); }
      }
      const stillUsed = new Set(d.photos.flatMap((x) => [x.sha256, x.displaySha256]));
      await this.flush();
      await store.commit(d, rec.isCreated(d) ? [rec.photoRemove(d, p.id)] : [], { dropUploads: [p.sha256, p.displaySha256].filter((x) => !stillUsed.has(x)) });
      await this.renderForm();
    } else if (action === 'sign') this.sign(data.slot);
    else if (action === 'toggle-refusal') {
      // A refusal, like a signature, is recorded over the record its party was shown (or read).
      const seen = el.checked ? await this.confirmRecord() : null;
      if (el.checked && !seen) { el.checked = false; return; }
      d.refusal = el.checked ? { id: (d.refusal && d.refusal.id) || uuid(), reason: '', witnessName: '', at: nowISO(),
        attests: seen.attests, confirmation: seen.confirmation } : null;
      this.dirty.draft = true;
      await this.flush();
      await this.renderForm();
    } else if (action === 'submit') await this.submit();
    else if (action === 'resend') await this.resend();
    else if (action === 'use-mine') await this.useMine(data.conflict);
  }

  markFinding(key) {
    this.dirty.findings.add(key);
    this.dirty.draft = true;
    this.flush();
  }

  // ---------------------------------------------------------------- photos
  // Every failure stays on screen until dismissed (a toast vanished before anyone read it).
  // `sampleID`: the photo shows that sample sealed (it also prints as a 证据提取单).
  async capture(files, itemKey, sampleID = null) {
    for (const file of files) {
      const processing = processCapture(file); // reads the bytes before anything else
      const position = currentPosition(10000);
      this.view.showPhotoStatus(t('processingPhoto'));
      this.shell.toast(t('processingPhoto'), 60000);
      let shot;
      try {
        shot = await processing;
      } catch (err) {
        this.shell.showError(photoErrorText(err));
        continue;
      }
      const d = this.draft;
      const pos = shot.exifGps || (await position);
      // The same place the record will carry (the camera's fix, else the phone's), as the server checks it.
      const where = pos && !pos.error ? pos : null;
      const deviation = photoDeviation({ takenAt: shot.exifTakenAt, gps: where }, d, this.session.session.photoChecks);
      const remark = deviation ? await this.askPhotoReason(deviationPhrases(deviation)) : null;
      if (deviation && remark === null) continue; // the inspector chose not to attach it
      const display = shot.display;
      const sealed = sampleID ? d.samples.find((x) => x.id === sampleID) : null;
      if (sampleID && !sealed) continue; // the sample was removed while the camera was open
      const caption = sealed ? t('sealedPhotoCaption', { n: d.samples.indexOf(sealed) + 1 }) : '';
      const photo = { id: uuid(), sha256: shot.sha256, size: shot.size, mediaType: shot.mediaType, displaySha256: display ? display.sha256 : null,
        displaySize: display ? display.size : null, width: shot.width, height: shot.height, caption, itemKey, takenAt: nowISO(),
        exifTakenAt: shot.exifTakenAt, lat: pos && !pos.error ? pos.lat : null, lon: pos && !pos.error ? pos.lon : null,
        gpsAccuracyM: pos && !pos.error ? pos.accuracyM ?? null : null, gpsSource: shot.exifGps ? 'exif' : pos && !pos.error ? 'device' : null,
        remark };
      const now = nowISO();
      const blobs = [{ sha256: shot.sha256, bytes: shot.bytes, mediaType: shot.mediaType, size: shot.size, role: 'original', inspectionID: d.id, createdAt: now }];
      const original = { sha256: shot.sha256, role: 'original', size: shot.size, mediaType: shot.mediaType, inspectionID: d.id, priority: 1, state: 'waiting', offset: 0, createdAt: now };
      let uploads;
      if (!display) uploads = [{ ...original, priority: 0, onlyCopy: true }]; // nothing else to show: never held for Wi-Fi
      else if (display.sha256 === shot.sha256) uploads = [{ ...original, role: 'display', priority: 0 }];
      else {
        blobs.push({ sha256: display.sha256, bytes: display.bytes, mediaType: display.mediaType, size: display.size, role: 'display', inspectionID: d.id, createdAt: now });
        uploads = [{ sha256: display.sha256, role: 'display', size: display.size, mediaType: display.mediaType, inspectionID: d.id, priority: 0, state: 'waiting', offset: 0, createdAt: now }, original];
      }
      await this.flush();
      d.photos.push(photo);
      try {
        await store.commit(d, rec.isCreated(d) ? [rec.photoAdd(d, photo)] : [], { blobs, uploads });
      } catch (err) {
        d.photos = d.photos.filter((p) => p.id !== photo.id);
        this.shell.showError(err.name === 'QuotaExceededError' ? t('storageFull') : t('photoNotStored', { msg: err.message || err }));
        continue;
      }
      this.savedAt = nowISO();
      if (sealed) { // after the photo's own mutation: the sample names a photo the server knows
        sealed.sealedPhotoIDs = [...(sealed.sealedPhotoIDs || []), photo.id];
        this.dirty.samples.add(sealed.id);
        this.dirty.draft = true;
        await this.flush();
      }
      this.sync.request('edit');
    }
    this.shell.hideToast(); // the "processing" note only; errors stay in their own box
    await this.renderForm(itemKey);
  }

  // Resolves with the inspector's reason, or null when they decide not to attach the photo.
  askPhotoReason(phrases) {
    this.shell.hideToast();
    return new Promise((resolve) => {
      this.view.openPhotoReasonSheet(this.shell, phrases, (action, element) => {
        if (action === 'cancel') { element.remove(); resolve(null); return; }
        const reason = element.querySelector('[data-role=reason]').value.trim();
        if (!reason) { element.querySelector('[data-role=sheet-error]').textContent = t('photoReasonRequired'); return; }
        element.remove();
        resolve(reason);
      });
    });
  }

  onProgress(p) {
    if (!this.view || !this.lastModel || !this.draft || p.inspectionID !== this.draft.id) return;
    const u = this.lastModel.uploads[p.sha256];
    if (u) { u.offset = p.offset; if (p.done) u.state = 'done'; }
    for (const photo of this.draft.photos) if (photo.sha256 === p.sha256 || photo.displaySha256 === p.sha256) this.view.showUpload(this.lastModel, photo);
    if (this.view.showRecordUpload) this.view.showRecordUpload(this.lastModel); // signatures too
  }

  async onServerChange() {
    if (!this.draft) return;
    await this.flush();
    const fresh = await store.getDraft(this.draft.id);
    if (!fresh) return;
    const d = this.draft;
    const sig = (x) => JSON.stringify([x.phase, (x.rejections || []).length, (x.decisions || []).length, (x.conflicts || []).length, x.caseNumber, (x.photos || []).filter((p) => p.uploaded).length]);
    const before = sig(d);
    rec.adoptServerState(d, fresh);
    if (sig(d) !== before && this.view && this.view.section.isConnected && document.activeElement && !['INPUT', 'TEXTAREA'].includes(document.activeElement.tagName)) {
      await this.renderForm();
    }
  }

  // ---------------------------------------------------------------- signatures
  async sign(slotName) {
    const d = this.draft;
    const slot = this.lastModel.slots.find((s) => s.slot === slotName);
    const seen = await this.confirmRecord(slot.role);
    if (!seen) return;
    const existing = d.signatures[slotName];
    const askName = slot.role !== 'inspector';
    const title = slotTitle(slot);
    const partyRoles = ['party', 'sampled_party', 'evidence_provider'];
    const signerName = (existing && existing.signerName) || (partyRoles.includes(slot.role) ? d.party && d.party.legalRep : slot.role === 'witness' ? d.refusal && d.refusal.witnessName : slot.name) || '';
    let pad = null;
    const sheet = this.view.openSignSheet(this.shell, { title, signerName, askName }, async (action, element) => {
      if (action === 'cancel') element.remove();
      else if (action === 'clear') pad.clear();
      else if (action === 'ok') {
        const nameInput = element.querySelector('[data-role=signer]');
        const problem = pad.isEmpty() ? t('emptySignature') : nameInput && !nameInput.value.trim() ? t('signerNameRequired') : '';
        if (problem) { element.querySelector('[data-role=sheet-error]').textContent = problem; return; }
        const bytes = await pad.toPNG();
        element.remove();
        await this.saveSignature(slot, bytes, nameInput ? nameInput.value.trim() : slot.name, seen);
      }
    });
    pad = new SignaturePad(sheet.querySelector('canvas'));
  }

  async saveSignature(slot, bytes, signerName, seen) {
    const d = this.draft;
    const sha = await sha256Hex(bytes);
    const old = d.signatures[slot.slot];
    await this.flush();
    // The party signed after all: the signature replaces the refusal (on the server too). A party
    // signature the sent refusal replaced stays replaced: this drawing is a new one.
    // Signing again is a new signature (the server keeps the earlier one as replaced), so each one
    // attests exactly what its signer was shown.
    const refusal = slot.role === 'party' ? d.refusal : null;
    d.signatures[slot.slot] = { id: uuid(), role: slot.role, signerName, userID: slot.userID || null, sampleID: slot.sampleID || null, imageSha256: sha, signedAt: nowISO(),
      attests: seen.attests, confirmation: seen.confirmation };
    if (refusal) d.refusal = null;
    const now = nowISO();
    try {
      await store.commit(d, rec.isCreated(d) ? [rec.signatureAdd(d, slot.slot)] : [], {
        blobs: [{ sha256: sha, bytes, mediaType: 'image/png', size: bytes.byteLength, role: 'signature', inspectionID: d.id, createdAt: now }],
        uploads: [{ sha256: sha, role: 'signature', size: bytes.byteLength, mediaType: 'image/png', inspectionID: d.id, priority: 0, state: 'waiting', offset: 0, createdAt: now }],
        dropUploads: old && old.imageSha256 !== sha ? [old.imageSha256] : [],
      });
    } catch (err) {
      if (old) d.signatures[slot.slot] = old; else delete d.signatures[slot.slot];
      if (refusal) d.refusal = refusal;
      this.reportSaveError(err);
      await this.renderForm();
      return;
    }
    this.sync.request('edit');
    await this.renderForm();
  }

  // ---------------------------------------------------------------- submit, amend, fix
  async submit() {
    const d = this.draft;
    if (!(await this.flush())) return; // its last edits are not queued yet: never submit without them
    const model = await this.model();
    if (model.missing.length) { this.shell.toast(t('missingItems', { n: model.missing.length })); await this.renderForm(); return; }
    // The visit ends at its first submission; an amendment keeps the on-site times (the server
    // keeps each revision's own time of submission).
    const ending = !d.endedAt;
    if (ending) d.endedAt = nowISO();
    d.submittedAt = nowISO();
    rec.setPhase(d, 'submitted');
    await store.commit(d, [...(ending ? [rec.inspectionUpdate(d, ['endedAt'])] : []), rec.inspectionSubmit(d)]);
    this.sync.request('submit');
    this.shell.toast(t(navigator.onLine ? 'submittedOnline' : 'submitted'));
    this.draft = null;
    this.view = null;
    this.navigate('#/home');
  }

  // Discard a draft that was never submitted (a submitted record is evidence and stays). On the
  // server it is deleted by inspection.delete.v1; the phone forgets it once that is applied, and
  // shows it again if the server refuses (e.g. the co-inspector submitted it meanwhile).
  async deleteDraft() {
    const d = this.draft;
    if (!d || !rec.isDeletable(d)) return;
    if (!(await this.shell.confirm({ title: t('deleteDraftTitle'), body: t('deleteDraftBody'), ok: t('deleteDraft') }))) return;
    if (this.draft !== d || !(await this.flush())) return;
    const { phase, phaseAt } = d;
    try {
      if (rec.isCreated(d)) {
        rec.setPhase(d, 'deleted');
        await store.commit(d, [rec.inspectionDelete(d)]);
        this.sync.request('delete');
      } else {
        await store.discardDraft(d.id);
      }
    } catch (err) {
      Object.assign(d, { phase, phaseAt }); // nothing was stored: the draft stays as it was
      this.reportSaveError(err);
      return;
    }
    this.shell.toast(t('draftDeleted'));
    this.draft = null;
    this.view = null;
    this.setupView = null;
    this.navigate('#/home');
  }

  async amend() {
    const d = this.draft;
    if (d.phase !== 'returned') return;
    rec.setPhase(d, 'editing');
    d.revision = (d.revision || 1) + 1;
    await store.commit(d, [rec.inspectionAmend(d, t('amend'))]);
    this.sync.request('edit');
    await this.renderForm();
  }

  // After a rejection: send the whole record again (creates are idempotent by id on the server).
  async resend() {
    const d = this.draft;
    await this.flush();
    d.rejections = [];
    await store.commit(d, rec.recordMutations(d, { includeSubmit: d.phase === 'submitted' }), { keep: ['rejections'] });
    this.sync.request('resend', { force: true });
    await this.renderForm();
  }

  async useMine(conflictID) {
    const d = this.draft;
    const c = (d.conflicts || []).find((x) => x.id === conflictID);
    if (!c) return;
    c.status = 'resolving';
    const mutations = c.entityType === 'inspection' && rec.INSPECTION_FIELDS.includes(c.field) ? [rec.inspectionUpdate(d, [c.field])] : [];
    await store.commit(d, mutations, { keep: ['conflicts'] });
    this.sync.request('resend');
    await this.renderForm();
  }
}

// The party's licences with the pesticide licence or seed filing as typed (others kept).
function mergeLicences(licences, form) {
  let out = licences.map((l) => ({ kind: l.kind, number: l.number, validUntil: l.validUntil ?? null }));
  for (const [field, kind] of Object.entries(LICENCE_KINDS)) {
    if (!(field in form)) continue;
    const number = form[field];
    const at = out.findIndex((l) => l.kind === kind);
    if (number && at >= 0) out[at] = { ...out[at], number };
    else if (number) out.push({ kind, number, validUntil: null });
    else if (at >= 0) out = out.filter((_, i) => i !== at);
  }
  return out;
}

// A photo that could not be kept, in the reader's language (never a raw browser message).
function photoErrorText(err) {
  if (err instanceof PhotoError) return t(err.key, err.params);
  if (err && err.name === 'QuotaExceededError') return t('storageFull');
  return t('photoFailed', { msg: (err && err.message) || err });
}
