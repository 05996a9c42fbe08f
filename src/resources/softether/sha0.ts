/**
 * SHA-0 (FIPS 180, 1993): SoftEther stores its password hashes with it
 * (admin: SHA0(password); user: SHA0(password + UPPERCASE(user))). We hash the desired
 * password here and compare it with the stored hash, so a password is checked without
 * being printed or sent anywhere. SHA-0 is SHA-1 without the rotate in the message schedule.
 */
export function sha0(data: Buffer): Buffer {
  const ml = data.length;
  const padded = Buffer.alloc(Math.ceil((ml + 9) / 64) * 64);
  data.copy(padded);
  padded[ml] = 0x80;
  padded.writeUInt32BE(Math.floor((ml * 8) / 2 ** 32), padded.length - 8);
  padded.writeUInt32BE((ml * 8) >>> 0, padded.length - 4);
  let [h0, h1, h2, h3, h4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = padded.readUInt32BE(off + i * 4);
    for (let i = 16; i < 80; i++) w[i] = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
    let [a, b, c, d, e] = [h0, h1, h2, h3, h4];
    for (let i = 0; i < 80; i++) {
      const [f, k] =
        i < 20
          ? [(b & c) | (~b & d), 0x5a827999]
          : i < 40
            ? [b ^ c ^ d, 0x6ed9eba1]
            : i < 60
              ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
              : [b ^ c ^ d, 0xca62c1d6];
      const t = (rotl(a, 5) + (f >>> 0) + e + k + w[i]!) >>> 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h0 = (h0 + a) >>> 0;
    h1 = (h1 + b) >>> 0;
    h2 = (h2 + c) >>> 0;
    h3 = (h3 + d) >>> 0;
    h4 = (h4 + e) >>> 0;
  }
  const out = Buffer.alloc(20);
  [h0, h1, h2, h3, h4].forEach((h, i) => out.writeUInt32BE(h, i * 4));
  return out;
}

export const adminPasswordHash = (password: string) => sha0(Buffer.from(password, "utf8")).toString("base64");
export const userPasswordHash = (user: string, password: string) =>
  sha0(Buffer.from(password + user.toUpperCase(), "utf8")).toString("base64");
