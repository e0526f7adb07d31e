// A 责令改正通知书 issued at the scene, offline, signed like the other 文书 (issue 14): once the order
// is filled in, the party sees the whole order read-only (content.js rectificationContent, the same
// content the server prints) and signs it on the screen, or refuses before a witness; then the
// inspectors sign. The order, the signatures (each with the hash of what was shown) and the 送达
// record go as one rectification.issue.v1 with the next sync; the drawings' bytes follow by upload.
// The server numbers it (under the agency's standing authorisation) or keeps it for a 负责人's
// approval; what it refuses comes back as reasons on the record, the text kept.
import * as store from '../store.js';
import { t } from '../i18n.js';
import { uuid, nowISO } from '../lib/ids.js';
import { sha256Hex } from '../lib/bytes.js';
import { templateItems } from '../record.js';
import { calendarFrom, cnDate, isWorkingDay } from '../deadlines.js';
import { contentHash, rectificationBasis, rectificationContent, RECTIFICATION } from '../content.js';
import { SignaturePad } from '../signature.js';
import { signSheet } from '../views/steps.js';
import { previewSheet } from '../views/preview.js';
import { RectifyView } from '../views/rectify.js';

export class RectifyController {
  constructor({ shell, sync, navigate, session }) {
    Object.assign(this, { shell, sync, navigate, session });
  }

  async show(inspectionID) {
    this.shell.setTitle(t('rectTitle'), { back: true });
    this.draft = await store.getDraft(inspectionID);
    if (!this.draft) { this.navigate('#/home'); return; }
    this.template = (await store.template(this.draft.templateID)) || { sections: [] };
    this.failed = templateItems(this.template).filter((i) => (this.draft.findings[i.key] || {}).result === 'fail');
    this.cal = calendarFrom(await store.getCalendar());
    this.people = await this.inspectors();
    this.agency = await this.caseAgency();
    this.order = { id: uuid(), itemKeys: this.failed.map((i) => i.key), mode: 'deadline', reportBack: true,
      method: 'direct', partySignature: 'signed', servedTo: this.draft.party ? (this.draft.party.legalRep || '') : '' };
    this.view = new RectifyView(this.shell.screen());
    this.view.bindAction((action) => this.act(action));
    this.render();
  }

  leave() { this.view = null; }

  me() { return this.session.session.user; }

  // The case's inspectors in the record's order, as the server lists them (content.js inspectors).
  async inspectors() {
    const me = this.me();
    const byID = Object.fromEntries((await store.colleagues()).map((c) => [c.id, c]));
    if (this.draft.coInspector) byID[this.draft.coInspector.id] = byID[this.draft.coInspector.id] || this.draft.coInspector;
    return this.draft.inspectorIDs.map((id) => (id === me.id ? me : byID[id] || { id, displayName: String(id) }));
  }

  // The agency the case belongs to (the server's, once synced; else its maker's, as the server sets it).
  async caseAgency() {
    const me = this.me();
    const row = await store.serverRow('inspection', this.draft.id);
    let agencyID = row ? row.agencyID : null;
    if (!agencyID && this.draft.owner !== me.id) {
      const owner = (await store.colleagues()).find((c) => c.id === this.draft.owner);
      agencyID = owner ? owner.agencyID : null;
    }
    const found = agencyID ? await store.serverRow('agency', String(agencyID)) : null;
    return found || me.agency || {};
  }

  render(problems = []) {
    const due = this.order.dueDate;
    const restDay = due && this.order.mode === 'deadline' && !isWorkingDay(this.cal, due);
    this.view.render({ order: this.order, failed: this.failed, party: this.draft.party, problems, restDay });
  }

  // What the server would refuse, said before anything is queued (the server checks again).
  problems(o) {
    const out = [];
    if (!o.itemKeys.length && !o.basis) out.push('rectNeedsBasis');
    if (!o.facts) out.push('rectNeedsFacts');
    if (!o.requirements) out.push('rectNeedsRequirements');
    if (o.mode === 'deadline' && (!o.dueDate || o.dueDate <= cnDate(nowISO()))) out.push('rectNeedsDue');
    if (!o.servedTo) out.push('rectNeedsServedTo');
    if (o.partySignature === 'refused' && !(o.refusalReason && o.witnessName)) out.push('rectNeedsWitness');
    return out;
  }

  // The order as content.js takes it: what the party is shown, what the server prints.
  orderRecord(o) {
    const items = Object.fromEntries(templateItems(this.template).map((i) => [i.key, i]));
    return {
      orderId: o.id, agency: this.agency.name || '', government: `${this.agency.shortName || ''}人民政府`,
      party: this.draft.party || {}, inspectors: this.people.map((p) => ({ name: p.displayName, certNo: p.certNo ?? null })),
      facts: o.facts, basis: rectificationBasis(o.itemKeys.map((k) => (items[k] || {}).legal_basis), o.basis),
      requirements: o.requirements, mode: o.mode, dueDate: o.mode === 'deadline' ? o.dueDate : null, reportBack: !!o.reportBack,
    };
  }

