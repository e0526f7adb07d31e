// The only module that talks to IndexedDB: names, versions, upgrade migrations, transactions.
//
// Migrations only ever add stores or indexes and rewrite rows in place. The outbox, drafts and
// blobs hold an inspector's unsynced work, so no migration may delete or clear them.
// Bytes are stored as ArrayBuffer (not Blob): WebKit's IndexedDB fails on Blobs intermittently.
// Never await the network inside run(): a transaction commits as soon as it has nothing to do.

export const DB_NAME = 'inspector';
export const DB_VERSION = 3;
export const STORES = ['meta', 'server_rows', 'outbox', 'drafts', 'blobs', 'uploads'];

const MIGRATIONS = {
  // v1: the six stores.
  1(db) {
    db.createObjectStore('meta', { keyPath: 'key' });
    const rows = db.createObjectStore('server_rows', { keyPath: ['type', 'id'] });
    rows.createIndex('byType', 'type');
    db.createObjectStore('outbox', { keyPath: 'id' });
    db.createObjectStore('drafts', { keyPath: 'id' });
    db.createObjectStore('blobs', { keyPath: 'sha256' });
    db.createObjectStore('uploads', { keyPath: 'sha256' });
  },
  // v2: outbox entries know their inspection (for per-record status); older entries are
  // back-filled from their args, never dropped.
  2(db, tx) {
    const outbox = tx.objectStore('outbox');
    outbox.createIndex('byInspection', 'inspectionID');
    outbox.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      const entry = cursor.value;
      if (!entry.inspectionID) {
        entry.inspectionID = (entry.args && (entry.args.inspectionID || entry.args.id)) || 'none';
        cursor.update(entry);
      }
      cursor.continue();
    };
    const drafts = tx.objectStore('drafts');
    drafts.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      const draft = cursor.value;
      if (!draft.schema) {
        draft.schema = 2;
        draft.rejections = draft.rejections || [];
        draft.conflicts = draft.conflicts || [];
        cursor.update(draft);
      }
      cursor.continue();
    };
  },
  // v3: blobs indexed by (role, size), so the bytes of photos kept on the phone are summed from
  // index keys without reading any bytes. Every blob ever written carries both; none is rewritten.
  3(db, tx) {
    tx.objectStore('blobs').createIndex('byRoleSize', ['role', 'size']);
  },
};

let opening = null;

export function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openDB() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = (event) => {
      const db = req.result;
      for (let v = event.oldVersion + 1; v <= DB_VERSION; v += 1) MIGRATIONS[v](db, req.transaction);
    };
    req.onblocked = () => window.dispatchEvent(new CustomEvent('db-blocked'));
    req.onsuccess = () => {
      const db = req.result;
      // A newer version of the app (another tab) wants to upgrade: let it, and ask for a reload.
      db.onversionchange = () => {
        db.close();
        opening = null;
        window.dispatchEvent(new CustomEvent('db-versionchange'));
      };
      resolve(db);
    };
    req.onerror = () => { opening = null; reject(req.error); };
  });
  return opening;
}

// Run `work(stores)` in one transaction; resolves with its result once the transaction commits.
// `stores[name]` exposes promise-returning get/put/delete/getAll/clear/index helpers.
export async function run(storeNames, mode, work) {
  const db = await openDB();
  const names = Array.isArray(storeNames) ? storeNames : [storeNames];
  const tx = db.transaction(names, mode);
  const stores = {};
  for (const name of names) stores[name] = wrap(tx.objectStore(name));
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new DOMException('Transaction aborted', 'AbortError'));
    tx.onerror = () => reject(tx.error);
  });
  let result;
  try {
    result = await work(stores, tx);
  } catch (err) {
    try { tx.abort(); } catch (_) { /* already finished */ }
    await done.catch(() => {});
    throw err;
  }
  await done;
  return result;
}

function wrap(store) {
  return {
    get: (key) => request(store.get(key)),
    put: (value) => request(store.put(value)),
    add: (value) => request(store.add(value)),
    delete: (key) => request(store.delete(key)),
    clear: () => request(store.clear()),
    count: (query) => request(store.count(query)),
    getAll: (query) => request(store.getAll(query)),
    getAllFromIndex: (index, query) => request(store.index(index).getAll(query)),
    indexKeys: (index) => indexKeys(store.index(index)),
    raw: store,
  };
}

// The index's own keys (not the primary keys that getAllKeys gives), without reading any value.
function indexKeys(index) {
  return new Promise((resolve, reject) => {
    const keys = [];
    const req = index.openKeyCursor();
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) { resolve(keys); return; }
      keys.push(cursor.key);
      cursor.continue();
    };
    req.onerror = () => reject(req.error);
  });
}

export const get = (store, key) => run(store, 'readonly', (s) => s[store].get(key));
export const getAll = (store, query) => run(store, 'readonly', (s) => s[store].getAll(query));
export const put = (store, value) => run(store, 'readwrite', (s) => s[store].put(value));
export const del = (store, key) => run(store, 'readwrite', (s) => s[store].delete(key));

export async function getMeta(key, fallback = null) {
  const row = await get('meta', key);
  return row ? row.value : fallback;
}

export function setMeta(key, value) { return put('meta', { key, value }); }
