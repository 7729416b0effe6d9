import { expect } from "chai";
import fc from "fast-check";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, getAddress, keccak256, toUtf8Bytes } from "ethers";

import { InvalidInputError, RecordsError } from "../../../src/errors";
import { USAGE_LEAF_ENCODING, UsageRecord, parseUsage } from "../../../src/records/usage";
import {
  UsageRef,
  buildUsage,
  compareUsageToRevenue,
  usageLeafHash,
  usageLeafToValues,
  usageProof,
  usageRecordToJson,
  usageRefsHash,
  verifyUsageProof,
} from "../../../src/records/usageTree";

const ENC = [...USAGE_LEAF_ENCODING];
const ZERO = "0x" + "00".repeat(32);
const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress("0x" + Buffer.from(b).toString("hex")));

/** 1..24 usage records of one epoch with distinct customers, amounts small enough that Σ fits uint128. */
const epochUsage: fc.Arbitrary<UsageRecord[]> = fc
  .tuple(fc.bigInt({ min: 0n, max: U64_MAX }), fc.uniqueArray(address, { minLength: 1, maxLength: 24, selector: (a) => a.toLowerCase() }))
  .chain(([epoch, customers]) =>
    fc.tuple(
      ...customers.map((customer) =>
        fc.record({
          customer: fc.constant(customer),
          epoch: fc.constant(epoch),
          workUnits: fc.oneof(fc.constant(0n), fc.constant(U64_MAX), fc.bigInt({ min: 0n, max: U64_MAX })),
          amount: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: U128_MAX >> 5n })),
          ref: hex32,
        }),
      ),
    ),
  );

const ozLeafHash = (r: UsageRecord) => keccak256(keccak256(AbiCoder.defaultAbiCoder().encode(ENC, usageLeafToValues(r))));

