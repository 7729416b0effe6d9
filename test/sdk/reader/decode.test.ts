/**
 * The reader's fast log decoder must give exactly what decodeLog (src/chain/events.ts) gives: for
 * every event of both contracts with random arguments, and for malformed logs (dirty words, wrong
 * lengths, extra or missing topics, foreign emitters, unknown topics).
 */
import { expect } from "chai";
import { EventFragment, Interface, ParamType, getAddress, hexlify, zeroPadValue } from "ethers";

import { LedgerAddresses, decodeLog, revenueLedgerEvents, workLedgerEvents } from "../../../src/chain/events";
import { LogDecoder } from "../../../src/reader/decode";
import type { RawLog } from "../../../src/reader/rpc";
import { seededRandom } from "../../helpers/random";

const ADDRESSES: LedgerAddresses = { workLedger: getAddress("0x" + "1a".repeat(20)), revenueLedger: getAddress("0x" + "2b".repeat(20)) };

function randomValue(p: ParamType, rand: () => number): unknown {
  const bytes = (n: number) => hexlify(Uint8Array.from({ length: n }, () => Math.floor(rand() * 256)));
  if (p.baseType === "array") return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(p.arrayChildren!, rand));
  if (p.type === "address") return getAddress(bytes(20));
  if (p.type === "bool") return rand() < 0.5;
  if (p.type === "string") return ["", "GPU-seconds", "ünïcödé ✓", "x".repeat(70)][Math.floor(rand() * 4)];
  if (p.type === "bytes") return bytes(Math.floor(rand() * 40));
  if (p.type.startsWith("bytes")) return bytes(Number(p.type.slice(5)));
  const m = /^(u?)int(\d*)$/.exec(p.type);
  if (m) {
    const bits = Number(m[2] || 256);
    const edge = [0n, 1n, (1n << BigInt(bits - (m[1] ? 0 : 1))) - 1n][Math.floor(rand() * 4)];
    const v = edge ?? BigInt.asUintN(bits - (m[1] ? 0 : 1), BigInt(bytes(32)));
    return m[1] || rand() < 0.5 ? v : -v;
  }
  throw new Error(`no generator for ${p.type}`);
}

function logOf(address: string, topics: string[], data: string, i: number): RawLog {
  return { address, topics, data, blockNumber: 10 + i, blockHash: "0x" + "cd".repeat(32), transactionHash: "0x" + (i + 1).toString(16).padStart(64, "0"), index: i };
}

describe("reader: fast log decoder", function () {
  const decoder = new LogDecoder(ADDRESSES);
  const cases: [Interface, string][] = [
    [workLedgerEvents, ADDRESSES.workLedger],
    [revenueLedgerEvents, ADDRESSES.revenueLedger],
  ];

  it("decodes every event of both contracts exactly as decodeLog does", function () {
    const rand = seededRandom(77);
    let n = 0;
    for (const [iface, address] of cases) {
      const events: EventFragment[] = [];
      iface.forEachEvent((f) => events.push(f));
      expect(events.length).to.be.greaterThan(5);
      for (const f of events) {
        for (let k = 0; k < 8; k++) {
          const { topics, data } = iface.encodeEventLog(f, f.inputs.map((p) => randomValue(p, rand)));
          const log = logOf(address, topics, data, n++);
          const want = decodeLog(log, ADDRESSES);
          expect(want, f.name).to.not.equal(null);
          expect(decoder.decode(log), f.name).to.deep.equal(want);
        }
      }
    }
  });

  it("agrees with decodeLog on malformed and foreign logs", function () {
    const rl = revenueLedgerEvents;
    const deposited = rl.getEvent("Deposited")!; // three indexed ids/addresses, two amounts in data
    const good = rl.encodeEventLog(deposited, [7n, getAddress("0x" + "33".repeat(20)), getAddress("0x" + "44".repeat(20)), 5n, 6n]);
    const entry = rl.getEvent("EntryPosted")!;
    const e = rl.encodeEventLog(entry, [1n, "0x" + "01".repeat(32), "0x" + "02".repeat(32), 5n, 3n, "0x" + "03".repeat(32), 7n, 8n]);
    const dirty = "0x" + "ff".repeat(12) + "33".repeat(20);
    const variants: [string, string[], string][] = [
      ["dirty address topic", [good.topics[0], good.topics[1], dirty, good.topics[3]], good.data],
      ["extra topic", [...good.topics, "0x" + "00".repeat(32)], good.data],
      ["missing topic", good.topics.slice(0, 3), good.data],
      ["short data", good.topics, good.data.slice(0, -2)],
      ["long data", good.topics, good.data + "00".repeat(32)],
      ["uppercase hex", good.topics.map((t) => "0x" + t.slice(2).toUpperCase()), "0x" + good.data.slice(2).toUpperCase()],
      ["uint64 with dirty high bits", e.topics, e.data.slice(0, 2 + 64) + "ff".repeat(24) + e.data.slice(2 + 64 + 48)],
      ["unknown topic", ["0x" + "99".repeat(32), ...good.topics.slice(1)], good.data],
      ["no topics", [], good.data],
      ["non-hex data", good.topics, "0x" + "zz".repeat(64)],
    ];
    variants.forEach(([label, topics, data], i) => {
      const log = logOf(ADDRESSES.revenueLedger, topics, data, i);
      let want: unknown;
      try {
        want = decodeLog(log, ADDRESSES);
      } catch {
        want = null; // decodeLog lets ethers' deferred decoding errors escape; the reader skips such a log
      }
      expect(decoder.decode(log), label).to.deep.equal(want);
    });
    // A RevenueLedger event from the WorkLedger's address, and from a stranger.
    expect(decoder.decode(logOf(ADDRESSES.workLedger, good.topics, good.data, 20))).to.equal(null);
    expect(decodeLog(logOf(ADDRESSES.workLedger, good.topics, good.data, 20), ADDRESSES)).to.equal(null);
    expect(decoder.decode(logOf(zeroPadValue("0x01", 20), good.topics, good.data, 21))).to.equal(null);
  });
});
