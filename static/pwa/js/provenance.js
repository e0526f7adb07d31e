// Is a photo from this inspection? A photo whose camera time or place lies far from the
// inspection's (a picture from the gallery) is flagged when attached and the inspector is asked
// why; the server applies the same rule (services/photo_checks.py) for review and the case file.
// The tolerances come with the login (photoChecks); these defaults match the server's.
import { t } from './i18n.js';

const DEFAULT_LIMITS = { maxHoursFromInspection: 12, maxMetresFromInspection: 1000 };
const DAYS_PER_YEAR = 365.2425;
const HOUR_MS = 3600 * 1000;

// { timeOffsetMs, distanceM } (each null when within the tolerance or unknown), or null when the
// photo fits the inspection. `photo` is { takenAt: the camera's time, gps: { lat, lon } | null }.
export function photoDeviation(photo, draft, limits, now = new Date()) {
  const { maxHoursFromInspection, maxMetresFromInspection } = { ...DEFAULT_LIMITS, ...(limits || {}) };
  let timeOffsetMs = null;
  const taken = photo.takenAt ? new Date(photo.takenAt).getTime() : NaN;
  if (!Number.isNaN(taken)) {
    const start = draft.startedAt ? new Date(draft.startedAt).getTime() : now.getTime();
    const end = Math.max(start, draft.endedAt ? new Date(draft.endedAt).getTime() : now.getTime());
    const outside = taken < start ? taken - start : taken > end ? taken - end : 0;
    if (Math.abs(outside) > maxHoursFromInspection * HOUR_MS) timeOffsetMs = outside;
  }
  let distanceM = null;
  const { gps } = photo;
  if (gps && draft.lat !== null && draft.lat !== undefined && draft.lon !== null && draft.lon !== undefined) {
    const metres = distanceMetres(gps.lat, gps.lon, draft.lat, draft.lon);
    if (metres > maxMetresFromInspection) distanceM = metres;
  }
  return timeOffsetMs === null && distanceM === null ? null : { timeOffsetMs, distanceM };
}

// ["早于检查 14 年", "距检查地点 9,100 公里"], as the console words them.
export function deviationPhrases(deviation) {
  const out = [];
  if (deviation.timeOffsetMs !== null) {
    const key = deviation.timeOffsetMs < 0 ? 'photoBeforeInspection' : 'photoAfterInspection';
    out.push(t(key, { span: humanSpan(Math.abs(deviation.timeOffsetMs)) }));
  }
  if (deviation.distanceM !== null) out.push(t('photoFarFromInspection', { distance: humanDistance(deviation.distanceM) }));
  return out;
}

function humanSpan(ms) {
  const days = ms / (24 * HOUR_MS);
  if (days >= DAYS_PER_YEAR) return t('spanYears', { n: Math.floor(days / DAYS_PER_YEAR) });
  if (days >= 1) return t('spanDays', { n: Math.floor(days) });
  if (ms >= HOUR_MS) return t('spanHours', { n: Math.floor(ms / HOUR_MS) });
  return t('spanMinutes', { n: Math.floor(ms / 60000) });
}

function humanDistance(metres) {
  const group = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (metres < 1000) return t('distanceMetres', { n: group(Math.round(metres)) });
  const km = metres / 1000;
  return t('distanceKm', { n: km < 10 ? group(km, 1) : group(km >= 1000 ? Math.round(km / 100) * 100 : Math.round(km)) });
}

function distanceMetres(lat1, lon1, lat2, lon2) {
  const r = 6371008.8;
  const rad = Math.PI / 180;
  const dp = (lat2 - lat1) * rad;
  const dl = (lon2 - lon1) * rad;
  const a = Math.sin(dp / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dl / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(a));
}
