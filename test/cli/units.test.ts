/**
 * Unit tests of the CLI's pure pieces: flag parsers, human number formatting, payout files and the
 * demo scenario's determinism. (The commands themselves are tested end to end in cli.test.ts.)
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { InvalidInputError, assertNeverLowers, cumulativePayoutProof, parsePayoutFile, payoutFileName, payoutFileText } from "../../src";
import { formatAmount, formatInt, toJson } from "../../src/cli/output";
import { checkOutExtension, formatFromOut } from "../../src/cli/outputFile";
import { parseAddress, parseAddressList, parseAmount, parseNetworkId, parseNodeId, parseUint } from "../../src/cli/parse";
import { customerCharges, epochRecords, makeNodes, recordsCsv, timeline } from "../../src/demo/scenario";
import { billingPeriods, tokenAmount } from "../../src/demo/run";

describe("CLI units", function () {
  describe("parsers", function () {
    it("network ids count from 1; epochs are uint64", function () {
      expect(parseNetworkId("7")).to.equal(7n);
      expect(() => parseNetworkId("0")).to.throw(InvalidInputError, /integer from 1/);
      expect(() => parseNetworkId("1.5")).to.throw(InvalidInputError);
      expect(parseUint("18446744073709551615", "--epoch")).to.equal((1n << 64n) - 1n);
      expect(() => parseUint("18446744073709551616", "--epoch")).to.throw(InvalidInputError, /below 2\^64/);
    });

    it("node ids: 0x + 32 bytes as is (lowercased), anything else keccak256(utf8)", function () {
      const hex = "0x" + "AB".repeat(32);
      expect(parseNodeId(hex)).to.equal(hex.toLowerCase());
      expect(parseNodeId("gpu-1")).to.equal(keccak256(toUtf8Bytes("gpu-1")));
      expect(() => parseNodeId("0x1234")).to.throw(InvalidInputError, /32-byte hex/);
    });

    it("amounts in token units with the token's decimals, exactly", function () {
      expect(parseAmount("1250.5", 6)).to.equal(1_250_500_000n);
      expect(parseAmount("1_000", 6)).to.equal(1_000_000_000n);
      expect(() => parseAmount("0.0000001", 6)).to.throw(InvalidInputError, /more than 6 decimals/);
      expect(() => parseAmount("-5", 6)).to.throw(InvalidInputError);
      expect(() => parseAmount("0", 6)).to.throw(InvalidInputError, /greater than zero/);
    });
  });

  describe("addresses", function () {
    const good = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
    it("are checksummed; a bad EIP-55 checksum is called a checksum problem, not a length problem", function () {
      expect(parseAddress(good.toLowerCase(), "--operator")).to.equal(good);
      const badChecksum = good.replace("8ba1", "8Ba1");
      expect(() => parseAddress(badChecksum, "--operator")).to.throw(InvalidInputError, /--operator .*checksum/i);
      expect(() => parseAddress(badChecksum, "--operator")).to.not.throw(/20 bytes|length|40 hex digits/);
      expect(() => parseAddress(good.slice(0, -1), "--operator")).to.throw(InvalidInputError, /39/);
      expect(() => parseAddressList(`${good},${badChecksum}`, "--verifiers")).to.throw(InvalidInputError, /--verifiers item 2 .*checksum/i);
    });
  });

  describe("--out against --format", function () {
    it("refuses an extension that does not match the format, and one that names no format", function () {
      expect(formatFromOut("r/uptime.PDF")).to.equal("pdf");
      expect(formatFromOut("uptime.xlsx")).to.equal(null);
      expect(() => checkOutExtension("uptime.pdf", "pdf")).to.not.throw();
      expect(() => checkOutExtension("uptime", "pdf")).to.not.throw();
      expect(() => checkOutExtension("journal.beancount", "beancount")).to.not.throw();
      expect(() => checkOutExtension("uptime.xlsx", "pdf")).to.throw(InvalidInputError, "--out uptime.xlsx has extension .xlsx but --format is pdf: use --out uptime.pdf");
      expect(() => checkOutExtension("uptime.json", "csv")).to.throw(InvalidInputError, /--format is csv/);
      expect(() => checkOutExtension("uptime.xlsx", undefined)).to.throw(InvalidInputError, /extension \.xlsx is no report format/);
      expect(() => checkOutExtension("uptime.md", undefined)).to.not.throw();
    });
  });

  describe("human output", function () {
    it("thousands separators and token decimals; JSON keeps exact integers as strings", function () {
      expect(formatInt(1234567n)).to.equal("1,234,567");
      expect(formatInt(-1000)).to.equal("-1,000");
      expect(formatAmount(1_234_500_000n, 6, "mUSD")).to.equal("1,234.50 mUSD");
      expect(formatAmount(1n, 6)).to.equal("0.000001");
      expect(formatAmount(-25_000_000n, 6)).to.equal("-25.00");
      expect(toJson({ a: 2n ** 70n }, 0)).to.equal('{"a":"1180591620717411303424"}');
    });
  });

  describe("payouts", function () {
    const op = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
    const leaves = [3n, 1n, 2n].map((a, i) => ({ nodeId: keccak256(toUtf8Bytes(`n${i}`)), operator: op, cumulativeAmount: a * 1000n })).sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    const body = {
      chainId: 31337n,
      revenueLedger: op,
      networkId: 1n,
      throughEpoch: 4n,
      root: cumulativePayoutProof(leaves, leaves[0].nodeId).root,
      total: 6000n,
      leaves,
      epochs: [{ epoch: 0n, version: 1, totalRevenue: 9n, posted: 7000n, fee: 70n, refunded: 0n, forfeited: 0n, netPosted: 6930n, allocated: 6000n }],
    };

    it("a payout root file round-trips byte for byte; its proofs check with @openzeppelin/merkle-tree; a tampered root or total is refused", function () {
      expect(payoutFileName(1, 4)).to.equal("network-1-payout-4.json");
      const text = payoutFileText(body);
      const back = parsePayoutFile(text, "p.json");
      expect(payoutFileText(back)).to.equal(text);
      expect(back.dataHash).to.equal(keccak256(toUtf8Bytes(text)));
      const { leaf, proof, root } = cumulativePayoutProof(back.leaves, leaves[1].nodeId);
      expect(StandardMerkleTree.verify(root, ["bytes32", "address", "uint256"], [leaf.nodeId, leaf.operator, leaf.cumulativeAmount], proof)).to.equal(true);
      expect(() => parsePayoutFile(text.replace(body.root, "0x" + "11".repeat(32)), "p.json")).to.throw(InvalidInputError, /p.json: root 0x1111.* does not match its leaves/);
      expect(() => parsePayoutFile(text.replace('"total": "6000"', '"total": "6001"'), "p.json")).to.throw(InvalidInputError, /total 6001 is not the sum of its leaves \(6000\)/);
      expect(() => cumulativePayoutProof(leaves, keccak256(toUtf8Bytes("stranger")))).to.throw(InvalidInputError, /has no leaf/);
    });

    it("never lowers: a node missing or lower than in the previous root is refused, equal or higher passes", function () {
      const higher = leaves.map((l) => ({ ...l, cumulativeAmount: l.cumulativeAmount + 1n }));
      expect(() => assertNeverLowers(body, higher)).to.not.throw();
      expect(() => assertNeverLowers(body, leaves)).to.not.throw();
      const lowered = leaves.map((l, i) => (i === 2 ? { ...l, cumulativeAmount: l.cumulativeAmount - 1n } : l));
      expect(() => assertNeverLowers(body, lowered)).to.throw(InvalidInputError, new RegExp(`node ${leaves[2].nodeId} would go down from ${leaves[2].cumulativeAmount} \\(root through epoch 4\\) to ${leaves[2].cumulativeAmount - 1n}`));
      expect(() => assertNeverLowers(body, leaves.slice(1))).to.throw(InvalidInputError, /would go down .* to 0/);
    });
  });

  describe("demo scenario", function () {
    it("is a pure function of the seed, with the outage, the flaky node, the late joiner and the metering bug", function () {
      const t = timeline(24);
      expect(t.outageEpochs).to.deep.equal([6, 7, 8]);
      expect(t.challengedEpoch).to.equal(16);
      const nodes = makeNodes(50, t);
      expect(nodes[49].joinEpoch).to.equal(12);
      expect(epochRecords("s", nodes, 11, t)).to.have.length(49);
      expect(recordsCsv(epochRecords("s", nodes, 7, t))).to.equal(recordsCsv(epochRecords("s", makeNodes(50, t), 7, t)));
      const outage = epochRecords("s", nodes, 7, t).filter((r) => r.node.region === "eu-central");
      expect(outage.every((r) => r.uptimeBps <= 5500)).to.equal(true);
      const bug = epochRecords("s", nodes, 16, t, true)[0];
      expect(bug.workUnits > 3600n).to.equal(true);
      expect(customerCharges(1001n)).to.deep.equal([500n, 300n, 201n]);
    });

    it("bills in periods of at most 8 Final epochs, the last ending at the newest Final epoch; amounts print with all 6 decimals", function () {
      expect(billingPeriods(23, 8)).to.deep.equal([[0, 7], [8, 15], [16, 22]]);
      expect(billingPeriods(16, 8)).to.deep.equal([[0, 7], [8, 15]]);
      expect(billingPeriods(3, 8)).to.deep.equal([[0, 2]]);
      expect(billingPeriods(0, 8)).to.deep.equal([]);
      expect(tokenAmount(1_404_000_000n, 6, "mUSD")).to.equal("1,404.000000 mUSD");
      expect(tokenAmount(1_075_969_287n, 6, "mUSD")).to.equal("1,075.969287 mUSD");
    });
  });
});
