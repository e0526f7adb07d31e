// 居民身份证号码 check (GB 11643): check character and birth date, as inspector/identity.py
// checks it, so a witness's number is checked as it is typed, without a signal.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function normaliseID(raw) {
  return String(raw || '').normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

export function validIDNumber(raw) {
  const n = normaliseID(raw);
  if (!/^\d{17}[\dX]$/.test(n)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(n[i]) * WEIGHTS[i];
  if (CHECK[sum % 11] !== n[17]) return false;
  const y = Number(n.slice(6, 10)); const m = Number(n.slice(10, 12)); const d = Number(n.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && birth.getUTCMonth() === m - 1 && birth.getUTCDate() === d && birth.getTime() <= Date.now();
}
