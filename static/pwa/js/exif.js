// A small JPEG metadata reader: pixel size, Orientation, DateTimeOriginal (+ offset) and GPS,
// read from the original bytes before anything re-encodes them (a canvas drops EXIF).
export function readJpegMeta(buffer) {
  const view = new DataView(buffer);
  const meta = { width: null, height: null, orientation: 1, dateTimeOriginal: null, offsetTime: null, gps: null };
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return meta;
  let pos = 2;
  while (pos + 4 <= view.byteLength) {
    if (view.getUint8(pos) !== 0xff) { pos += 1; continue; }
    const marker = view.getUint8(pos + 1);
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) { pos += 2; continue; }
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan
    const length = view.getUint16(pos + 2);
    const start = pos + 4;
    if (marker === 0xe1 && view.getUint32(start) === 0x45786966) readExif(view, start + 6, meta);
    if (((marker >= 0xc0 && marker <= 0xc3) || (marker >= 0xc5 && marker <= 0xcf)) && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      meta.height = view.getUint16(start + 1);
      meta.width = view.getUint16(start + 3);
    }
    pos = start + length - 2;
  }
  return meta;
}

function readExif(view, tiff, meta) {
  try {
    const little = view.getUint16(tiff) === 0x4949;
    const u16 = (o) => view.getUint16(o, little);
    const u32 = (o) => view.getUint32(o, little);
    const ascii = (o, n) => {
      let s = '';
      for (let i = 0; i < n; i += 1) { const c = view.getUint8(o + i); if (!c) break; s += String.fromCharCode(c); }
      return s;
    };
    const entries = (ifd) => {
      const out = {};
      const count = u16(tiff + ifd);
      for (let i = 0; i < count; i += 1) {
        const e = tiff + ifd + 2 + i * 12;
        out[u16(e)] = { type: u16(e + 2), count: u32(e + 4), at: e + 8 };
      }
      return out;
    };
    const valueAt = (entry) => (entry.type === 3 ? u16(entry.at) : u32(entry.at));
    const stringOf = (entry) => ascii(entry.count > 4 ? tiff + u32(entry.at) : entry.at, entry.count);
    const rationals = (entry) => {
      const base = tiff + u32(entry.at);
      const out = [];
      for (let i = 0; i < entry.count; i += 1) {
        const den = u32(base + i * 8 + 4);
        out.push(den ? u32(base + i * 8) / den : 0);
      }
      return out;
    };
    const ifd0 = entries(u32(tiff + 4));
    if (ifd0[0x0112]) meta.orientation = valueAt(ifd0[0x0112]) || 1;
    if (ifd0[0x8769]) {
      const exif = entries(valueAt(ifd0[0x8769]));
      if (exif[0x9003]) meta.dateTimeOriginal = stringOf(exif[0x9003]);
      if (exif[0x9011]) meta.offsetTime = stringOf(exif[0x9011]);
      if (exif[0xa002] && !meta.width) meta.width = valueAt(exif[0xa002]);
      if (exif[0xa003] && !meta.height) meta.height = valueAt(exif[0xa003]);
    }
    if (ifd0[0x8825]) {
      const gps = entries(valueAt(ifd0[0x8825]));
      if (gps[2] && gps[4]) {
        const dms = (r) => r[0] + r[1] / 60 + r[2] / 3600;
        let lat = dms(rationals(gps[2]));
        let lon = dms(rationals(gps[4]));
        if (gps[1] && stringOf(gps[1]) === 'S') lat = -lat;
        if (gps[3] && stringOf(gps[3]) === 'W') lon = -lon;
        meta.gps = { lat: round(lat), lon: round(lon), accuracyM: gps[31] ? rationals(gps[31])[0] : null };
      }
    }
  } catch (_) {
    // A damaged EXIF block must not stop the photo from being kept.
  }
}

const round = (x) => Math.round(x * 1e7) / 1e7;

// "2026:11:30 09:14:03" (+ "+08:00") → ISO 8601, as the camera wrote it.
export function exifDateToISO(value, offset) {
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(value || '');
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${offset || ''}`;
}
