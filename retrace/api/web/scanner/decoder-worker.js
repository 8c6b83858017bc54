// Decodes QR codes off the page's main thread with jsQR (Apache-2.0, installed from npm by scripts/bootstrap and
// served by the app at lib/jsQR.js), so the camera preview stays smooth on a slow phone.
// First message out: {ready: true | false}, false when the server has no decoder installed (its lib/jsQR.js
// answers 404). Then, for each message in: {id, width, height, data: ArrayBuffer of RGBA};
// out: {id, codes: [{rawValue, cornerPoints}]}.
let decoderLoaded = false;
try {
  importScripts("lib/jsQR.js");
  decoderLoaded = typeof self.jsQR === "function";
} catch (e) {
  // A missing decoder is reported to the page below, which tells the person to type the code.
}
self.postMessage({ ready: decoderLoaded });

self.onmessage = (message) => {
  const { id, width, height, data } = message.data;
  const codes = [];
  if (!decoderLoaded) {
    self.postMessage({ id, codes });
    return;
  }
  try {
    // Labels are printed dark on light; skipping the inverted pass halves the work per frame.
    const found = self.jsQR(new Uint8ClampedArray(data), width, height, { inversionAttempts: "dontInvert" });
    if (found && found.data) {
      const l = found.location;
      codes.push({
        rawValue: found.data,
        cornerPoints: [l.topLeftCorner, l.topRightCorner, l.bottomRightCorner, l.bottomLeftCorner],
      });
    }
  } catch (e) {
    // A frame jsQR cannot read is just a frame without a code.
  }
  self.postMessage({ id, codes });
};
