// Decodes QR codes off the page's main thread with the vendored jsQR (Apache-2.0, vendor/jsqr/LICENSE), so the
// camera preview stays smooth on a slow phone. Messages in: {id, width, height, data: ArrayBuffer of RGBA};
// out: {id, codes: [{rawValue, cornerPoints}]}.
importScripts("vendor/jsqr/jsQR.js");

self.onmessage = (message) => {
  const { id, width, height, data } = message.data;
  const codes = [];
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
