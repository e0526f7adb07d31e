// UI text: Simplified Chinese by default, English selectable. t('key', {name}) fills {name}.
const zh = {
  appName: '质检利剑 · 现场检查', login: '登录', username: '用户名', password: '密码',
  loginHint: '首次使用请在有网络时登录，登录后可离线工作。', loggingIn: '正在登录…',
  loginNeedsNetwork: '登录需要网络连接。请在有信号的地方登录。',
  loginOtherUserBlocked: '这部手机上有 {name} 的未同步数据。请先让 {name} 登录并同步，或导出后再切换账号。',
  loginExpired: '登录已过期，请重新登录（数据仍保留在本机）。',
  language: '语言', langZh: '中文', langEn: 'English',
  home: '首页', settings: '设置', logout: '退出登录', back: '返回', next: '下一步', prev: '上一步',
  save: '保存', cancel: '取消', confirm: '确定', remove: '删除', edit: '修改', close: '关闭', done: '完成',
  newInspection: '新建检查', todayTasks: '今日任务', drafts: '草稿', returned: '退回修改',
  submittedList: '已提交', noDrafts: '暂无草稿。点击下方“新建检查”开始。',
  syncPanel: '同步', syncNow: '立即同步', syncing: '正在同步…', waitingItems: '待同步 {n} 项',
  bytesLeft: '待上传 {size}', lastSync: '上次成功同步：{time}', neverSynced: '尚未同步',
  lastError: '最近错误：{msg}', storage: '存储：已用 {used} / 可用 {quota}',
  photoBytes: '手机上的照片：{size}（服务器确认收到原图后，原图从手机删除）',
  persisted: '已获得持久存储（系统不会自动清除）', notPersisted: '未获得持久存储：请将应用添加到主屏幕并经常打开',
  offline: '离线', online: '在线', allSynced: '全部已同步', keepOpen: '请保持应用打开直至同步完成',
  originalsHeld: '{n} 张原图等待 Wi-Fi', uploadOriginalsNow: '现在上传原图',
  statusLocal: '仅在本机', statusPending: '待同步', statusSynced: '已同步', statusSubmitted: '已提交',
  statusReturned: '已退回', statusApproved: '已通过', statusRejected: '不予通过', statusRejectedMutation: '有被拒绝的修改',
  statusSubmitting: '已提交，待上传', statusDraft: '草稿', statusConflict: '有冲突',
  updatedAt: '更新于 {time}', savedLocally: '已保存在本机 {time}', saving: '保存中…',
  updateAvailable: '有新版本', updateBody: '新版本已下载。您的草稿和待同步数据会保留。', updateNow: '立即更新', later: '稍后',
  reloadNeeded: '应用已在另一窗口更新，请重新加载。', reload: '重新加载',
  // setup
  setupTitle: '新建检查', category: '检查类别（检查表）', party: '当事人（被检查单位）',
  searchParty: '按名称或统一社会信用代码查找', noPartyFound: '本机未找到。可新建当事人。',
  newParty: '新建当事人', partyName: '单位名称', creditCode: '统一社会信用代码', legalRep: '法定代表人（负责人）',
  address: '地址', phone: '联系电话', createParty: '保存当事人', changeParty: '更换',
  coInspector: '共同检查人员（须两名执法人员）', noColleagues: '本机没有同事名单，请联网同步一次。',
  place: '检查地点', gps: '定位', takeGps: '获取定位', gpsAccuracy: '精度 ±{m} 米', gpsFailed: '定位失败：{msg}',
  gpsWaiting: '正在定位…', startInspection: '开始检查', setupMissing: '请选择检查类别、当事人和共同检查人员',
  creditValid: '校验通过', creditChecking: '已输入 {n} 位',
  // steps
  stepChecklist: '检查项', stepSamples: '抽样', stepPhotos: '证据照片', stepRecord: '笔录', stepSign: '签名', stepReview: '核对提交',
  pass: '符合', fail: '不符合', na: '不适用', note: '备注', addNote: '添加备注', takePhoto: '拍照',
  required: '必填', photoRequired: '需拍照', legalBasis: '依据', basisPending: '待核', basisVersion: '条文版本：{date}', markRestPass: '本节未填项全部“符合”',
  numberRange: '数值应在 {min} 至 {max} {unit} 之间', numberMin: '数值应不小于 {min} {unit}', numberMax: '数值应不大于 {max} {unit}',
  notANumber: '请输入数字', reviewerComment: '审核意见：{text}',
  samples: '抽样记录', addSample: '添加样品', sampleName: '样品名称', brand: '商标', spec: '规格型号',
  batchNo: '批号', productionDate: '生产日期', maker: '标称生产者', standard: '执行标准', quantity: '抽样数量',
  baseQuantity: '抽样基数', backupQuantity: '备样数量', sealNumbers: '封样编号（多个用逗号分隔）', sampleN: '样品 {n}',
  noSamples: '未抽样。如已抽样，请添加样品。',
  photos: '证据照片', takeEvidencePhoto: '拍摄证据照片', caption: '照片说明', noPhotos: '暂无证据照片。',
  photoTaken: '拍摄时间 {time}', photoGps: '位置 {lat}, {lon}', photoHash: '指纹 {hash}',
  uploadProgress: '上传 {pct}%', uploaded: '已上传', uploadWaiting: '等待上传', uploadHeld: '原图等待 Wi-Fi',
  uploadProcessing: '已送达，服务器正在检查照片', uploadUndecodable: '服务器无法打开这张照片（文件已损坏）。手机上的原图已保留，请重新拍摄这张照片。',
  photoUnreadable: '无法读取所选照片文件，请重新选择或重新拍摄。',
  photoNotAccepted: '“{name}”不是可用的照片格式。请使用 JPEG、PNG、WebP 或 HEIC 照片。',
  photoUndecodable: '照片“{name}”已损坏，无法打开。请重新拍摄。',
  photoNotStored: '照片未能保存到手机：{msg}',
  photoRecordClosed: '照片未添加：拍照期间该检查记录已关闭或已不可修改。如仍需要，请打开该记录重新拍照。',
  photoNoPreview: '本机无法预览此格式，同步后显示',
  photoDeviationTitle: '这张照片可能不是本次检查时拍摄的', photoDeviationHint: '照片的拍摄时间或地点与本次检查不符：{what}。如确需作为证据，请说明原因（将随照片保存，并打印在证据提取单上）。',
  photoReason: '原因', photoReasonRequired: '请填写原因。', attachAnyway: '仍然添加', photoRemark: '说明：{text}',
  photoBeforeInspection: '早于检查 {span}', photoAfterInspection: '晚于检查 {span}', photoFarFromInspection: '距检查地点 {distance}',
  spanYears: '{n} 年', spanDays: '{n} 天', spanHours: '{n} 小时', spanMinutes: '{n} 分钟', distanceKm: '{n} 公里', distanceMetres: '{n} 米',
  processingPhoto: '正在处理照片…', photoFailed: '照片处理失败：{msg}', storageFull: '手机存储空间不足，请先同步并清理。', notSaved: '未保存！{msg} 请勿关闭应用，修改仍在屏幕上。',
  certificatesAnswer: '出示执法证件，当事人是否看清楚', recusalAnswer: '是否申请回避', narrative: '现场情况',
  narrativeHint: '客观记录所见事实：时间、地点、物品、数量、标签内容等。', partyStatement: '当事人的陈述和申辩',
  closingAnswer: '当事人对笔录的意见', narrativeWarning: '现场情况中含有定性、处罚用语或法律条款：{words}。现场笔录应客观记录事实，不作定性；法律依据印在检查项的依据栏。',
  signParty: '当事人签名', signWitness: '见证人签名', signInspector: '检查人员签名：{name}', signerName: '签名人姓名',
  witnessName: '见证人姓名', sign: '签名', resign: '重新签名', clear: '清除', signHere: '请在框内签名',
  signedAt: '已签名 {time}', partyRefuses: '当事人拒绝签名', refusalReason: '拒签原因', notSigned: '未签名',
  emptySignature: '请先签名', signerNameRequired: '请填写签名人姓名',
  reviewTitle: '提交前核对', missingItems: '尚缺 {n} 项：', nothingMissing: '所有必填内容已完成。', submit: '提交',
  submitted: '已提交，联网后自动上传。', goFix: '去填写',
  missFinding: '检查项 {key} 未填：{label}', missPhoto: '检查项 {key} 需拍照', missNumber: '检查项 {key} 数值无效',
  missInspectors: '须有两名执法人员', missNarrative: '未填写现场情况', missPartySign: '当事人未签名，也未记录拒签',
  missRefusal: '拒签须填写原因和见证人', missWitnessSign: '拒签时须有见证人签名', missInspectorSign: '{name} 未签名',
  missSample: '样品 {n} 缺少：{fields}', missCertificates: '未记录当事人对出示证件的回答',
  missRecusal: '未记录当事人是否申请回避', missClosing: '未记录当事人对笔录的意见',
  closingContradictsRefusal: '当事人拒绝签名，对笔录的意见不能是“{answer}”。请记录当事人的实际回答（如“有异议”）。',
  ansSeen: '看清楚了', ansNoAnswer: '拒绝回答', ansNoRecusal: '不申请回避', ansRecusal: '申请回避', ansTrue: '以上记录属实', ansObjects: '有异议',
  answerOwnWords: '或记录当事人的原话', answerNotGiven: '请按当事人的回答选择或填写，不要代答。',
  answerPreset: '此回答是旧版本应用预先填写的，并非当事人所答。请按当事人的回答重新点选或填写。',
  mutation_inspection_create: '新建检查记录', mutation_inspection_update: '修改检查记录', mutation_inspection_submit: '提交审核',
  mutation_inspection_amend: '修改后重新提交', mutation_inspection_delete: '删除草稿', mutation_finding_set: '填写检查项',
  mutation_sample_add: '添加抽样', mutation_sample_update: '修改抽样', mutation_sample_remove: '删除抽样',
  mutation_photo_add: '添加照片', mutation_photo_update: '修改照片说明', mutation_photo_remove: '删除照片',
  mutation_signature_add: '签名', mutation_signature_refuse: '记录拒签', mutation_party_create: '新建当事人',
  mutation_other: '一项修改',
  errUpload_truncated_image: '有照片文件不完整，服务器未接收。原件仍在本机，请删除后重新拍摄（{code}）',
  errUpload_corrupt_image: '有照片文件已损坏，服务器无法打开。请删除后重新拍摄（{code}）',
  errUpload_unsupported_format: '有文件不是服务器接受的照片格式（JPEG、PNG、WebP、HEIC）（{code}）',
  errUpload_decompression_bomb: '有照片像素过多，服务器拒收（{code}）',
  errUpload_digest_mismatch: '有照片传输中出错，将重新上传（{code}）',
  errUpload_too_large: '有照片文件过大，服务器拒收（{code}）',
  errUpload_storage_full: '服务器存储空间已满，稍后自动重试（{code}）',
  rejectedTitle: '服务器拒绝了以下修改', resend: '重新发送此记录', conflictTitle: '与服务器数据冲突',
  conflictField: '字段 {field}：服务器为“{server}”，本机为“{client}”', useMine: '保留本机值',
  decisionTitle: '审核结果', amend: '修改并重新提交', amendReason: '修改说明', caseNumber: '文号 {n}',
  reviewer: '审核人 {name}',
  submittedReadOnly: '已提交，等待审核。审核结果出来前不能修改。', approvedReadOnly: '已审核通过，记录不能再修改。',
  rejectedReadOnly: '审核不予通过，记录不能再修改。', deletedReadOnly: '此草稿已删除，联网后同步删除。',
  returnedNotice: '审核人员已退回此记录，请修改后重新提交。',
  deleteDraft: '删除草稿', deleteDraftTitle: '删除这份草稿？', deleteDraftBody: '草稿中填写的内容、照片和签名都将删除，不能恢复。已提交的记录不能删除。',
  draftDeleted: '草稿已删除。',
  removePhotoTitle: '删除这张照片？', removePhotoBody: '照片将从本记录中删除，不能恢复。', removeSampleTitle: '删除这个样品及其填写的内容？',
  waitingRecords: '待同步 {n} 条记录',
  diagnostics: '诊断信息', diagnosticsHint: '供技术支持排查问题使用，日常检查无需设置。',
  diagClient: '设备标识 {id}', diagQueue: '待发送修改 {mutations} 项，待上传文件 {uploads} 个',
  // logout/export
  logoutBlocked: '还有未同步的数据（{n} 条记录）。请先同步；没有信号时，请导出到文件后再退出。',
  exportUnsynced: '导出未同步数据', exported: '已导出到文件 {name}', logoutAnyway: '已导出，退出登录',
  importFile: '导入数据文件', imported: '已导入：{drafts} 份记录，{mutations} 项修改，{blobs} 个文件',
  importFailed: '导入失败：{msg}', exportNothing: '没有需要导出的数据。',
  originalsOnWifi: '原图仅在 Wi-Fi 下上传', chunkSize: '上传分块大小', chunkAuto: '自动（按网速）',
  appVersion: '应用版本 {v}', account: '账号', deviceData: '本机数据',
  errNetwork: '无法连接服务器（没有信号或服务器不可达）', errServer: '服务器暂时不可用，稍后自动重试',
  errAuth: '登录已失效，请重新登录', updateNotSaved: '当前记录未能保存，暂不更新。', errVersion: '应用版本过旧，请更新', errTooLarge: '数据过大，正在拆分重试',
  errNoSync: '服务器尚未开放同步接口', errUnknown: '同步出错（{code}）', errBadCredentials: '用户名或密码错误',
  errRateLimited: '尝试次数过多，请稍后再试',
  justNow: '刚刚', minutesAgo: '{n} 分钟前', hoursAgo: '{n} 小时前', daysAgo: '{n} 天前',
  yes: '是', no: '否', photosCount: '{n} 张照片',
  dueOn: '期限 {date}', dueProvisional: '暂定', dueProvisionalHint: '该年度节假日安排尚未录入，暂按周一至周五（元旦、五一、国庆除外）计算',
  diagCalendar: '节假日安排：已载入 {first}–{last} 年；其后年份的期限为暂定', diagNoCalendar: '节假日安排：尚未同步，期限均为暂定',
  // Reading the record before signing (content.js, views/preview.js)
  previewTitle: '签名前核对笔录', previewHint: '以下为将打印的笔录全文（只读），请当事人逐页核对，或由执法人员向其宣读。',
  previewPage: '第 {n} 页 共 {m} 页', previewReadToEnd: '请翻到最后一页后再确认。',
  previewSeen: '以上笔录我已看过', previewReadAloud: '已向其宣读', previewPrev: '上一页', previewNext: '下一页',
  resignNeeded: '所签为第{revision}版，此后内容已修改（{documents}），请重新签名。',
  resignCount: '有 {n} 个签名所签内容已修改，请重新签名（不重新签名的，案卷中注明“未重新签名”）。',
  docOnSite: '现场笔录', docSampling: '抽样记录', docEvidence: '证据提取单',
  myTasks: '检查任务', taskDue: '期限 {date}', taskProvisional: '暂定', taskUrgent: '紧急', taskStart: '开始检查',
  taskContinue: '继续检查', taskWhat: '检查内容', taskWith: '同行：{names}', taskCancelled: '任务已取消',
  taskSource: '来源：{source}', taskSourceComplaint: '投诉', taskSourceReport: '举报', taskSourceDraw: '双随机抽取',
  taskSourceReinspection: '复查', taskSourceExposure: '3·15曝光', taskSourceManual: '人工派单', taskOverdue: '已逾期',
  taskNoCo: '该任务没有同行执法人员，请在下一步选择',
  // leads (线索) recorded on the phone, and 待办 counts
  newLead: '登记线索', leads: '线索（投诉举报）', leadTitle: '登记线索', leadKind: '类型', leadChannel: '来源',
  leadCategory: '产品类别', lead_kind_report: '举报', lead_kind_complaint: '投诉', lead_kind_inquiry: '咨询',
  lead_channel_inspection_found: '检查中发现', lead_channel_walk_in: '群众当面反映', lead_channel_onsite_event: '活动受理台',
  lead_productCategory_fertilizer: '化肥', lead_productCategory_pesticide: '农药', lead_productCategory_seed: '种子',
  lead_productCategory_film: '农膜', lead_productCategory_machinery: '农机具', lead_productCategory_other: '其他',
  leadRespondent: '被投诉/被举报单位', leadRespondentName: '名称（本机未找到时填写）', leadFacts: '事实经过',
  leadRequests: '诉求（投诉）', leadTextOnly: '线索暂只能登记文字，照片请在检查记录中拍摄。', leadPerson: '投诉人/举报人',
  leadAnonymous: '匿名举报', leadPersonName: '姓名', leadSave: '保存线索', leadSaved: '线索已保存在本机，将随同步上报。',
  leadNeedsRespondent: '请选择或填写被投诉/被举报单位。', leadNeedsFacts: '请填写事实经过。',
  leadComplaintNeedsPerson: '投诉需要投诉人的姓名和联系电话。', leadReportNeedsPerson: '实名举报需要举报人的姓名和联系电话（或勾选匿名）。',
  leadComplaintNotAnonymous: '投诉不能匿名；匿名的请登记为举报。', leadRefused: '被拒收', leadRegistered: '已登记',
  mutation_complaint_create: '登记线索',
  deadlinesTitle: '待办期限', deadline_overdue: '已逾期', deadline_today: '今日到期', deadline_soon: '2个工作日内', deadline_provisional: '暂定',
};

