// Reads QR codes from the camera: the browser's BarcodeDetector where it has one that knows QR codes (Chrome on
// Android, Safari 17+ on macOS), else a polyfill with the same shape over jsQR, decoded in a worker.
// Nothing is fetched from outside the app: the server serves jsQR (installed from npm) at lib/jsQR.js and the
// service worker caches it for offline use. A server without it gives no detector, and the page says so.

const MAX_SIDE = 800; // jsQR's cost grows with the pixels; a label filling part of a frame reads well at this size

/** The subset of the Barcode Detection API the scanner uses: ``detect(video)`` resolves to
 * ``[{rawValue, format, boundingBox, cornerPoints}]``. */
export class JsQrBarcodeDetector {
  static async getSupportedFormats() {
    return ["qr_code"];
  }

  constructor() {
    this.worker = new Worker("decoder-worker.js");
    this.canvas = document.createElement("canvas");
    this.context = this.canvas.getContext("2d", { willReadFrequently: true });
    this.waiting = new Map();
    this.nextId = 1;
    // The worker says first whether it could load jsQR; an error before that (the worker script itself could
    // not load) means no decoder either.
    this.ready = new Promise((resolve) => {
      this.settleReady = resolve;
    });
    this.worker.onerror = () => this.settleReady(false);
    this.worker.onmessage = (message) => {
      if ("ready" in message.data) {
        this.settleReady(message.data.ready);
        return;
      }
      const resolve = this.waiting.get(message.data.id);
      this.waiting.delete(message.data.id);
      if (resolve) resolve(message.data.codes);
    };
  }

  async detect(source) {
    const width = source.videoWidth || source.naturalWidth || source.width;
    const height = source.videoHeight || source.naturalHeight || source.height;
    if (!width || !height) return [];
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    this.canvas.width = w;
    this.canvas.height = h;
    this.context.drawImage(source, 0, 0, w, h);
    const pixels = this.context.getImageData(0, 0, w, h);
    const id = this.nextId++;
    const codes = await new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, width: w, height: h, data: pixels.data.buffer }, [pixels.data.buffer]);
    });
    return codes.map((code) => {
      const points = code.cornerPoints.map((p) => ({ x: p.x / scale, y: p.y / scale }));
      const xs = points.map((p) => p.x);
      const ys = points.map((p) => p.y);
      const x = Math.min(...xs);
      const y = Math.min(...ys);
      return {
        rawValue: code.rawValue,
        format: "qr_code",
        boundingBox: new DOMRectReadOnly(x, y, Math.max(...xs) - x, Math.max(...ys) - y),
        cornerPoints: points,
      };
    });
  }

  close() {
    this.worker.terminate();
  }
}

/** ``{kind: "native" | "polyfill" | "none", detector}``. ``preference`` "polyfill" skips the native detector
 * (to compare the two on a phone, or when a native one misreads). "none" (detector null): no native detector and
 * no jsQR on the server, so codes can only be typed. */
export async function createDetector(preference) {
  if (preference !== "polyfill" && "BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        return { kind: "native", detector: new window.BarcodeDetector({ formats: ["qr_code"] }) };
      }
    } catch {
      // a BarcodeDetector without a working backend (some desktop builds) is no detector
    }
  }
  const polyfill = new JsQrBarcodeDetector();
  if (await polyfill.ready) return { kind: "polyfill", detector: polyfill };
  polyfill.close();
  return { kind: "none", detector: null };
}
