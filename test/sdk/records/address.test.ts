import { expect } from "chai";
import fc from "fast-check";
import { getAddress } from "ethers";

import { InvalidInputError } from "../../../src/errors";
import { parseAddress } from "../../../src/records/address";

const addressBytes = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => "0x" + Buffer.from(b).toString("hex"));

/** The address with the case of its `k`-th letter flipped (null if it has no letters). */
function flipLetter(addr: string, k: number): string | null {
  const letters = [...addr.slice(2)].map((c, i) => (/[a-fA-F]/.test(c) ? i + 2 : -1)).filter((i) => i >= 0);
  if (letters.length === 0) return null;
  const i = letters[k % letters.length];
  const c = addr[i];
  return addr.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + addr.slice(i + 1);
}

describe("records: addresses (EIP-55)", () => {
  it("checksums like ethers' getAddress, from lowercase, uppercase and checksummed input (300 random addresses)", () => {
    fc.assert(
      fc.property(addressBytes, (lower) => {
        const want = getAddress(lower);
        expect(parseAddress(lower)).to.equal(want);
        expect(parseAddress("0x" + lower.slice(2).toUpperCase())).to.equal(want);
        expect(parseAddress(want)).to.equal(want);
      }),
      { numRuns: 300, seed: 55 },
    );
  });

  it("reports a mixed-case address whose checksum is wrong as a checksum problem, as ethers rejects it (300 random addresses)", () => {
    fc.assert(
      fc.property(addressBytes, fc.nat(), (lower, k) => {
        const bad = flipLetter(getAddress(lower), k);
        // an address whose letters are all one case after the flip carries no checksum: it is accepted
        fc.pre(bad !== null && /[a-f]/.test(bad.slice(2)) && /[A-F]/.test(bad.slice(2)));
        expect(() => getAddress(bad)).to.throw(/checksum/);
        expect(() => parseAddress(bad, "--operator")).to.throw(InvalidInputError, `--operator ${bad} has a bad EIP-55 checksum (the case of its letters does not match: check it for a typo, or write it all lowercase)`);
      }),
      { numRuns: 300, seed: 56 },
    );
  });

  it("names the problem: length in hex digits, a bad character, the prefix, emptiness", () => {
    const a = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
    expect(() => parseAddress(a + "0", "--operator")).to.throw("--operator must be a 20-byte address (40 hex digits), got 41 digits");
    expect(() => parseAddress(a.slice(0, 20), "--operator")).to.throw("--operator must be a 20-byte address (40 hex digits), got 18 digits");
    expect(() => parseAddress(a.replace("8b", "8x"), "customer")).to.throw("bad hex character 'x' in customer");
    expect(() => parseAddress(a.slice(2), "customer")).to.throw(`customer must be a 0x-prefixed address (20 bytes, 40 hex digits), got ${a.slice(2)}`);
    expect(() => parseAddress("", "customer")).to.throw("empty customer");
    const err = (() => {
      try {
        parseAddress("0x8ba1f109551Bd432803012645Ac136ddd64DBA72", "--operator");
      } catch (e) {
        return e as InvalidInputError;
      }
      return null;
    })();
    expect(err?.exitCode).to.equal(2);
  });
});
