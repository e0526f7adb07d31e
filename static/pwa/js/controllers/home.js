// Home: what the inspector has to do and the state of sync.
import * as store from '../store.js';
import { t } from '../i18n.js';
import { HomeView } from '../views/home.js';
import { todoCounts, openClocks } from '../todo.js';
import { uploadStatus } from '../uploads.js';
import { routeOf } from '../routes.js';

const OPEN_PHASES = ['setup', 'editing'];

// Due dates are calendar days in China, whatever the phone's time zone.
const chinaToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

export class HomeController {
  constructor({ shell, sync, session, navigate, inspections }) {
    Object.assign(this, { shell, sync, session, navigate, inspections });
    this.view = null;
    sync.addEventListener('state', () => { this.refreshSync(); this.tick(); });
    // Upload progress: the panel and the records' rows follow it, at most about once a second, and
    // every second while a sync runs (rate and time left move on even while no byte gets through).
    sync.addEventListener('progress', () => this.soon());
    this.ticker = null;
    this.pending = null;
    sync.addEventListener('changed', () => { if (this.view) this.show(); });
  }

  async model() {
    const [records, stats, storage, tasks, returned, calendar, orders, clockRows] = await Promise.all([
      store.listDrafts(), store.syncStats(), store.storageEstimate(), store.rowsOfType('task'), this.returnedCases(),
      store.getCalendar(), this.orders(), store.rowsOfType('case_clock'),
    ]);
    // The open case clocks of this inspector's cases (the pull sends only those), with the party's name.
    const clocks = openClocks(clockRows.map((r) => r.value));
    const clockParties = {};
    for (const c of clocks) {
      if (clockParties[c.inspectionID] !== undefined) continue;
      const row = await store.serverRow('inspection', c.inspectionID);
      const party = row ? await store.serverRow('party', String(row.partyID || (row.party && row.party.id))) : null;
      clockParties[c.inspectionID] = party ? party.name : '';
    }
    const drafts = records.filter((d) => d.type !== 'lead');
    const byNewest = (a, b) => (b.updatedAt || '').localeCompare(a.updatedAt || '');
    const taskByID = Object.fromEntries(tasks.map((r) => [r.id, r.value]));
    // A task's own record, if one was started on this phone (continue it rather than start another).
    const draftOfTask = Object.fromEntries(drafts.filter((d) => d.taskID && d.phase !== 'deleted').map((d) => [d.taskID, d.id]));
    return {
      drafts: drafts.filter((d) => OPEN_PHASES.includes(d.phase)).sort(byNewest),
      submitted: drafts.filter((d) => !OPEN_PHASES.includes(d.phase) && !['returned', 'deleted'].includes(d.phase)).sort(byNewest).slice(0, 20),
      returned,
      // Open and started tasks, the urgent first, then by due date; cancelled and done ones leave the list.
      tasks: tasks.map((r) => r.value).filter((task) => ['open', 'started'].includes(task.status))
        .sort((a, b) => (b.urgent - a.urgent) || (a.dueDate || '9999').localeCompare(b.dueDate || '9999')).slice(0, 50),
      taskByID, draftOfTask, me: this.session.session.user.id, today: chinaToday(),
      leads: records.filter((d) => d.type === 'lead').sort(byNewest).slice(0, 20),
      deadlines: todoCounts(tasks.map((r) => r.value), calendar, new Date(), clocks),
      clocks, clockParties,
      stats, storage, running: this.sync.running, online: navigator.onLine, orders, live: uploadStatus(),
    };
  }

