// HTTP to the server: JSON calls with the device token, and errors sorted by what to do next.
let token = null;
let onUnauthorized = () => {};

export function setToken(value) { token = value; }
export function onAuthFailure(handler) { onUnauthorized = handler; }

// kind: 'network' (no answer: retry later), 'auth' (log in again), 'server' (5xx: retry later),
// 'client' (4xx: this request is wrong; do not resend it unchanged).
export class ApiError extends Error {
  constructor(kind, status, code, message, details, headers) {
    super(message || code || kind);
    Object.assign(this, { kind, status, code, details: details || {}, headers });
  }
}

// Requests on the wire, so a lost connection can end them at once instead of at their timeout.
const inFlight = new Set();

// The phone went offline: requests sent over the lost connection may hang until their timeout
// (a minute for a push), holding back the sync that the returning network should start at once.
export function abortRequestsInFlight() {
  for (const controller of inFlight) controller.abort();
}

// A request made another way (uploads.js uses XMLHttpRequest) ends with the others when the phone
// goes offline: it registers its AbortController here and removes it when done.
export function trackInFlight(controller) {
  inFlight.add(controller);
  return () => inFlight.delete(controller);
}

export async function fetchWithTimeout(url, options = {}, timeoutMs = 30000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  inFlight.add(controller);
  try {
    return await fetch(url, { ...options, signal: controller.signal, cache: 'no-store' });
  } catch (err) {
    throw new ApiError('network', 0, err.name === 'AbortError' ? 'timeout' : 'network', err.message);
  } finally {
    clearTimeout(timer);
    inFlight.delete(controller);
  }
}

export function authHeaders(extra = {}) {
  return token ? { Authorization: `Bearer ${token}`, ...extra } : { ...extra };
}

// JSON request; resolves with the parsed body, rejects with ApiError.
export async function call(path, { method = 'GET', body, timeoutMs = 30000, auth = true } = {}) {
  const headers = auth ? authHeaders({ Accept: 'application/json' }) : { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetchWithTimeout(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, timeoutMs);
  return readJSON(response);
}

export async function readJSON(response) {
  let data = null;
  const text = await response.text().catch(() => '');
  if (text) { try { data = JSON.parse(text); } catch (_) { data = null; } }
  if (response.ok) return data;
  throw errorFrom(response, data);
}

export function errorFrom(response, data) {
  const err = (data && data.error) || {};
  const status = response.status;
  const kind = status === 401 ? 'auth' : status >= 500 || status === 429 && !err.code ? 'server' : status === 0 ? 'network' : 'client';
  const e = new ApiError(kind, status, err.code || `http_${status}`, err.message, err.details, response.headers);
  if (kind === 'auth') onUnauthorized(e);
  return e;
}
