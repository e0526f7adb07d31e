// 统一社会信用代码 (GB 32100-2015) and legacy 15-digit 工商注册号 check, ported from
// inspector/credit_code.py so the party form can check the code as it is typed.
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const FORBIDDEN = 'IOSVZ';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const PROVINCES = new Set('10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(' '));

export function normalise(raw) {
  return (raw || '').normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

export function usccCheckCharacter(first17) {
  let total = 0;
  for (let i = 0; i < 17; i += 1) total += CHARSET.indexOf(first17[i]) * WEIGHTS[i];
  return CHARSET[(31 - (total % 31)) % 31];
}

export function legacyCheckDigit(first14) {
  let product = 10;
  for (const ch of first14) {
    const remainder = (product + Number(ch)) % 10 || 10;
    product = (2 * remainder) % 11;
  }
  return String((11 - product) % 10);
}

function orgCheckCharacter(body8) {
  let total = 0;
  for (let i = 0; i < 8; i += 1) {
    const ch = body8[i];
    total += (/\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55) * ORG_WEIGHTS[i];
  }
  const r = 11 - (total % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}

const fail = (code, error, zh, en) => ({ code, valid: false, error, messageZh: zh, message: en, warningsZh: [], warnings: [] });

// Full check of a complete code: {valid, error, messageZh, message, warningsZh, warnings}.
export function checkCreditCode(raw) {
  const code = normalise(raw);
  if (!code) return fail(code, 'empty', '未填写代码；统一社会信用代码应为18位', 'no code entered; a credit code has 18 characters');
  if (code.length === 15) return checkLegacy(code);
  if (code.length !== 18) {
    return fail(code, 'bad_length', `长度为${code.length}位；统一社会信用代码应为18位（旧版工商注册号为15位数字）`,
      `length is ${code.length}; a credit code has 18 characters (or 15 digits for a legacy number)`);
  }
  for (let i = 0; i < 18; i += 1) {
    const ch = code[i];
    const pos = i + 1;
    if (FORBIDDEN.includes(ch)) {
      return fail(code, 'forbidden_letter', `第${pos}位为字母“${ch}”，统一社会信用代码不使用该字母（不含I、O、S、V、Z）`,
        `position ${pos} holds the letter ${ch}, which GB 32100 never uses`);
    }
    if (!CHARSET.includes(ch)) {
      return fail(code, 'bad_charset', `第${pos}位为“${ch}”；统一社会信用代码只能由数字和大写字母（不含I、O、S、V、Z）组成`,
        `position ${pos} holds ${ch}; only digits and upper-case letters are allowed`);
    }
    if (pos >= 3 && pos <= 8 && !/\d/.test(ch)) {
      return fail(code, 'bad_charset', `第${pos}位为字母“${ch}”；第3至8位为登记管理机关行政区划码，只能是数字`,
        `position ${pos} holds a letter; positions 3-8 are a region code`);
    }
  }
  const expected = usccCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) {
    return fail(code, 'bad_check_character', `校验码应为“${expected}”，实际为“${code[17]}”；可能有字符录入错误`,
      `check character should be ${expected} but is ${code[17]}; a character was probably mistyped`);
  }
  const result = { code, valid: true, warningsZh: [], warnings: [] };
  const region = code.slice(2, 8);
  if (region[4] === '7') {
    result.warningsZh.push(`行政区划码${region}为统计用开发区代码（7x），不是GB/T 2260区划码，请核对营业执照`);
    result.warnings.push(`region code ${region} is a development-zone code; check the licence`);
  } else if (!PROVINCES.has(region.slice(0, 2))) {
    result.warningsZh.push(`行政区划码${region}的前两位不是已知的省级区划代码`);
    result.warnings.push(`region code ${region} does not start with a known province code`);
  }
  const org = code.slice(8, 17);
  const orgExpected = orgCheckCharacter(org.slice(0, 8));
  if (org[8] !== orgExpected) {
    result.warningsZh.push(`第17位（组织机构代码校验码）应为“${orgExpected}”，实际为“${org[8]}”；部分登记机关未按此规则赋码，仅作提示`);
    result.warnings.push(`position 17 should be ${orgExpected} by GB 11714; only a warning`);
  }
  return result;
}

function checkLegacy(code) {
  if (!/^\d{15}$/.test(code)) {
    return fail(code, 'bad_charset', '15位旧版工商注册号只能是数字（统一社会信用代码应为18位）', 'a 15-character legacy number has digits only');
  }
  const expected = legacyCheckDigit(code.slice(0, 14));
  if (code[14] !== expected) {
    return fail(code, 'bad_check_digit', `校验位应为“${expected}”，实际为“${code[14]}”；可能有数字录入错误`,
      `check digit should be ${expected} but is ${code[14]}`);
  }
  return { code, valid: true, warningsZh: [], warnings: [] };
}

// Check while typing: a partial code is only judged on the characters typed so far.
export function checkAsTyped(raw) {
  const code = normalise(raw);
  if (code.length === 18 || code.length === 15) {
    const full = checkCreditCode(code);
    if (full.valid || code.length === 18) return { ...full, complete: true };
    // 15 characters might be the start of an 18-character code.
  }
  for (let i = 0; i < code.length; i += 1) {
    const ch = code[i];
    if (FORBIDDEN.includes(ch) || !CHARSET.includes(ch) || (i >= 2 && i < 8 && !/\d/.test(ch))) {
      return { ...checkCreditCode(code.padEnd(18, '0').slice(0, Math.max(18, code.length))), complete: false };
    }
  }
  if (code.length > 18) return { ...checkCreditCode(code), complete: true };
  return { code, valid: null, complete: false, length: code.length };
}
