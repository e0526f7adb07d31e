// The record read-only, laid out as the case file prints it, before anyone signs: one document per
// page (现场笔录, 抽样记录, each 证据提取单), from the same content whose hashes the signature carries
// (content.js), so what the signer is shown is what the signature attests and what prints.
import { html } from '../lib/html.js';
import { t } from '../i18n.js';

const blank = (value) => value || '／';
const field = (label, value) => html`<p class="doc-field"><span class="doc-label">${label}：</span>${blank(value)}</p>`;
const paragraphs = (value) => {
  const parts = String(value || '').split(/\r?\n/).map((p) => p.trim()).filter(Boolean);
  return parts.length ? parts.map((p) => html`<p class="doc-text">${p}</p>`) : html`<p class="doc-text">无。</p>`;
};

function partyTable(party) {
  const rows = [['当事人', party.name], ['统一社会信用代码（注册号）', party.creditCode], ['住所（住址）', party.address],
    ['法定代表人（负责人、经营者）', party.legalRep], ['联系电话', party.phone]];
  return html`<table class="doc-table">${rows.map(([label, value]) => html`<tr><th>${label}</th><td>${blank(value)}</td></tr>`)}</table>`;
}

function onSite(c) {
  const failed = c.findings.filter((f) => f.result === '不符合');
  const rest = c.findings.filter((f) => f.result !== '不符合');
  return html`
    ${field('时间', c.startedAt ? `${c.startedAt} 起` : '')}
    ${field('地点', c.place)}
    ${c.inspectors.map((i) => field('检查人员', `${i.name}（执法证号：${blank(i.certNo)}）`))}
    ${partyTable(c.party)}
    <p class="doc-text">问：是否看清楚执法证件？</p><p class="doc-text">答：${blank(c.certificatesAnswer)}</p>
    <p class="doc-text">问：是否申请回避？</p><p class="doc-text">答：${blank(c.recusalAnswer)}</p>
    <h4>检查项目及结果（不符合项列前）</h4>
    ${c.findings.length ? html`<table class="doc-table"><tr><th>检查项目</th><th>结果</th></tr>
      ${[...failed, ...rest].map((f) => html`<tr class="${f.result === '不符合' ? 'fail' : ''}"><td><small>${f.section}</small><br>${f.label}</td>
        <td>${f.result}${f.note ? html`<br><small>备注：${f.note}</small>` : ''}</td></tr>`)}</table>` : html`<p class="doc-text">本次检查未填写检查项目。</p>`}
    <h4>现场情况</h4>${paragraphs(c.narrative)}
    <h4>当事人的陈述和申辩</h4>${paragraphs(c.partyStatement)}
    <p class="doc-text">问：以上是本次现场检查的情况记录，如果属实请签名。</p><p class="doc-text">答：${blank(c.closingAnswer)}</p>`;
}

function sampling(c) {
  return html`${field('被抽样单位', c.party.name)}${field('抽样地点', c.place)}
    ${c.inspectors.map((i) => field('抽样人员', `${i.name}（执法证号：${blank(i.certNo)}）`))}
    ${c.samples.map((s, n) => html`<table class="doc-table"><tr><th colspan="2">样品 ${n + 1}</th></tr>
      ${[['样品名称', s.name], ['商标/品牌', s.brand], ['规格型号', s.spec], ['批号', s.batchNo], ['生产日期', s.productionDate],
        ['生产者', s.maker], ['执行标准', s.standard], ['抽样数量', s.quantity], ['抽样基数', s.baseQuantity],
        ['备样数量', s.backupQuantity], ['封样编号', s.sealNumbers.join('、')], ['备注', s.note]]
        .map(([label, value]) => html`<tr><th>${label}</th><td>${blank(value)}</td></tr>`)}</table>`)}`;
}

