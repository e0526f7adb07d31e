// A lead recorded on the phone: kept as a local record and queued as complaint.create.v1, sent
// with the next sync like an inspection; the server registers it (and may refuse it with reasons,
// shown on the home screen, the text kept).
import * as store from '../store.js';
import { t } from '../i18n.js';
import { uuid, nowISO } from '../lib/ids.js';
import { LeadView } from '../views/lead.js';

export class LeadController {
  constructor({ shell, sync, navigate }) {
    Object.assign(this, { shell, sync, navigate });
  }

  async show() {
    this.shell.setTitle(t('leadTitle'), { back: true });
    this.lead = { id: uuid(), kind: 'report', channel: 'inspection_found', productCategory: 'fertilizer', receivedAt: nowISO() };
    this.query = '';
    this.view = new LeadView(this.shell.screen());
    this.view.bindAction((action, id) => this.act(action, id));
    this.view.bindSearch((q) => this.search(q));
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

  async act(action, id) {
    Object.assign(this.lead, this.view.values());
    if (action === 'party') {
      this.lead.party = await store.serverRow('party', id);
      await this.render();
    } else if (action === 'change-party') {
      this.lead.party = null;
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
    };
    const record = { id: lead.id, type: 'lead', phase: 'lead', kind: lead.kind,
      title: lead.party ? lead.party.name : lead.respondentName, facts: lead.facts, rejections: [] };
    await store.commit(record, [{ name: 'complaint.create.v1', args, inspectionID: lead.id }]);
  }
}
