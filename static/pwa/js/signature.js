// A signature drawn with a finger: pointer events on a canvas, exported as PNG bytes.
export class SignaturePad {
  constructor(canvas) {
    this.canvas = canvas;
    this.strokes = 0;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const rect = canvas.getBoundingClientRect();
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    this.ctx = canvas.getContext('2d');
    this.ctx.scale(ratio, ratio);
    this.ctx.lineWidth = 2.6;
    this.ctx.lineCap = 'round';
    this.ctx.lineJoin = 'round';
    this.ctx.strokeStyle = '#111';
    this.clear();
    this.drawing = false;
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', () => { this.drawing = false; });
    canvas.addEventListener('pointercancel', () => { this.drawing = false; });
  }

  point(e) { const r = this.canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }

  down(e) {
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.drawing = true;
    this.strokes += 1;
    const [x, y] = this.point(e);
    this.ctx.beginPath();
    this.ctx.moveTo(x, y);
    this.ctx.lineTo(x + 0.1, y + 0.1);
    this.ctx.stroke();
  }

  move(e) {
    if (!this.drawing) return;
    e.preventDefault();
    const [x, y] = this.point(e);
    this.ctx.lineTo(x, y);
    this.ctx.stroke();
  }

  clear() {
    this.ctx.save();
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.ctx.restore();
    this.strokes = 0;
  }

  isEmpty() { return this.strokes === 0; }

  async toPNG() {
    const blob = await new Promise((resolve) => this.canvas.toBlob(resolve, 'image/png'));
    return blob.arrayBuffer();
  }
}