function evidence(c, thumbs) {
  const src = thumbs[c.displaySha256] || thumbs[c.sha256];
  return html`${field('证据名称（内容）', c.caption || '现场照片')}
    ${c.item ? field('关联检查项', c.item) : ''}
    ${src ? html`<img class="doc-photo" src="${src}" alt="">` : html`<div class="photo-placeholder">${t('photoNoPreview')}</div>`}
    ${field('拍摄时间（设备）', c.takenAt)}${field('提取地点', c.place)}
    <p class="doc-field small">SHA-256：${c.sha256}</p>
    ${c.remark ? field('执法人员说明', c.remark) : ''}`;
}

// 责令改正通知书 as it prints (pdf/rectification.py paragraphs), from its content (content.js).
function rectification(c) {
  const when = c.mode === '限期改正' && c.dueDate ? `于${c.dueDate}前` : '立即';
  let order = `依据《中华人民共和国行政处罚法》第二十八条第一款的规定，本局责令你（单位）${when}改正上述违法行为。改正内容及要求如下：${c.requirements}`;
  if (c.reportBack === '是') order += c.mode === '限期改正' && c.dueDate ? `并于${c.dueDate}前将改正情况书面报告本机关。` : '并将改正情况及时书面报告本机关。';
  const strip = (v) => String(v || '').replace(/。$/, '');
  return html`${field('执法机构', c.agency)}${partyTable(c.party)}
    <p class="doc-text">${c.party.name}：</p>
    <p class="doc-text">经查，你（单位）${strip(c.facts)}。</p>
    <p class="doc-text">上述行为违反了${strip(c.basis)}的规定。</p>
    <p class="doc-text">${order}</p>
    <p class="doc-text">逾期不改正的，本机关将依法处理。</p>
    <p class="doc-text">如不服本通知，可以在收到本通知书之日起六十日内向${c.government}申请行政复议，也可以在六个月内依法向人民法院提起行政诉讼。</p>
    ${field('执法人员', c.inspectors.map((i) => `${i.name}（执法证号 ${blank(i.certNo)}）`).join('、'))}
    ${field('改正方式', c.mode)}${c.dueDate ? field('改正期限', c.dueDate) : ''}`;
}

// pages: [{key, content, displaySha256}]; `index` the page shown.
export function previewSheet({ pages, index, thumbs, title, seenAll, hint = t('previewHint'), seenLabel = t('previewSeen') }) {
  const page = pages[index];
  const c = page.content;
  const body = c.document === 'on_site' ? onSite(c) : c.document === 'sampling' ? sampling(c)
    : c.document === 'rectification' ? rectification(c) : evidence({ ...c, displaySha256: page.displaySha256 }, thumbs);
  return html`<h2>${title}</h2>
    <p class="muted small">${hint}</p>
    <div class="doc-page" data-testid="preview-document" data-document="${page.key}">
      <div class="doc-title">${c.title}</div>
      ${body}
    </div>
    <div class="row" style="margin-top:8px;align-items:center">
      <button class="btn" data-sheet="prev" data-testid="preview-prev" ${index === 0 ? 'disabled' : ''}>${t('previewPrev')}</button>
      <span class="muted small" style="flex:0 0 auto;white-space:nowrap;text-align:center" data-testid="preview-page">${t('previewPage', { n: index + 1, m: pages.length })}</span>
      <button class="btn" data-sheet="next" data-testid="preview-next" ${index === pages.length - 1 ? 'disabled' : ''}>${t('previewNext')}</button>
    </div>
    ${seenAll ? '' : html`<p class="muted small" data-testid="preview-read-on">${t('previewReadToEnd')}</p>`}
    <button class="btn primary block" style="margin-top:8px" data-sheet="seen" data-testid="preview-seen" ${seenAll ? '' : 'disabled'}>${seenLabel}</button>
    <button class="btn block" style="margin-top:8px" data-sheet="read_aloud" data-testid="preview-read-aloud" ${seenAll ? '' : 'disabled'}>${t('previewReadAloud')}</button>
    <button class="btn block" style="margin-top:8px" data-sheet="cancel">${t('cancel')}</button>`;
}