const en = {
  appName: 'Field Inspection', login: 'Log in', username: 'Username', password: 'Password',
  loginHint: 'Log in once with a network connection; afterwards the app works offline.', loggingIn: 'Logging in…',
  loginNeedsNetwork: 'Logging in needs a network connection.',
  loginOtherUserBlocked: 'This phone holds unsynced work of {name}. {name} must log in and sync, or export it, before another inspector logs in.',
  loginExpired: 'Your login has expired. Log in again (your data stays on this phone).',
  language: 'Language', langZh: '中文', langEn: 'English',
  home: 'Home', settings: 'Settings', logout: 'Log out', back: 'Back', next: 'Next', prev: 'Previous',
  save: 'Save', cancel: 'Cancel', confirm: 'OK', remove: 'Delete', edit: 'Edit', close: 'Close', done: 'Done',
  newInspection: 'New inspection', todayTasks: "Today's tasks", drafts: 'Drafts', returned: 'Returned for correction',
  submittedList: 'Submitted', noDrafts: 'No drafts. Tap “New inspection” below to start.',
  syncPanel: 'Sync', syncNow: 'Sync now', syncing: 'Syncing…', waitingItems: '{n} items waiting',
  bytesLeft: '{size} to upload', lastSync: 'Last successful sync: {time}', neverSynced: 'Never synced',
  lastError: 'Last error: {msg}', storage: 'Storage: {used} used / {quota} available',
  photoBytes: 'Photos on this phone: {size} (an original is removed once the server confirms it has it)',
  persisted: 'Persistent storage granted (the system will not clear it)', notPersisted: 'No persistent storage: add the app to the home screen and open it often',
  offline: 'Offline', online: 'Online', allSynced: 'All synced', keepOpen: 'Keep the app open until sync completes',
  originalsHeld: '{n} originals waiting for Wi-Fi', uploadOriginalsNow: 'Upload originals now',
  statusLocal: 'Only on this phone', statusPending: 'Waiting to sync', statusSynced: 'Synced', statusSubmitted: 'Submitted',
  statusReturned: 'Returned', statusApproved: 'Approved', statusRejected: 'Rejected', statusRejectedMutation: 'Changes rejected',
  statusSubmitting: 'Submitted, waiting to upload', statusDraft: 'Draft', statusConflict: 'Conflict',
  updatedAt: 'Updated {time}', savedLocally: 'Saved on this phone {time}', saving: 'Saving…',
  updateAvailable: 'New version available', updateBody: 'A new version is ready. Your drafts and unsynced work are kept.', updateNow: 'Update now', later: 'Later',
  reloadNeeded: 'The app was updated in another window. Please reload.', reload: 'Reload',
  setupTitle: 'New inspection', category: 'Product category (checklist)', party: 'Party inspected',
  searchParty: 'Find by name or credit code', noPartyFound: 'Not found on this phone. You can create the party.',
  newParty: 'New party', partyName: 'Name', creditCode: 'Unified social credit code', legalRep: 'Legal representative',
  address: 'Address', phone: 'Phone', createParty: 'Save party', changeParty: 'Change',
  coInspector: 'Co-inspector (two inspectors required)', noColleagues: 'No colleague list on this phone; sync once online.',
  place: 'Place', gps: 'Location', takeGps: 'Get location', gpsAccuracy: 'accuracy ±{m} m', gpsFailed: 'Location failed: {msg}',
  gpsWaiting: 'Locating…', startInspection: 'Start inspection', setupMissing: 'Choose a checklist, a party and a co-inspector',
  creditValid: 'Valid', creditChecking: '{n} characters',
  stepChecklist: 'Checklist', stepSamples: 'Samples', stepPhotos: 'Photos', stepRecord: 'Record', stepSign: 'Signatures', stepReview: 'Review',
  pass: 'Pass', fail: 'Fail', na: 'N/A', note: 'Note', addNote: 'Add note', takePhoto: 'Photo',
  required: 'Required', photoRequired: 'Photo needed', legalBasis: 'Legal basis', basisPending: 'To be verified', basisVersion: 'Text as of the version of {date}', markRestPass: 'Mark the rest of this section “Pass”',
  numberRange: 'Enter a value from {min} to {max} {unit}', numberMin: 'Enter at least {min} {unit}', numberMax: 'Enter at most {max} {unit}',
  notANumber: 'Enter a number', reviewerComment: 'Reviewer: {text}',
  samples: 'Samples', addSample: 'Add sample', sampleName: 'Sample name', brand: 'Brand', spec: 'Specification',
  batchNo: 'Batch no.', productionDate: 'Production date', maker: 'Stated maker', standard: 'Standard', quantity: 'Quantity taken',
  baseQuantity: 'Base quantity (lot)', backupQuantity: 'Backup quantity', sealNumbers: 'Seal numbers (comma-separated)', sampleN: 'Sample {n}',
  noSamples: 'No samples. Add one if you took samples.',
  photos: 'Evidence photos', takeEvidencePhoto: 'Take evidence photo', caption: 'Caption', noPhotos: 'No evidence photos yet.',
  photoTaken: 'Taken {time}', photoGps: 'At {lat}, {lon}', photoHash: 'SHA-256 {hash}',
  uploadProgress: 'Uploading {pct}%', uploaded: 'Uploaded', uploadWaiting: 'Waiting to upload', uploadHeld: 'Original waits for Wi-Fi',
  uploadProcessing: 'Delivered; the server is checking the photo', uploadUndecodable: 'The server cannot open this photo (the file is damaged). The original stays on this phone; please take the photo again.',
  photoUnreadable: 'The chosen photo file cannot be read. Choose it again or take a new photo.',
  photoNotAccepted: '“{name}” is not a usable photo format. Use a JPEG, PNG, WebP or HEIC photo.',
  photoUndecodable: 'The photo “{name}” is damaged and cannot be opened. Take it again.',
  photoNotStored: 'The photo could not be saved on this phone: {msg}',
  photoRecordClosed: 'Photo not attached: while it was being taken, its record was closed or can no longer be edited. If it is still needed, open that record and take it again.',
  photoNoPreview: 'No preview on this phone; shown after sync',
  photoDeviationTitle: 'This photo may not be from this inspection', photoDeviationHint: 'Its capture time or place does not match this inspection: {what}. If it must be evidence, say why (kept with the photo and printed on its evidence sheet).',
  photoReason: 'Reason', photoReasonRequired: 'Give the reason.', attachAnyway: 'Attach anyway', photoRemark: 'Note: {text}',
  photoBeforeInspection: '{span} before the inspection', photoAfterInspection: '{span} after the inspection', photoFarFromInspection: '{distance} from the inspection place',
  spanYears: '{n} years', spanDays: '{n} days', spanHours: '{n} hours', spanMinutes: '{n} minutes', distanceKm: '{n} km', distanceMetres: '{n} m',
  processingPhoto: 'Processing photo…', photoFailed: 'Photo failed: {msg}', storageFull: 'Phone storage is full. Sync and free space first.', notSaved: 'NOT saved! {msg} Keep the app open; your changes are still on screen.',
  certificatesAnswer: 'Certificates shown — did the party see them clearly?', recusalAnswer: 'Does the party request recusal?', narrative: 'On-site situation',
  narrativeHint: 'Record facts objectively: time, place, goods, quantities, label text.', partyStatement: "Party's statement and defence",
  closingAnswer: "Party's opinion on the record", narrativeWarning: 'The narrative contains characterising or penalty words or statute articles: {words}. Record facts only; the legal basis prints in the checklist basis column.',
  signParty: 'Party signature', signWitness: 'Witness signature', signInspector: 'Inspector signature: {name}', signerName: 'Signer name',
  witnessName: 'Witness name', sign: 'Sign', resign: 'Sign again', clear: 'Clear', signHere: 'Sign inside the box',
  signedAt: 'Signed {time}', partyRefuses: 'The party refuses to sign', refusalReason: 'Reason for refusal', notSigned: 'Not signed',
  emptySignature: 'Please sign first', signerNameRequired: "Enter the signer's name",
  reviewTitle: 'Check before submitting', missingItems: '{n} missing:', nothingMissing: 'Everything required is complete.', submit: 'Submit',
  submitted: 'Submitted; it uploads when there is a network.', goFix: 'Fix',
  missFinding: 'Item {key} not answered: {label}', missPhoto: 'Item {key} needs a photo', missNumber: 'Item {key} has an invalid number',
  missInspectors: 'Two inspectors are required', missNarrative: 'The on-site situation is empty', missPartySign: 'No party signature and no refusal recorded',
  missRefusal: 'A refusal needs a reason and a witness', missWitnessSign: 'A refusal needs the witness signature', missInspectorSign: '{name} has not signed',
  missSample: 'Sample {n} lacks: {fields}', missCertificates: "The party's answer on the certificates shown is not recorded",
  missRecusal: "The party's answer on recusal is not recorded", missClosing: "The party's opinion on the record is not recorded",
  closingContradictsRefusal: 'The party refuses to sign, so the opinion on the record cannot be "{answer}". Record what the party said (e.g. 有异议).',
  ansSeen: '看清楚了 (seen clearly)', ansNoAnswer: '拒绝回答 (no answer)', ansNoRecusal: '不申请回避 (no recusal)', ansRecusal: '申请回避 (requests recusal)',
  ansTrue: '以上记录属实 (record is true)', ansObjects: '有异议 (objects)',
  answerOwnWords: "Or write the party's own words (printed as written)", answerNotGiven: "Choose or write the party's own answer; never answer for the party.",
  answerPreset: "This answer was filled in by an older version of the app, not given by the party. Tap or write the party's own answer.",
  mutation_inspection_create: 'New inspection', mutation_inspection_update: 'Inspection changed', mutation_inspection_submit: 'Submitted for review',
  mutation_inspection_amend: 'Amended and resubmitted', mutation_inspection_delete: 'Draft deleted', mutation_finding_set: 'Item answered',
  mutation_sample_add: 'Sample added', mutation_sample_update: 'Sample changed', mutation_sample_remove: 'Sample removed',
  mutation_photo_add: 'Photo added', mutation_photo_update: 'Photo caption changed', mutation_photo_remove: 'Photo removed',
  mutation_signature_add: 'Signature', mutation_signature_refuse: 'Refusal recorded', mutation_party_create: 'New party',
  mutation_other: 'A change',
  errUpload_truncated_image: 'A photo file is incomplete and the server refused it. The original stays on this phone: remove it and take it again ({code})',
  errUpload_corrupt_image: 'A photo file is damaged and the server cannot open it. Remove it and take it again ({code})',
  errUpload_unsupported_format: 'A file is not a photo format the server accepts (JPEG, PNG, WebP, HEIC) ({code})',
  errUpload_decompression_bomb: 'A photo has too many pixels and the server refused it ({code})',
  errUpload_digest_mismatch: 'A photo was damaged in transfer; it will be sent again ({code})',
  errUpload_too_large: 'A photo file is too large and the server refused it ({code})',
  errUpload_storage_full: 'The server\'s storage is full; this is retried later ({code})',
  rejectedTitle: 'The server rejected these changes', resend: 'Send this record again', conflictTitle: 'Conflicts with server data',
  conflictField: 'Field {field}: server “{server}”, this phone “{client}”', useMine: 'Keep my value',
  decisionTitle: 'Review decision', amend: 'Amend and resubmit', amendReason: 'What was changed', caseNumber: 'Case number {n}',
  reviewer: 'Reviewer {name}',
  submittedReadOnly: 'Submitted and waiting for review; it cannot be changed until the reviewer decides.', approvedReadOnly: 'Approved; the record can no longer be changed.',
  rejectedReadOnly: 'Not approved; the record can no longer be changed.', deletedReadOnly: 'This draft was deleted; the deletion syncs when there is a network.',
  returnedNotice: 'The reviewer returned this record: correct it and submit it again.',
  deleteDraft: 'Delete draft', deleteDraftTitle: 'Delete this draft?', deleteDraftBody: 'Everything entered in it, its photos and signatures are deleted for good. Submitted records cannot be deleted.',
  draftDeleted: 'Draft deleted.',
  removePhotoTitle: 'Delete this photo?', removePhotoBody: 'The photo is removed from this record for good.', removeSampleTitle: 'Delete this sample and what was entered for it?',
  waitingRecords: '{n} records waiting to sync',
  diagnostics: 'Diagnostics', diagnosticsHint: 'For technical support; nothing here is needed for inspections.',
  diagClient: 'Device id {id}', diagQueue: '{mutations} changes to send, {uploads} files to upload',
  logoutBlocked: 'There is unsynced work ({n} records). Sync first; without a signal, export it to a file before logging out.',
  exportUnsynced: 'Export unsynced work', exported: 'Exported to {name}', logoutAnyway: 'Exported — log out',
  importFile: 'Import a data file', imported: 'Imported {drafts} records, {mutations} changes, {blobs} files',
  importFailed: 'Import failed: {msg}', exportNothing: 'Nothing to export.',
  originalsOnWifi: 'Upload original photos on Wi-Fi only', chunkSize: 'Upload chunk size', chunkAuto: 'Automatic (by speed)',
  appVersion: 'App version {v}', account: 'Account', deviceData: 'Data on this phone',
  errNetwork: 'Cannot reach the server (no signal or server down)', errServer: 'The server is busy; retrying automatically',
  errAuth: 'Your login is no longer valid; log in again', updateNotSaved: 'The open record could not be saved, so the update waits.', errVersion: 'This app version is too old; please update', errTooLarge: 'Too much data at once; retrying in smaller parts',
  errNoSync: 'The server does not offer sync yet', errUnknown: 'Sync error ({code})', errBadCredentials: 'Wrong username or password',
  errRateLimited: 'Too many attempts; try again later',
  justNow: 'just now', minutesAgo: '{n} min ago', hoursAgo: '{n} h ago', daysAgo: '{n} days ago',
  yes: 'Yes', no: 'No', photosCount: '{n} photos',
  dueOn: 'Due {date}', dueProvisional: 'provisional', dueProvisionalHint: "That year's holiday notice is not loaded yet: counted on weekdays (less 1 Jan, 1-2 May, 1-3 Oct) for now",
  diagCalendar: 'Holiday calendar: {first}–{last} loaded; deadlines in later years are provisional', diagNoCalendar: 'Holiday calendar: not synced yet; every deadline is provisional',
  // Reading the record before signing (content.js, views/preview.js)
  previewTitle: 'Check the record before signing', previewHint: 'The whole record as it will print (read-only). The party reads each page, or an inspector reads it aloud.',
  previewPage: 'Page {n} of {m}', previewReadToEnd: 'Go to the last page before confirming.',
  previewSeen: 'I have read the record above', previewReadAloud: 'Read aloud to the signer', previewPrev: 'Previous page', previewNext: 'Next page',
  resignNeeded: 'Signed revision {revision}; the content changed since ({documents}): please sign again.',
  resignCount: '{n} signature(s) attest content that changed since: please sign again (otherwise the case file says not signed again).',
  docOnSite: 'on-site record', docSampling: 'sampling record', docEvidence: 'evidence sheet',
  myTasks: 'Tasks', taskDue: 'Due {date}', taskProvisional: 'provisional', taskUrgent: 'Urgent', taskStart: 'Start inspection',
  taskContinue: 'Continue inspection', taskWhat: 'What to check', taskWith: 'With: {names}', taskCancelled: 'Task cancelled',
  taskSource: 'Source: {source}', taskSourceComplaint: 'complaint', taskSourceReport: 'report', taskSourceDraw: 'random draw',
  taskSourceReinspection: 're-inspection', taskSourceExposure: '3·15 exposure', taskSourceManual: 'assigned', taskOverdue: 'overdue',
  taskNoCo: 'This task has no co-inspector; choose one in the next step',
  // leads recorded on the phone, and deadline counts
  newLead: 'Record a lead', leads: 'Leads (complaints and reports)', leadTitle: 'Record a lead', leadKind: 'Kind', leadChannel: 'Came by',
  leadCategory: 'Product category', lead_kind_report: 'Report', lead_kind_complaint: 'Complaint', lead_kind_inquiry: 'Inquiry',
  lead_channel_inspection_found: 'Found during an inspection', lead_channel_walk_in: 'Told in person', lead_channel_onsite_event: 'Event intake desk',
  lead_productCategory_fertilizer: 'Fertilizer', lead_productCategory_pesticide: 'Pesticide', lead_productCategory_seed: 'Seed',
  lead_productCategory_film: 'Farm film', lead_productCategory_machinery: 'Farm machinery', lead_productCategory_other: 'Other',
  leadRespondent: 'Business complained about or reported', leadRespondentName: 'Name (when not found on the phone)', leadFacts: 'What happened',
  leadRequests: 'What is asked (complaints)', leadTextOnly: 'A lead is text only for now; take photos in an inspection record.', leadPerson: 'Complainant or reporter',
  leadAnonymous: 'Anonymous report', leadPersonName: 'Name', leadSave: 'Save the lead', leadSaved: 'Lead saved on this phone; it is sent with the next sync.',
  leadNeedsRespondent: 'Choose or name the business.', leadNeedsFacts: 'Write what happened.',
  leadComplaintNeedsPerson: "A complaint needs the complainant's name and phone.", leadReportNeedsPerson: "A real-name report needs the reporter's name and phone (or tick anonymous).",
  leadComplaintNotAnonymous: 'A complaint cannot be anonymous; record it as a report.', leadRefused: 'Refused', leadRegistered: 'Registered',
  mutation_complaint_create: 'Lead recorded',
  deadlinesTitle: 'Deadlines', deadline_overdue: 'Overdue', deadline_today: 'Due today', deadline_soon: 'Within 2 working days', deadline_provisional: 'Provisional',
};

