/*
 * Registration proof-of-work solver (see docs/anti-cheating.md).
 *
 * The server's GET /api/v1/contests/{slug}/challenge answers {required, challenge, bits}.
 * When `required` is true, find a nonce such that SHA-256("<challenge>:<nonce>") starts with
 * `bits` zero bits and send {pow: {challenge, nonce}} in the registration body.
 * 16 bits is about 65 000 hashes: a fraction of a second on a phone. Pure JS (no
 * crypto.subtle: it is async per hash, too slow here, and missing on plain-HTTP pages).
 *
 *   ContestPow.solve(challenge, bits).then(function (nonce) { ... });
 */
(function (root) {
  'use strict';
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Uint32Array(64);

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  /* SHA-256 of a byte array; returns the 8 state words. */
  function sha256(bytes) {
    var n = bytes.length, blocks = ((n + 8) >> 6) + 1, i, j, t;
    var m = new Uint8Array(blocks * 64);
    m.set(bytes);
    m[n] = 0x80;
    var bits = n * 8;
    m[m.length - 4] = bits >>> 24; m[m.length - 3] = bits >>> 16;
    m[m.length - 2] = bits >>> 8; m[m.length - 1] = bits;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a,
        h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (i = 0; i < m.length; i += 64) {
      for (j = 0; j < 16; j++) {
        t = i + j * 4;
        W[j] = (m[t] << 24) | (m[t + 1] << 16) | (m[t + 2] << 8) | m[t + 3];
      }
      for (j = 16; j < 64; j++) {
        var a = W[j - 15], b = W[j - 2];
        var s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
        var s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
        W[j] = (W[j - 16] + s0 + W[j - 7] + s1) | 0;
      }
      var A = h0, B = h1, C = h2, D = h3, E = h4, F = h5, G = h6, H = h7;
      for (j = 0; j < 64; j++) {
        var S1 = ((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7));
        var ch = (E & F) ^ (~E & G);
        var t1 = (H + S1 + ch + K[j] + W[j]) | 0;
        var S0 = ((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10));
        var maj = (A & B) ^ (A & C) ^ (B & C);
        var t2 = (S0 + maj) | 0;
        H = G; G = F; F = E; E = (D + t1) | 0; D = C; C = B; B = A; A = (t1 + t2) | 0;
      }
      h0 = (h0 + A) | 0; h1 = (h1 + B) | 0; h2 = (h2 + C) | 0; h3 = (h3 + D) | 0;
      h4 = (h4 + E) | 0; h5 = (h5 + F) | 0; h6 = (h6 + G) | 0; h7 = (h7 + H) | 0;
    }
    return [h0 >>> 0, h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0, h5 >>> 0, h6 >>> 0, h7 >>> 0];
  }

  /* Leading zero bits of a digest given as 8 words. */
  function zeroBits(words) {
    var n = 0;
    for (var i = 0; i < 8; i++) {
      if (words[i] === 0) { n += 32; continue; }
      return n + Math.clz32(words[i]);
    }
    return n;
  }

  /* Try nonces from `start` for `count` hashes; the nonce found, or null. */
  function search(prefix, bits, start, count) {
    var buf = new Uint8Array(prefix.length + 20);
    buf.set(prefix);
    for (var nonce = start; nonce < start + count; nonce++) {
      var digits = String(nonce), len = prefix.length;
      for (var k = 0; k < digits.length; k++) buf[len++] = digits.charCodeAt(k);
      if (zeroBits(sha256(buf.subarray(0, len))) >= bits) return String(nonce);
    }
    return null;
  }

  /* Find a nonce without blocking the page: small slices between which the browser breathes. */
  function solve(challenge, bits) {
    var prefix = utf8(challenge + ':'), slice = 4000, next = 0;
    return new Promise(function (resolve) {
      (function step() {
        var found = search(prefix, bits, next, slice);
        if (found !== null) { resolve(found); return; }
        next += slice;
        setTimeout(step, 0);
      })();
    });
  }

  function solveSync(challenge, bits) {
    var prefix = utf8(challenge + ':');
    for (var start = 0; ; start += 100000) {
      var found = search(prefix, bits, start, 100000);
      if (found !== null) return found;
    }
  }

  var api = { solve: solve, solveSync: solveSync, sha256: sha256, zeroBits: zeroBits };
  root.ContestPow = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof self !== 'undefined' ? self : this);
