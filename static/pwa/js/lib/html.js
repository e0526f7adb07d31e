// The one way markup is built: a tagged template that escapes every interpolated value.
// Nested html`` results and arrays of them are inserted as they are (already escaped).

class SafeHTML {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeText(value) {
  return String(value).replace(/[&<>"'`]/g, (ch) => ESCAPES[ch]);
}

function part(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHTML) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  return escapeText(value);
}

export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i += 1) out += part(values[i]) + strings[i + 1];
  return new SafeHTML(out);
}

// Put markup into an element (the only innerHTML assignment in the app).
export function mount(element, markup) {
  element.innerHTML = markup instanceof SafeHTML ? markup.text : escapeText(markup);
}
