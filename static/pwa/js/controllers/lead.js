// A lead recorded on the phone: kept as a local record and queued as complaint.create.v1, sent
// with the next sync like an inspection; the server registers it (and may refuse it with reasons,
// shown on the home screen, the text kept). Its photos are kept on the phone and queued for the
// resumable upload after the mutation, like an inspection's: the mutation names them by SHA-256.
import * as store from '../store.js';
import { t } from '../i18n.js';
import { uuid, nowISO } from '../lib/ids.js';
import { LeadView } from '../views/lead.js';
import { processCapture, PhotoError } from '../photos.js';

export class LeadController {
  constructor({ shell, sync, navigate }) {
    Object.assign(this, { shell, sync, navigate });
  }

  async show() {
    this.shell.setTitle(t('leadTitle'), { back: true });
    this.lead = { id: uuid(), kind: 'report', channel: 'inspection_found', productCategory: 'fertilizer', receivedAt: nowISO(), photos: [] };
    this.query = '';
    this.view = new LeadView(this.shell.screen());
    this.view.bindAction((action, id) => this.act(action, id));
    this.view.bindSearch((q) => this.search(q));
    this.view.bindPhotos((files) => this.addPhotos(files));
    await this.render();
  }

  leave() { this.view = null; }

  async render(problems = []) {
    const parties = this.lead.party ? [] : await store.searchParties(this.query, 8);
    this.view.render({ lead: this.lead, parties, query: this.query, problems });
  }

  async search(q) { this.query = q; Object.assign(this.lead, this.view.values()); this.view.showParties(await store.searchParties(q, 8)); }

  // What the server would refuse, said before anything is queued (the server checks again).
  problems(lead) {
    const out = [];
    if (!lead.party && !lead.respondentName) out.push('leadNeedsRespondent');
    if (!lead.facts) out.push('leadNeedsFacts');
    if ((lead.kind === 'complaint' || !lead.anonymous) && lead.kind !== 'inquiry' && !(lead.personName && lead.personPhone)) {
      out.push(lead.kind === 'complaint' ? 'leadComplaintNeedsPerson' : 'leadReportNeedsPerson');
    }
    if (lead.kind === 'complaint' && lead.anonymous) out.push('leadComplaintNotAnonymous');
    return out;
  }

  async addPhotos(files) {
    Object.assign(this.lead, this.view.values());
    for (const file of files) {
      try {
        const shot = await processCapture(file);
        if (this.lead.photos.some((p) => p.sha256 === shot.sha256)) continue;
        this.lead.photos.push({ sha256: shot.sha256, size: shot.size, mediaType: shot.mediaType, name: file.name || null, bytes: shot.bytes });
      } catch (err) {
        this.shell.showError(err instanceof PhotoError ? t(err.key, err.params) : t('photoFailed', { msg: (err && err.message) || err }));
      }
    }
    await this.render();
  }

  async act(action, id) {
    Object.assign(this.lead, this.view.values());
    if (action === 'party') {
      this.lead.party = await store.serverRow('party', id);
      await this.render();
    } else if (action === 'change-party') {
      this.lead.party = null;
      await this.render();
    } else if (action === 'remove-photo') {
      this.lead.photos = this.lead.photos.filter((p) => p.sha256 !== id);
      await this.render();
    } else if (action === 'save') {
      const problems = this.problems(this.lead);
      if (problems.length) { await this.render(problems); return; }
      await this.save(this.lead);
      this.shell.toast(t('leadSaved'));
      this.navigate('#/home');
      this.sync.run({ force: true }).catch(() => {});
    }
  }

  async save(lead) {
    const args = {
      id: lead.id, kind: lead.kind, channel: lead.channel, receivedAt: lead.receivedAt,
      partyID: lead.party ? lead.party.id : null,
      respondentName: lead.party ? null : lead.respondentName, respondentAddress: lead.party ? null : (lead.respondentAddress || null),
      productCategory: lead.productCategory, facts: lead.facts, requests: lead.requests || null,
      anonymous: !!lead.anonymous, personName: lead.anonymous ? null : (lead.personName || null),
      personPhone: lead.anonymous ? null : (lead.personPhone || null),
      attachments: (lead.photos || []).map((p) => ({ sha256: p.sha256, size: p.size, mediaType: p.mediaType, name: p.name })),
    };
    const now = nowISO();
    const blobs = (lead.photos || []).map((p) => ({ sha256: p.sha256, bytes: p.bytes, mediaType: p.mediaType, size: p.size, role: 'original', inspectionID: lead.id, createdAt: now }));
    const uploads = (lead.photos || []).map((p) => ({ sha256: p.sha256, role: 'original', onlyCopy: true, size: p.size, mediaType: p.mediaType, inspectionID: lead.id, priority: 0, state: 'waiting', offset: 0, createdAt: now }));
    const record = { id: lead.id, type: 'lead', phase: 'lead', kind: lead.kind,
      title: lead.party ? lead.party.name : lead.respondentName, facts: lead.facts, rejections: [] };
    await store.commit(record, [{ name: 'complaint.create.v1', args, inspectionID: lead.id }], { blobs, uploads });
  }
}
