// A small photo metadata reader: pixel size, Orientation, DateTimeOriginal (+ offset) and GPS,
// read from the original bytes before anything re-encodes them (a canvas drops EXIF). JPEG keeps
// EXIF in an APP1 segment; HEIC/HEIF (iPhones, many Android phones) in an item named `Exif`.

export const JPEG = 'image/jpeg';
export const HEIC = 'image/heic';
export const HEIF = 'image/heif';
const HEIC_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs'];
const HEIF_BRANDS = ['mif1', 'msf1'];
const AVIF_BRANDS = ['avif', 'avis'];

// The media type the bytes announce, whatever the file is called (pickers often send no type
// for HEIC); null when it is none of the formats the server accepts.
export function sniffMediaType(buffer) {
  const b = new Uint8Array(buffer, 0, Math.min(buffer.byteLength, 64));
  const ascii = (from, to) => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return JPEG;
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'image/png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(4, 8) === 'ftyp') {
    const end = Math.min(b.length, new DataView(buffer).getUint32(0));
    const brands = [ascii(8, 12)];
    for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(i, i + 4));
    // AVIF lists mif1 too, and the server cannot read it: the AV1 brands must win.
    if (brands.some((x) => AVIF_BRANDS.includes(x))) return null;
    if (brands.some((x) => HEIC_BRANDS.includes(x))) return HEIC;
    if (brands.some((x) => HEIF_BRANDS.includes(x))) return HEIF;
  }
  return null;
}

export function readPhotoMeta(buffer, mediaType) {
  if (mediaType === JPEG) return readJpegMeta(buffer);
  if (mediaType === HEIC || mediaType === HEIF) return readHeifMeta(buffer);
  return emptyMeta();
}

const emptyMeta = () => ({ width: null, height: null, orientation: 1, dateTimeOriginal: null, offsetTime: null, gps: null });

// HEIF: meta → iinf names the Exif item, iloc says where its bytes are, ispe gives the size.
// The item's payload starts with a 4-byte offset to the TIFF header ("Exif\0\0" usually between).
export function readHeifMeta(buffer) {
  const view = new DataView(buffer);
  const meta = emptyMeta();
  try {
    const metaBox = boxes(view, 0, view.byteLength).find((x) => x.type === 'meta');
    if (!metaBox) return meta;
    const children = boxes(view, metaBox.start + 4, metaBox.end);
    const iinf = children.find((x) => x.type === 'iinf');
    const iloc = children.find((x) => x.type === 'iloc');
    const iprp = children.find((x) => x.type === 'iprp');
    if (iprp) {
      const ipco = boxes(view, iprp.start, iprp.end).find((x) => x.type === 'ipco');
      // The largest ispe is the primary image's size (the others are thumbnails and tiles).
      for (const p of ipco ? boxes(view, ipco.start, ipco.end) : []) {
        if (p.type !== 'ispe') continue;
        const w = view.getUint32(p.start + 4);
        const h = view.getUint32(p.start + 8);
        if (w * h > (meta.width || 0) * (meta.height || 0)) { meta.width = w; meta.height = h; }
      }
    }
    if (!iinf || !iloc) return meta;
    const exifID = exifItemID(view, iinf);
    if (exifID === null) return meta;
    const extent = itemExtent(view, iloc, exifID);
    if (!extent || extent.offset + extent.length > view.byteLength) return meta;
    readExif(view, extent.offset + 4 + view.getUint32(extent.offset), meta);
  } catch (_) {
    // A damaged container must not stop the photo from being kept.
  }
  return meta;
}

function boxes(view, start, end) {
  const out = [];
  let pos = start;
  while (pos + 8 <= end) {
    let size = view.getUint32(pos);
    let header = 8;
    if (size === 1) { size = Number(view.getBigUint64(pos + 8)); header = 16; } else if (size === 0) size = end - pos;
    if (size < header) break;
    out.push({ type: fourcc(view, pos + 4), start: pos + header, end: Math.min(pos + size, end) });
    pos += size;
  }
  return out;
}

const fourcc = (view, at) => String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));

function exifItemID(view, iinf) {
  const version = view.getUint8(iinf.start);
  const first = iinf.start + 4 + (version === 0 ? 2 : 4);
  for (const infe of boxes(view, first, iinf.end)) {
    if (infe.type !== 'infe') continue;
    const v = view.getUint8(infe.start);
    if (v < 2) continue;
    const id = v === 2 ? view.getUint16(infe.start + 4) : view.getUint32(infe.start + 4);
    const at = infe.start + 4 + (v === 2 ? 2 : 4) + 2;
    if (fourcc(view, at) === 'Exif') return id;
  }
  return null;
}

function itemExtent(view, iloc, wanted) {
  let pos = iloc.start;
  const version = view.getUint8(pos);
  pos += 4;
  const uint = (size) => {
    let v = 0;
    for (let i = 0; i < size; i += 1) v = v * 256 + view.getUint8(pos + i);
    pos += size;
    return v;
  };
  const sizes = uint(1);
  const offsetSize = sizes >> 4;
  const lengthSize = sizes & 15;
  const sizes2 = uint(1);
  const baseSize = sizes2 >> 4;
  const indexSize = version === 1 || version === 2 ? sizes2 & 15 : 0;
  const idSize = version < 2 ? 2 : 4;
  const count = uint(idSize);
  for (let i = 0; i < count; i += 1) {
    const id = uint(idSize);
    const method = version === 1 || version === 2 ? uint(2) & 15 : 0;
    uint(2); // data reference index
    const base = uint(baseSize);
    const extents = uint(2);
    let first = null;
    for (let e = 0; e < extents; e += 1) {
      uint(indexSize);
      const offset = uint(offsetSize);
      const length = uint(lengthSize);
      if (first === null) first = { offset: base + offset, length };
    }
    if (id === wanted) return method === 0 ? first : null; // only bytes at file offsets are read
  }
  return null;
}

export function readJpegMeta(buffer) {
  const view = new DataView(buffer);
  const meta = emptyMeta();
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

// "2026:11:30 09:14:03" (+ "+08:00") → ISO 8601 with its UTC offset, so the time names one
// instant wherever it is shown. A camera that wrote no offset wrote the phone's wall time: the
// phone's own offset on that date is added.
export function exifDateToISO(value, offset) {
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(value || '');
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (!/^[+-]\d\d:\d\d$/.test(offset || '')) {
    const local = new Date(year, month - 1, day, hour, minute, second);
    if (Number.isNaN(local.getTime())) return null;
    const east = -local.getTimezoneOffset();
    const pad = (n) => String(Math.floor(n)).padStart(2, '0');
    offset = `${east < 0 ? '-' : '+'}${pad(Math.abs(east) / 60)}:${pad(Math.abs(east) % 60)}`;
  }
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${offset}`;
}
