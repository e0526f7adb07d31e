// A 责令改正通知书 issued at the scene, offline: kept on the inspection's record and queued as
// rectification.issue.v1, sent with the next sync. The server numbers it (under the agency's
// standing authorisation) or keeps it for a 负责人's approval; what it refuses comes back as reasons
// on the record, the text kept.
import * as store from '../store.js';
import { t } from '../i18n.js';
import { uuid, nowISO } from '../lib/ids.js';
import { templateItems } from '../record.js';
import { calendarFrom, cnDate, isWorkingDay } from '../deadlines.js';
import { RectifyView } from '../views/rectify.js';

export class RectifyController {
  constructor({ shell, sync, navigate }) {
    Object.assign(this, { shell, sync, navigate });
  }

  async show(inspectionID) {
    this.shell.setTitle(t('rectTitle'), { back: true });
    this.draft = await store.getDraft(inspectionID);
    if (!this.draft) { this.navigate('#/home'); return; }
    const template = (await store.template(this.draft.templateID)) || { sections: [] };
    this.failed = templateItems(template).filter((i) => (this.draft.findings[i.key] || {}).result === 'fail');
    this.cal = calendarFrom(await store.getCalendar());
    this.order = { id: uuid(), itemKeys: this.failed.map((i) => i.key), mode: 'deadline', reportBack: true,
      method: 'direct', partySignature: 'signed', servedTo: this.draft.party ? (this.draft.party.legalRep || '') : '' };
    this.view = new RectifyView(this.shell.screen());
    this.view.bindAction((action) => this.act(action));
    this.render();
  }

  leave() { this.view = null; }

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

  async act(action) {
    Object.assign(this.order, this.view.values());
    if (action === 'refresh') { this.render(); return; }
    if (action !== 'save') return;
    const problems = this.problems(this.order);
    if (problems.length) { this.render(problems); return; }
    const o = this.order;
    const issuedAt = nowISO();
    const args = {
      id: o.id, inspectionID: this.draft.id, itemKeys: o.itemKeys, basis: o.basis || null, facts: o.facts,
      requirements: o.requirements, mode: o.mode, dueDate: o.mode === 'deadline' ? o.dueDate : null,
      reportBack: !!o.reportBack, issuedAt,
      service: { method: o.method, servedAt: issuedAt, servedTo: o.servedTo, partySignature: o.partySignature,
        refusalReason: o.partySignature === 'refused' ? o.refusalReason : null,
        witnessName: o.partySignature === 'refused' ? o.witnessName : null },
    };
    const draft = await store.getDraft(this.draft.id);
    draft.rectifications = [...(draft.rectifications || []),
      { id: o.id, facts: o.facts, dueDate: args.dueDate, mode: o.mode, issuedAt }];
    await store.commit(draft, [{ name: 'rectification.issue.v1', args, inspectionID: draft.id }]);
    this.shell.toast(t('rectSaved'));
    this.navigate(`#/i/${draft.id}/review`);
    this.sync.run({ force: true }).catch(() => {});
  }
}
