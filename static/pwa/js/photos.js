// A photo from the camera: bytes read at once, SHA-256 of the original, EXIF read before any
// re-encoding, and a display copy made at its target size only (never a full-size canvas:
// large phone photos exceed canvas limits on iOS). The original is kept byte for byte in any
// format the server accepts; a HEIC the browser cannot decode (Chrome) gets no display copy:
// the phone shows a placeholder until the server's derived sizes arrive.
import { readPhotoMeta, sniffMediaType, exifDateToISO, HEIC, HEIF } from './exif.js';
import { sha256Hex } from './lib/bytes.js';

const DISPLAY_LONG_EDGE = 1600;
const DISPLAY_QUALITY = 0.8;

// Why a picked file could not become a photo; `key` names the phone's message for it.
export class PhotoError extends Error {
  constructor(key, params = {}) {
    super(key);
    this.key = key;
    this.params = params;
  }
}

export async function processCapture(file) {
  let bytes;
  try {
    bytes = await file.arrayBuffer(); // first: iOS may revoke access to a picked file
  } catch (_) {
    throw new PhotoError('photoUnreadable');
  }
  const mediaType = sniffMediaType(bytes);
  if (!mediaType) throw new PhotoError('photoNotAccepted', { name: file.name || '' });
  const meta = readPhotoMeta(bytes, mediaType);
  const sha256 = await sha256Hex(bytes);
  let display;
  try {
    display = await displayCopy(bytes, mediaType, meta);
  } catch (_) {
    if (mediaType !== HEIC && mediaType !== HEIF) throw new PhotoError('photoUndecodable', { name: file.name || '' });
    display = null; // this browser cannot decode HEIC: the server makes the copies
  }
  return {
    bytes, sha256, size: bytes.byteLength, mediaType, width: meta.width, height: meta.height,
    exifTakenAt: exifDateToISO(meta.dateTimeOriginal, meta.offsetTime), exifGps: meta.gps || null,
    display,
  };
}

async function displayCopy(bytes, mediaType, meta) {
  let { width, height } = meta;
  const blob = new Blob([bytes], { type: mediaType });
  if (!width || !height) {
    const probe = await createImageBitmap(blob); // size unknown from the header: decode once
    ({ width, height } = probe);
    probe.close();
  }
  if (meta.orientation >= 5) [width, height] = [height, width];
  const scale = Math.min(1, DISPLAY_LONG_EDGE / Math.max(width, height));
  if (scale === 1 && mediaType === 'image/jpeg') {
    return { bytes, sha256: await sha256Hex(bytes), size: bytes.byteLength, width, height, mediaType };
  }
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const bitmap = await decodeAt(blob, w, h);
  const out = await encodeJpeg(bitmap, w, h);
  if (bitmap.close) bitmap.close();
  return { bytes: out, sha256: await sha256Hex(out), size: out.byteLength, width: w, height: h, mediaType: 'image/jpeg' };
}

async function decodeAt(blob, w, h) {
  try {
    return await createImageBitmap(blob, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high', imageOrientation: 'from-image' });
  } catch (_) {
    // Older WebKit: decode through an <img>; only the target-size canvas is ever drawn.
    const url = URL.createObjectURL(blob);
    try {
      const img = new Image();
      img.decoding = 'async';
      img.src = url;
      await img.decode();
      return img;
    } finally {
      setTimeout(() => URL.revokeObjectURL(url), 0);
    }
  }
}

async function encodeJpeg(source, w, h) {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(w, h);
    canvas.getContext('2d').drawImage(source, 0, 0, w, h);
    return (await canvas.convertToBlob({ type: 'image/jpeg', quality: DISPLAY_QUALITY })).arrayBuffer();
  }
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d').drawImage(source, 0, 0, w, h);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', DISPLAY_QUALITY));
  return blob.arrayBuffer();
}

// The phone's own position at capture (EXIF GPS is often stripped on iOS).
export function currentPosition(timeoutMs = 15000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracyM: Math.round(pos.coords.accuracy) }),
      (err) => resolve({ error: err.message || String(err.code) }),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 },
    );
  });
}

// Whether stored bytes of this type can go straight into an <img> (HEIC only in Safari, and
// there the phone made a JPEG display copy anyway).
export const showsInBrowser = (mediaType) => mediaType !== HEIC && mediaType !== HEIF;

// Object URL for showing stored bytes (ArrayBuffer) in an <img>.
export function objectURL(bytes, type = 'image/jpeg') {
  return URL.createObjectURL(new Blob([bytes], { type }));
}