  // The whole order read-only; resolves with the confirmation (seen / read_aloud), or null.
  preview(content) {
    return new Promise((resolve) => {
      const pages = [{ key: RECTIFICATION, content }];
      const sheet = this.shell.openSheet(previewSheet({ pages, index: 0, thumbs: {}, title: t('rectPreviewTitle'), seenAll: true,
        hint: t('rectPreviewHint'), seenLabel: t('rectPreviewSeen') }), (action, holder) => {
        if (action === 'next' || action === 'prev') return;
        holder.remove();
        resolve(action === 'cancel' ? null : action);
      });
      sheet.dataset.testid = 'preview';
    });
  }

  // A drawing on the screen; resolves with {bytes, name}, or null when cancelled.
  draw(title, signerName, askName) {
    return new Promise((resolve) => {
      let pad = null;
      const sheet = this.shell.openSheet(signSheet(title, signerName, askName), async (action, element) => {
        if (action === 'cancel') { element.remove(); resolve(null); return; }
        if (action === 'clear') { pad.clear(); return; }
        if (action !== 'ok') return;
        const nameInput = element.querySelector('[data-role=signer]');
        const problem = pad.isEmpty() ? t('emptySignature') : nameInput && !nameInput.value.trim() ? t('signerNameRequired') : '';
        if (problem) { element.querySelector('[data-role=sheet-error]').textContent = problem; return; }
        const bytes = await pad.toPNG();
        element.remove();
        resolve({ bytes, name: nameInput ? nameInput.value.trim() : signerName });
      });
      sheet.dataset.testid = 'rect-sign-sheet';
      pad = new SignaturePad(sheet.querySelector('canvas'));
    });
  }

  // The party reads and signs (or refuses, or is absent), then each inspector signs. Null when
  // someone cancelled: the form stays as it was, nothing is queued.
  async collectSignatures(o) {
    const sha256 = await contentHash(rectificationContent(this.orderRecord(o)));
    const attests = [{ document: RECTIFICATION, sha256, revision: 1 }];
    const signatures = [];
    const drawings = [];
    const drawn = async (role, extra, picture) => {
      const sha = await sha256Hex(picture.bytes);
      drawings.push({ sha, bytes: picture.bytes });
      return { id: uuid(), role, status: 'signed', imageSha256: sha, signedAt: nowISO(), attests, ...extra };
    };
    let confirmation = 'seen';
    if (o.partySignature !== 'absent') {
      confirmation = await this.preview(rectificationContent(this.orderRecord(o)));
      if (!confirmation) return null;
      if (o.partySignature === 'signed') {
        const picture = await this.draw(t('rectPartySigns'), o.servedTo, true);
        if (!picture) return null;
        signatures.push(await drawn('party', { signerName: picture.name, confirmation }, picture));
      } else {
        signatures.push({ id: uuid(), role: 'party', status: 'refused', refusalReason: o.refusalReason, witnessName: o.witnessName,
          signedAt: nowISO(), attests, confirmation });
      }
    }
    for (const person of this.people) {
      const picture = await this.draw(t('rectInspectorSigns', { name: person.displayName }), person.displayName, false);
      if (!picture) return null;
      signatures.push(await drawn('inspector', { userID: person.id, signerName: person.displayName, confirmation: 'seen' }, picture));
    }
    return { signatures, drawings };
  }

  async act(action) {
    Object.assign(this.order, this.view.values());
    if (action === 'refresh') { this.render(); return; }
    if (action !== 'save') return;
    const problems = this.problems(this.order);
    if (problems.length) { this.render(problems); return; }
    const o = this.order;
    const signed = await this.collectSignatures(o);
    if (!signed) { this.render(); return; }
    const issuedAt = nowISO();
    const args = {
      id: o.id, inspectionID: this.draft.id, itemKeys: o.itemKeys, basis: o.basis || null, facts: o.facts,
      requirements: o.requirements, mode: o.mode, dueDate: o.mode === 'deadline' ? o.dueDate : null,
      reportBack: !!o.reportBack, issuedAt,
      service: { method: o.method, servedAt: issuedAt, servedTo: o.servedTo, partySignature: o.partySignature,
        refusalReason: o.partySignature === 'refused' ? o.refusalReason : null,
        witnessName: o.partySignature === 'refused' ? o.witnessName : null },
      signatures: signed.signatures,
    };
    const now = nowISO();
    const draft = await store.getDraft(this.draft.id);
    const party = signed.signatures.find((s) => s.role === 'party');
    draft.rectifications = [...(draft.rectifications || []),
      { id: o.id, facts: o.facts, dueDate: args.dueDate, mode: o.mode, issuedAt, party: party ? party.status : null }];
    await store.commit(draft, [{ name: 'rectification.issue.v1', args, inspectionID: draft.id }], {
      blobs: signed.drawings.map((d) => ({ sha256: d.sha, bytes: d.bytes, mediaType: 'image/png', size: d.bytes.byteLength,
        role: 'signature', inspectionID: draft.id, createdAt: now })),
      uploads: signed.drawings.map((d) => ({ sha256: d.sha, role: 'signature', size: d.bytes.byteLength, mediaType: 'image/png',
        inspectionID: draft.id, priority: 0, state: 'waiting', offset: 0, createdAt: now })),
    });
    this.shell.toast(t('rectSaved'));
    this.navigate(`#/i/${draft.id}/review`);
    this.sync.run({ force: true }).catch(() => {});
  }
}