const DICTIONARIES = { zh, en };
let current = 'zh';

export function setLanguage(lang) {
  current = DICTIONARIES[lang] ? lang : 'zh';
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
}

export function language() { return current; }

export function t(key, params = {}) {
  const text = DICTIONARIES[current][key] ?? zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? ''));
}

// A queued change by name ('finding.set.v1'), in the reader's words.
export function mutationLabel(name) {
  const key = `mutation_${String(name || '').replace(/\.v\d+$/, '').replace(/\./g, '_')}`;
  const text = t(key);
  return text === key ? t('mutation_other') : text;
}

// A field path of a server reason ('narrative', 'fields.narrative', 'args.witnessName') as its
// label on the form, or '' when the form has no name for it (never the raw path).
export function fieldLabel(path) {
  const last = String(path || '').split('.').pop();
  const text = last ? t(last) : '';
  return text === last ? '' : text;
}

// A server reason in the reader's language.
export function reasonText(reason) {
  if (!reason) return '';
  return (current === 'zh' ? reason.messageZh || reason.message : reason.message || reason.messageZh) || reason.code;
}

export function relativeTime(iso) {
  if (!iso) return '';
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (seconds < 60) return t('justNow');
  if (seconds < 3600) return t('minutesAgo', { n: Math.floor(seconds / 60) });
  if (seconds < 86400) return t('hoursAgo', { n: Math.floor(seconds / 3600) });
  return t('daysAgo', { n: Math.floor(seconds / 86400) });
}

// Times are shown in China time whatever zone the phone (or a camera abroad) is set to, so the
// phone, the console and the printed case file show the same clock for the same moment.
const DISPLAY_ZONE = 'Asia/Shanghai';
const clockFormat = new Intl.DateTimeFormat('en-CA', { timeZone: DISPLAY_ZONE, year: 'numeric', month: '2-digit',
  day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export function clockTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const part = Object.fromEntries(clockFormat.formatToParts(d).map((x) => [x.type, x.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}