  // 责令改正通知书 of the inspector's cases, from the pull (both inspectors of a case see them), newest first.
  async orders() {
    const rows = (await store.rowsOfType('rectification')).map((r) => r.value).filter(Boolean)
      .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt))).slice(0, 20);
    for (const o of rows) {
      const inspection = await store.serverRow('inspection', o.inspectionID);
      const party = inspection ? await store.serverRow('party', String(inspection.partyID || (inspection.party && inspection.party.id))) : null;
      o.partyName = party ? party.name : '';
    }
    return rows;
  }

  // Returned cases of this inspector: local records and ones only known from the server.
  async returnedCases() {
    const me = this.session.session.user.id;
    const [rows, decisions, records] = await Promise.all([store.rowsOfType('inspection'), store.rowsOfType('decision'), store.listDrafts()]);
    const drafts = records.filter((d) => d.type !== 'lead');
    const local = Object.fromEntries(drafts.map((d) => [d.id, d]));
    const out = [];
    for (const d of drafts.filter((x) => x.phase === 'returned')) {
      const last = (d.decisions || []).filter((x) => x.decision === 'return').pop() || {};
      out.push({ id: d.id, partyName: d.party ? d.party.name : '', templateTitle: d.templateTitle, comment: last.comment, itemComments: last.itemComments, reviewerName: last.reviewerName });
    }
    for (const { value: v } of rows) {
      if (v.status !== 'returned' || local[v.id]) continue;
      const mine = (v.inspectorIDs || (v.inspectors || []).map((i) => i.userID) || []).includes(me) || v.createdByID === me;
      if (!mine && (v.inspectorIDs || v.inspectors || v.createdByID)) continue;
      const last = decisions.map((r) => r.value).filter((x) => x.inspectionID === v.id && x.decision === 'return').pop() || {};
      const party = await store.serverRow('party', String(v.partyID || (v.party && v.party.id)));
      const template = await store.template(v.templateID);
      out.push({ id: v.id, partyName: party ? party.name : (v.partyName || ''), templateTitle: template ? template.title : '',
        comment: last.comment, itemComments: last.itemComments, reviewerName: last.reviewerName });
    }
    return out;
  }

  // Also called after each sync step while home is shown. Home draws itself only while the hash
  // shows home, before and after reading its model: a tap elsewhere changes the hash at once, and
  // the router (which ends this screen) runs only at the hashchange event after it.
  async show() {
    const atHome = () => routeOf().screen === 'home';
    if (!atHome()) return;
    const session = this.session.session;
    this.shell.setTitle(`${t('home')} · ${session.user.displayName}`);
    const model = await this.model();
    if (!atHome()) return;
    if (!this.view || !this.view.section.isConnected) {
      this.view = new HomeView(this.shell.screen());
      this.view.bindAction((action, id) => this.act(action, id));
    }
    this.view.render(model);
  }

  leave() { this.view = null; }

  soon() {
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = null; this.refreshSync(); }, 800);
  }

  tick() {
    if (this.sync.running && !this.ticker) this.ticker = setInterval(() => this.refreshSync(), 1000);
    else if (!this.sync.running && this.ticker) { clearInterval(this.ticker); this.ticker = null; }
  }

  async refreshSync() {
    const stats = await store.syncStats();
    // "Online" means the server answered last time, not just that the phone has a network; a
    // phone without a network is offline even while a sync started before is still winding down.
    const reachable = navigator.onLine && (this.sync.running || !(stats.lastError && stats.lastError.key === 'errNetwork'));
    this.shell.setSync({ online: reachable, records: stats.records, running: this.sync.running && navigator.onLine });
    if (this.view && this.view.section.isConnected) {
      this.view.updateSync({ stats, storage: await store.storageEstimate(), running: this.sync.running, online: navigator.onLine,
        live: uploadStatus() });
    }
  }

  async act(action, id) {
    if (action === 'new') this.inspections.create();
    else if (action === 'new-lead') this.navigate('#/lead');
    else if (action === 'start-task') {
      const task = await store.serverRow('task', id);
      if (task) await this.inspections.createFromTask(task);
    }
    else if (action === 'open') this.navigate(`#/i/${id}`);
    else if (action === 'open-returned') this.inspections.openReturned(id);
    else if (action === 'sync-now') {
      this.session.refreshReference().catch(() => {});
      this.sync.paused = false;
      await this.sync.run({ force: true });
    } else if (action === 'relogin') {
      // The token was refused (401): log in again as the same inspector; the outbox and drafts stay.
      this.view = null;
      this.session.showLogin({ error: t('errAuth') });
    } else if (action === 'upload-originals') await this.sync.run({ force: true, includeHeld: true });
  }
}