describe("records: usage tree, proofs and UsageRef hashing", () => {
  it("equals @openzeppelin/merkle-tree root for root and proof for proof (300 random epochs of 1..24 customers)", () => {
    fc.assert(
      fc.property(epochUsage, (rows) => {
        const oz = StandardMerkleTree.of(rows.map(usageLeafToValues), ENC);
        const built = buildUsage(rows);
        expect(built.root).to.equal(oz.root);
        expect(built.usageCount).to.equal(BigInt(rows.length));
        expect(built.totalUsage).to.equal(rows.reduce((s, r) => s + r.amount, 0n));
        rows.forEach((r, i) => {
          const p = usageProof(built, r.customer);
          expect(p.leaf).to.deep.equal(r);
          expect(p.proof).to.deep.equal(oz.getProof(i));
          expect(p.leafHash).to.equal(oz.leafHash(usageLeafToValues(r)));
          expect(p.root).to.equal(oz.root);
          expect(verifyUsageProof(p.leaf, p.proof, p.root)).to.equal(true);
          expect(StandardMerkleTree.verify(p.root, ENC, usageLeafToValues(p.leaf), p.proof)).to.equal(true);
        });
      }),
      { numRuns: 300, seed: 20261206 },
    );
  });

  it("usageLeafHash is keccak256(bytes.concat(keccak256(abi.encode(leaf)))) by ethers' AbiCoder (100 random epochs' leaves)", () => {
    fc.assert(
      fc.property(epochUsage, (rows) => {
        for (const r of rows) expect(usageLeafHash(r)).to.equal(ozLeafHash(r));
      }),
      { numRuns: 100, seed: 9 },
    );
  });

  it("gives the same words, leaves (ordered by customer) and proofs whatever the file order, and from a bundle's leaves", async () => {
    const a = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
    const b = "0xdAC17F958D2ee523a2206206994597C13D831ec7";
    const c = "0x0000000000000000000000000000000000000001";
    const csv = (order: string[]) => ["customer,epoch,workUnits,amount,ref", ...order.map((x) => `${x.toLowerCase()},9,${parseInt(x.slice(-2), 16)},${100 * parseInt(x.slice(-2), 16)},invoice-${x.slice(2, 6)}`)].join("\n");
    const one = buildUsage(await parseUsage(csv([a, b, c]), { epoch: 9n }));
    const other = buildUsage(await parseUsage(csv([b, c, a]), { epoch: 9n }));
    expect(other.root).to.equal(one.root);
    expect(other.leaves).to.deep.equal(one.leaves);
    expect(other.totalUsage).to.equal(100n * (0x72n + 0xc7n + 1n));
    expect(one.leaves.map((l) => l.customer)).to.deep.equal([c, a, b]);
    expect(one.leaves[1].ref).to.equal(keccak256(toUtf8Bytes("invoice-8ba1")));
    const bundleLeaves = JSON.parse(JSON.stringify(one.leaves.map(usageRecordToJson))) as Record<string, string>[];
    const fromBundle = await parseUsage(JSON.stringify(bundleLeaves), { epoch: 9n });
    expect(fromBundle).to.deep.equal(one.leaves);
    const p1 = usageProof(one, b.toLowerCase());
    const p2 = usageProof({ leaves: fromBundle }, b);
    expect(p2).to.deep.equal(p1);
    // the bundle's JSON leaves (decimal strings) serve as they are
    expect(usageProof({ leaves: one.leaves.map(usageRecordToJson) }, b)).to.deep.equal(p1);
    expect(verifyUsageProof(usageRecordToJson(p1.leaf), p1.proof, p1.root)).to.equal(true);
    expect(verifyUsageProof(p2.leaf, p2.proof, p2.root)).to.equal(true);
  });

  it("an epoch without usage has root bytes32(0), usageCount 0 and totalUsage 0", async () => {
    const empty = buildUsage(await parseUsage("customer,epoch,workUnits,amount,ref\n", { epoch: 3n }));
    expect({ root: empty.root, usageCount: empty.usageCount, totalUsage: empty.totalUsage, leaves: empty.leaves }).to.deep.equal({ root: ZERO, usageCount: 0n, totalUsage: 0n, leaves: [] });
    expect(() => usageProof(empty, "0x8ba1f109551bD432803012645Ac136ddd64DBA72")).to.throw(InvalidInputError, "no usage record for customer 0x8ba1f109551bD432803012645Ac136ddd64DBA72 in this epoch (0 customers)");
  });

  it("a proof fails for any altered field, a wrong root or a sibling changed", () => {
    const rows: UsageRecord[] = [0, 1, 2, 3, 4].map((i) => ({ customer: getAddress("0x" + String(i + 1).padStart(40, "a")), epoch: 5n, workUnits: BigInt(i), amount: BigInt(10 * i), ref: "0x" + String(i).repeat(64) }));
    const built = buildUsage(rows);
    const p = usageProof(built, rows[2].customer);
    expect(verifyUsageProof(p.leaf, p.proof, p.root)).to.equal(true);
    const altered: UsageRecord[] = [
      { ...p.leaf, customer: rows[3].customer },
      { ...p.leaf, epoch: 6n },
      { ...p.leaf, workUnits: p.leaf.workUnits + 1n },
      { ...p.leaf, amount: p.leaf.amount + 1n },
      { ...p.leaf, ref: "0x" + "9".repeat(64) },
    ];
    for (const leaf of altered) expect(verifyUsageProof(leaf, p.proof, p.root)).to.equal(false);
    expect(verifyUsageProof(p.leaf, p.proof, usageProof(buildUsage(rows.slice(1)), rows[2].customer).root)).to.equal(false);
    expect(verifyUsageProof(p.leaf, [p.proof[0].replace(/.$/, (c) => (c === "0" ? "1" : "0")), ...p.proof.slice(1)], p.root)).to.equal(false);
    expect(() => verifyUsageProof(p.leaf, ["0x12"], p.root)).to.throw(InvalidInputError, 'usage proof element 0 must be bytes32 hex, got "0x12"');
  });

  it("buildUsage refuses rows a usage file would refuse, naming the row (index + 1)", () => {
    const a = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
    const good: UsageRecord = { customer: a, epoch: 1n, workUnits: 1n, amount: 1n, ref: ZERO };
    const issuesOf = (rows: UsageRecord[], epoch?: bigint) => {
      try {
        buildUsage(rows, { epoch });
      } catch (e) {
        expect(e).to.be.instanceOf(RecordsError);
        return (e as RecordsError).issues;
      }
      throw new Error("expected a RecordsError");
    };
    expect(issuesOf([good, { ...good, customer: a.toLowerCase() }])).to.deep.equal([{ line: 2, column: "customer", reason: `duplicate customer ${a} (first at line 1): one usage record per customer and epoch` }]);
    expect(issuesOf([{ ...good, amount: U128_MAX + 1n }])).to.deep.equal([{ line: 1, column: "amount", reason: `amount ${U128_MAX + 1n} exceeds uint128 maximum` }]);
    expect(issuesOf([{ ...good, epoch: 2n }], 1n)).to.deep.equal([{ line: 1, column: "epoch", reason: "epoch mismatch: expected 1, got 2" }]);
    expect(issuesOf([{ ...good, workUnits: 1.5 as unknown as bigint }])).to.deep.equal([{ line: 1, column: "workUnits", reason: "workUnits must be a bigint, a safe integer or a decimal string" }]);
    expect(issuesOf([{ ...good, customer: "0x8ba1f109551Bd432803012645Ac136ddd64DBA72" }])[0].reason).to.match(/bad EIP-55 checksum/);
  });

  describe("UsageRef hashing (DESIGN rule 9)", () => {
    const coder = AbiCoder.defaultAbiCoder();
    const ethersHash = (refs: UsageRef[]) => keccak256(coder.encode(["tuple(uint64 epoch, uint32 version, bytes32 usageRoot, bytes32 leafHash)[]"], [refs.map((r) => [r.epoch, r.version, r.usageRoot, r.leafHash])]));

    it("equals keccak256(abi.encode(UsageRef[])) by ethers' AbiCoder (300 random ascending lists of 0..30)", () => {
      const refs = fc
        .uniqueArray(fc.bigInt({ min: 0n, max: U64_MAX }), { maxLength: 30 })
        .chain((epochs) =>
          fc.tuple(...[...epochs].sort((x, y) => (x < y ? -1 : 1)).map((epoch) => fc.record({ epoch: fc.constant(epoch), version: fc.integer({ min: 0, max: 0xffffffff }), usageRoot: hex32, leafHash: hex32 }))),
        );
      fc.assert(
        fc.property(refs, (list) => {
          expect(usageRefsHash(list)).to.equal(ethersHash(list));
        }),
        { numRuns: 300, seed: 3 },
      );
    });

    it("hashes a statement's refs built from usage proofs, and refuses unordered or out-of-range entries", () => {
      const a = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
      const refs: UsageRef[] = [4n, 5n, 7n].map((epoch, i) => {
        const p = usageProof(buildUsage([{ customer: a, epoch, workUnits: 1n, amount: BigInt(100 + i), ref: ZERO }]), a);
        return { epoch, version: 1 + i, usageRoot: p.root, leafHash: p.leafHash };
      });
      expect(usageRefsHash(refs)).to.equal(ethersHash(refs));
      expect(usageRefsHash([])).to.equal(ethersHash([]));
      expect(() => usageRefsHash([refs[1], refs[0]])).to.throw(InvalidInputError, "UsageRef 1: epoch 4 is not after epoch 5 (epochs must be strictly ascending)");
      expect(() => usageRefsHash([refs[0], refs[0]])).to.throw(InvalidInputError, "UsageRef 1: epoch 4 is not after epoch 4");
      expect(() => usageRefsHash([{ ...refs[0], version: 2 ** 32 }])).to.throw(InvalidInputError, "UsageRef 0: version 4294967296 is out of range 0..4294967295");
      expect(() => usageRefsHash([{ ...refs[0], epoch: -1n }])).to.throw(InvalidInputError, "UsageRef 0: epoch -1 is out of range");
      expect(() => usageRefsHash([{ ...refs[0], leafHash: "0x1234" }])).to.throw(InvalidInputError, 'UsageRef 0: leafHash must be bytes32 hex, got "0x1234"');
    });
  });

  it("compares Σ usage with Σ node revenue and words the difference", () => {
    expect(compareUsageToRevenue(1000n, 1000n)).to.deep.equal({ totalUsage: 1000n, totalRevenue: 1000n, difference: 0n, matches: true, message: null });
    expect(compareUsageToRevenue(1000n, 990n)).to.deep.equal({
      totalUsage: 1000n,
      totalRevenue: 990n,
      difference: 10n,
      matches: false,
      message: "Σ usage 1000 ≠ Σ node revenue 990: usage is 10 more than revenue (token's smallest unit)",
    });
    expect(compareUsageToRevenue(0n, 5n).difference).to.equal(-5n);
    expect(compareUsageToRevenue(0n, 5n).message).to.equal("Σ usage 0 ≠ Σ node revenue 5: usage is 5 less than revenue (token's smallest unit)");
  });
});
