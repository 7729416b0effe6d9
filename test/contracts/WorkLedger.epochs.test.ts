import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, ContractTransactionResponse, ZeroHash, concat, keccak256, toBeHex, toUtf8Bytes } from "ethers";
import { WorkLedger__factory } from "../../typechain-types";
import { EPOCH_COMMIT_TYPE, EPOCH_COMMIT_TYPEHASH, workLedgerDomain } from "../../src/records/eip712";
import {
  EpochCommitMessage,
  EpochSummary,
  domainOf,
  epochCommitDigest,
  recoverEpochCommit,
  signEpochCommit,
  signRotation,
  signSorted,
  sortByAddress,
  toHighS,
  truncate,
} from "../helpers/eip712";
import {
  buildEpoch,
  buildUsage,
  committedEpochFixture,
  deployWorkLedgerFixture,
  emptySummary,
  epochEndedFixture,
  makeRecords,
  makeUsage,
  networkParams,
  signAndCommit,
  toLeaf,
} from "../helpers/workLedgerFixture";
import { ARBITER_DEADLINE, BOND, CHALLENGE_WINDOW, EPOCH_SECONDS, EpochStatus, LARGE_EPOCH_RECORDS, MIN_CHALLENGE_WINDOW } from "../helpers/constants";

type Ended = Awaited<ReturnType<typeof epochEndedFixture>>;
type Committed = Awaited<ReturnType<typeof committedEpochFixture>>;

/** The gas target: a 1,000-record commit with 2-of-3 signatures within 150 gas per record. */
const MAX_COMMIT_GAS = 150_000n;

const REASON = keccak256(toUtf8Bytes("telemetry of node 3 was replayed"));

/** Rotates network 1 to (members, k) with the signatures of verifiers 1 and 2 of the current set. */
async function rotate(f: Ended, members: string[], k: number) {
  const { verifierSetId } = await f.ledger.network(1n);
  const msg = { networkId: 1n, verifierSetId: verifierSetId + 1n, verifiers: members, threshold: k };
  return f.ledger.rotateVerifiers(1n, members, k, await signRotation(f.verifiers.slice(0, 2), f.domain, msg));
}

/** Timestamp of the block that mined `tx`. */
async function blockTime(tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return BigInt(block!.timestamp);
}

async function addresses(signers: { getAddress(): Promise<string> }[]): Promise<string[]> {
  return Promise.all(signers.map((s) => s.getAddress()));
}

describe("WorkLedger: epochs", function () {
  describe("EIP-712", function () {
    it("pins the TypeScript type string and typehash to the contract's", async function () {
      const { ledger } = await loadFixture(deployWorkLedgerFixture);
      expect(EPOCH_COMMIT_TYPEHASH).to.equal(keccak256(toUtf8Bytes(EPOCH_COMMIT_TYPE)));
      expect(await ledger.epochCommitTypehash()).to.equal(EPOCH_COMMIT_TYPEHASH);
    });

    it("uses the domain the SDK builds (name, version, chainId, contract)", async function () {
      const { ledger, domain } = await loadFixture(deployWorkLedgerFixture);
      const { chainId } = await ethers.provider.getNetwork();
      expect(domain).to.deep.equal(workLedgerDomain(chainId, await ledger.getAddress()));
    });

    it("computes the same digest as ethers' TypedDataEncoder", async function () {
      const { ledger, domain, built } = await loadFixture(epochEndedFixture);
      const message: EpochCommitMessage = { networkId: 1n, epoch: 7n, version: 3n, summary: built.summary };
      expect(await ledger.epochCommitDigest(1n, 7n, 3n, built.summary)).to.equal(epochCommitDigest(domain, message));
    });
  });

  describe("commitEpoch", function () {
    let f: Ended;
    let message: EpochCommitMessage;
    beforeEach(async function () {
      f = await loadFixture(epochEndedFixture);
      message = { networkId: f.networkId, epoch: 0n, version: 1n, summary: f.built.summary };
    });

    async function sigs(signers = f.verifiers.slice(0, 2), m: EpochCommitMessage = message): Promise<string[]> {
      return signSorted(signers, f.domain, m);
    }

    describe("when correctly signed", function () {
      it("stores the version, advances nextEpoch and emits EpochCommitted (relayed by anyone)", async function () {
        const signers = f.verifiers.slice(0, 2);
        const tx = await f.ledger.connect(f.relayer).commitEpoch(1n, 0n, f.built.summary, await sigs(signers));
        const now = await blockTime(tx);
        const s = f.built.summary;
        await expect(tx)
          .to.emit(f.ledger, "EpochCommitted")
          .withArgs(1n, 0n, 1n, s.root, s.recordCount, s.activeNodes, s.totalWorkUnits, s.totalRevenue, s.dataHash, 1n, now + CHALLENGE_WINDOW, await addresses(await sortByAddress(signers)));
        expect((await f.ledger.network(1n)).nextEpoch).to.equal(1n);
        const v = await f.ledger.latestEpoch(1n, 0n);
        expect(v.root).to.equal(s.root);
        expect(v.version).to.equal(1n);
        expect(v.status).to.equal(EpochStatus.Pending);
        expect(v.verifierSetId).to.equal(1n);
        expect(v.committedAt).to.equal(now);
        expect(v.finalizesAt).to.equal(now + CHALLENGE_WINDOW);
        expect(v.remainingWindow).to.equal(0n);
        expect(v.challengeWindow).to.equal(CHALLENGE_WINDOW);
        expect(v.challenges).to.equal(0n);
        expect(v.usageRoot).to.equal(ZeroHash);
        expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Pending, 1n]);
        expect(await f.ledger.isFinal(1n, 0n)).to.equal(false);
        await expect(tx).to.not.emit(f.ledger, "EpochUsageCommitted");
      });

      it("stores the usage root with the version and emits EpochUsageCommitted when the epoch has usage", async function () {
        const usage = buildUsage(makeUsage(3, 0n));
        const summary = { ...f.built.summary, ...usage.words };
        const tx = f.ledger.commitEpoch(1n, 0n, summary, await sigs(undefined, { ...message, summary }));
        await expect(tx)
          .to.emit(f.ledger, "EpochUsageCommitted")
          .withArgs(1n, 0n, 1n, usage.words.usageRoot, 3n, usage.words.totalUsage);
        expect((await f.ledger.latestEpoch(1n, 0n)).usageRoot).to.equal(usage.words.usageRoot);
        expect((await f.ledger.epochVersion(1n, 0n, 1n)).usageRoot).to.equal(usage.words.usageRoot);
      });

      it("accepts more signatures than the threshold", async function () {
        const tx = f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs(f.verifiers));
        await expect(tx).to.emit(f.ledger, "EpochCommitted");
      });

      it("accepts an empty epoch (no records, zero root)", async function () {
        const empty = emptySummary();
        const m = { ...message, summary: empty };
        await expect(f.ledger.commitEpoch(1n, 0n, empty, await sigs(undefined, m))).to.emit(f.ledger, "EpochCommitted");
        expect((await f.ledger.latestEpoch(1n, 0n)).root).to.equal(ZeroHash);
      });

      it("commits consecutive epochs in order", async function () {
        await f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs());
        await time.increase(EPOCH_SECONDS);
        const next = buildEpoch(makeRecords(3, 1n)).summary;
        const m1 = { ...message, epoch: 1n, summary: next };
        await expect(f.ledger.commitEpoch(1n, 1n, next, await sigs(undefined, m1))).to.emit(f.ledger, "EpochCommitted");
        expect((await f.ledger.network(1n)).nextEpoch).to.equal(2n);
      });

      it("lets a network with a past genesis commit every ended epoch at once", async function () {
        const genesisTime = BigInt(await time.latest()) - 10n * EPOCH_SECONDS;
        await f.ledger.createNetwork({ ...networkParams(f.admin.address, f.verifiers.map((v) => v.address)), genesisTime });
        for (let e = 0n; e < 9n; e++) {
          const summary = buildEpoch(makeRecords(2, e)).summary;
          const m = { networkId: 2n, epoch: e, version: 1n, summary };
          await expect(f.ledger.commitEpoch(2n, e, summary, await sigs(undefined, m))).to.emit(f.ledger, "EpochCommitted");
        }
      });

      it("is Pending for the smallest window (one hour) and Final exactly when it has passed", async function () {
        await f.ledger.connect(f.admin).setChallengeWindow(1n, MIN_CHALLENGE_WINDOW);
        const tx = await f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs());
        const now = await blockTime(tx);
        expect(await f.ledger.isFinal(1n, 0n)).to.equal(false);
        await time.increaseTo(now + MIN_CHALLENGE_WINDOW - 1n);
        expect(await f.ledger.isFinal(1n, 0n)).to.equal(false);
        await time.increaseTo(now + MIN_CHALLENGE_WINDOW);
        expect(await f.ledger.isFinal(1n, 0n)).to.equal(true);
      });

      it("commits exactly at the epoch's end, and reverts one second before it", async function () {
        const g = await loadFixture(deployWorkLedgerFixture);
        const [, endsAt] = await g.ledger.epochBounds(1n, 0n);
        const m = { networkId: 1n, epoch: 0n, version: 1n, summary: f.built.summary };
        const s = await signSorted(g.verifiers.slice(0, 2), g.domain, m);
        await time.setNextBlockTimestamp(endsAt - 1n);
        await expect(g.ledger.commitEpoch(1n, 0n, f.built.summary, s))
          .to.be.revertedWithCustomError(g.ledger, "WorkLedgerEpochNotEnded")
          .withArgs(1n, 0n, endsAt);
        await time.setNextBlockTimestamp(endsAt);
        await expect(g.ledger.commitEpoch(1n, 0n, f.built.summary, s)).to.emit(g.ledger, "EpochCommitted");
      });
    });

    describe("when the commit itself is invalid", function () {
      it("reverts for an unknown network", async function () {
        await expect(f.ledger.commitEpoch(2n, 0n, f.built.summary, await sigs()))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
          .withArgs(2n);
      });

      it("reverts while the network is paused", async function () {
        await f.ledger.connect(f.admin).setPaused(1n, true);
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs()))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNetworkPaused")
          .withArgs(1n);
      });

      it("reverts for an epoch ahead of nextEpoch", async function () {
        await time.increase(EPOCH_SECONDS);
        const m = { ...message, epoch: 1n };
        await expect(f.ledger.commitEpoch(1n, 1n, f.built.summary, await sigs(undefined, m)))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerEpochOutOfOrder")
          .withArgs(1n, 1n, 0n);
      });

      it("reverts for an epoch already committed", async function () {
        const s = await sigs();
        await f.ledger.commitEpoch(1n, 0n, f.built.summary, s);
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, s))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerEpochOutOfOrder")
          .withArgs(1n, 0n, 1n);
      });

      it("reverts for an epoch that has not ended", async function () {
        await f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs());
        const [, endsAt] = await f.ledger.epochBounds(1n, 1n);
        const m = { ...message, epoch: 1n };
        await expect(f.ledger.commitEpoch(1n, 1n, f.built.summary, await sigs(undefined, m)))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerEpochNotEnded")
          .withArgs(1n, 1n, endsAt);
      });

      const badSummaries: { name: string; change: (s: EpochSummary) => EpochSummary }[] = [
        { name: "a zero root with records", change: (s) => ({ ...s, root: ZeroHash }) },
        { name: "a root without records", change: (s) => ({ ...s, recordCount: 0n, activeNodes: 0n }) },
        { name: "more active nodes than records", change: (s) => ({ ...s, activeNodes: s.recordCount + 1n }) },
        { name: "a usage root without usage records", change: (s) => ({ ...s, usageRoot: keccak256("0x01") }) },
        { name: "usage records without a usage root", change: (s) => ({ ...s, usageCount: 2n }) },
        { name: "a usage total without usage records", change: (s) => ({ ...s, totalUsage: 5n }) },
      ];
      for (const c of badSummaries) {
        it(`reverts with WorkLedgerInvalidSummary for ${c.name} (even if signed)`, async function () {
          const bad = c.change(f.built.summary);
          await expect(f.ledger.commitEpoch(1n, 0n, bad, await sigs(undefined, { ...message, summary: bad })))
            .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidSummary")
            .withArgs(1n, 0n);
        });
      }
    });

    describe("when the signatures are invalid", function () {
      it("reverts below the threshold", async function () {
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs(f.verifiers.slice(0, 1))))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerBelowThreshold")
          .withArgs(1n, 2n);
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, []))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerBelowThreshold")
          .withArgs(0n, 2n);
      });

      it("reverts on a duplicate signer", async function () {
        const one = await signEpochCommit(f.verifiers[0], f.domain, message);
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, [one, one]))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerDuplicateSigner")
          .withArgs(f.verifiers[0].address);
      });

      it("reverts when signers are not in ascending order", async function () {
        const sorted = await sortByAddress(f.verifiers.slice(0, 2));
        const s = await sigs(sorted);
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, [s[1], s[0]]))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerSignersUnsorted")
          .withArgs(sorted[1].address, sorted[0].address);
      });

      it("reverts on a signature from a non-verifier", async function () {
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs([f.verifiers[0], f.outsider])))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier")
          .withArgs(f.outsider.address);
      });

      it("reverts on a high-s (malleable) signature, although ecrecover would accept it", async function () {
        const s = await sigs();
        const flipped = toHighS(s[1]);
        // The twin is a valid secp256k1 signature of the same signer (the ecrecover precompile at
        // address 1 accepts it): only the low-s rule rejects it.
        const digest = await f.ledger.epochCommitDigest(1n, 0n, 1n, f.built.summary);
        const twin = ethers.Signature.from(s[1]);
        const highS = ethers.dataSlice(flipped, 32, 64);
        const vHigh = twin.v === 27 ? 28 : 27;
        const input = AbiCoder.defaultAbiCoder().encode(["bytes32", "uint8", "bytes32", "bytes32"], [digest, vHigh, twin.r, highS]);
        const out = await ethers.provider.call({ to: "0x0000000000000000000000000000000000000001", data: input });
        expect(ethers.getAddress(ethers.dataSlice(out, 12))).to.equal(recoverEpochCommit(f.domain, message, s[1]));
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, [s[0], flipped]))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidSignature")
          .withArgs(1n);
      });

      for (const length of [64, 66]) {
        it(`reverts on a ${length}-byte signature`, async function () {
          const s = await sigs();
          const bad = length < 65 ? truncate(s[0], length) : concat([s[0], "0x00"]);
          await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, [bad, s[1]]))
            .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidSignature")
            .withArgs(0n);
        });
      }

      it("reverts on a signature that recovers the zero address", async function () {
        const s = await sigs();
        const zero = concat([ZeroHash, toBeHex(1n, 32), "0x1b"]); // r = 0: ecrecover returns 0
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, [s[0], zero]))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidSignature")
          .withArgs(1n);
      });
    });

    describe("replay and forgery", function () {
      /** Signs `signed` with verifiers 1 and 2 under `domain` and expects the commit of `message` to fail
       * with NotVerifier naming the address the first signature recovers to under the real domain. */
      async function expectRejected(signed: EpochCommitMessage, domain = f.domain, submitted: EpochCommitMessage = message) {
        const s = await signSorted(f.verifiers.slice(0, 2), domain, signed);
        const recovered = recoverEpochCommit(f.domain, submitted, s[0]);
        expect(f.verifiers.map((v) => v.address)).to.not.include(recovered);
        await expect(f.ledger.commitEpoch(submitted.networkId, submitted.epoch, submitted.summary, s))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier")
          .withArgs(recovered);
      }

      it("rejects a signature made for another chainId", async function () {
        await expectRejected(message, { ...f.domain, chainId: 1n });
      });

      it("rejects a signature made for another WorkLedger contract", async function () {
        const other = await new WorkLedger__factory(f.deployer).deploy();
        const { genesisTime } = await f.ledger.network(1n);
        await other.createNetwork({ ...networkParams(f.admin.address, f.verifiers.map((v) => v.address)), genesisTime });
        const otherDomain = await domainOf(other);
        // The same signatures do commit on the contract they were made for.
        await expect(other.commitEpoch(1n, 0n, f.built.summary, await signSorted(f.verifiers.slice(0, 2), otherDomain, message))).to.emit(
          other,
          "EpochCommitted",
        );
        await expectRejected(message, otherDomain);
      });

      it("rejects a signature made for another network", async function () {
        await f.ledger.createNetwork(networkParams(f.admin.address, f.verifiers.map((v) => v.address)));
        await expectRejected({ ...message, networkId: 2n });
      });

      it("rejects a signature made for another epoch", async function () {
        await expectRejected({ ...message, epoch: 1n });
      });

      it("rejects a signature made for another version", async function () {
        await expectRejected({ ...message, version: 2n });
      });

      const changes: { field: keyof EpochSummary; value: (s: EpochSummary) => string | bigint }[] = [
        { field: "root", value: () => keccak256(toUtf8Bytes("another root")) },
        { field: "recordCount", value: (s) => s.recordCount + 1n },
        { field: "activeNodes", value: (s) => s.activeNodes - 1n },
        { field: "totalWorkUnits", value: (s) => s.totalWorkUnits + 1n },
        { field: "totalRevenue", value: (s) => s.totalRevenue - 1n },
        { field: "dataHash", value: () => keccak256(toUtf8Bytes("another file")) },
        { field: "usageRoot", value: () => keccak256(toUtf8Bytes("another usage root")) },
        { field: "usageCount", value: (s) => s.usageCount + 1n },
        { field: "totalUsage", value: (s) => s.totalUsage + 7n },
      ];
      for (const c of changes) {
        it(`rejects the summary with ${c.field} changed after signing`, async function () {
          // Signed with usage words, so that every field (usage ones too) can change and stay consistent.
          const signed = { ...message, summary: { ...message.summary, ...buildUsage(makeUsage(3, 0n)).words } };
          const changed = { ...signed, summary: { ...signed.summary, [c.field]: c.value(signed.summary) } };
          await expectRejected(signed, f.domain, changed);
        });
      }

      it("rejects a verifier removed by rotation, and accepts the new set", async function () {
        const [v1, v2, v3] = f.verifiers;
        await rotate(f, [v2.address, v3.address, f.v4.address], 2);
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs([v1, v2])))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier")
          .withArgs(v1.address);
        const tx = f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs([v2, f.v4]));
        await expect(tx).to.emit(f.ledger, "EpochCommitted");
        expect((await f.ledger.latestEpoch(1n, 0n)).verifierSetId).to.equal(2n);
      });

      it("applies a raised threshold to new commits", async function () {
        await rotate(f, f.verifiers.map((v) => v.address), 3);
        await expect(f.ledger.commitEpoch(1n, 0n, f.built.summary, await sigs()))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerBelowThreshold")
          .withArgs(2n, 3n);
      });
    });
  });

  describe("gas", function () {
    it(`commits ${LARGE_EPOCH_RECORDS} records with 2-of-3 signatures within ${MAX_COMMIT_GAS} gas, even as a network's first commit`, async function () {
      // Instrumented bytecode under solidity-coverage costs far more gas: the bound is for real bytecode only.
      if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
      const f = await loadFixture(deployWorkLedgerFixture);
      await time.increase(2n * EPOCH_SECONDS);
      const signers = f.verifiers.slice(0, 2);
      const large = buildEpoch(makeRecords(LARGE_EPOCH_RECORDS, 0n)).summary;
      const first = await signAndCommit(f.ledger, signers, f.domain, { networkId: 1n, epoch: 0n, version: 1n, summary: large }, f.relayer);
      expect((await first.wait())!.gasUsed).to.be.lessThanOrEqual(MAX_COMMIT_GAS);
      const one = buildEpoch(makeRecords(1, 1n)).summary;
      const single = await signAndCommit(f.ledger, signers, f.domain, { networkId: 1n, epoch: 1n, version: 1n, summary: one }, f.relayer);
      expect((await single.wait())!.gasUsed).to.be.lessThanOrEqual(MAX_COMMIT_GAS);
    });
  });

  describe("history under rotation and window changes", function () {
    it("keeps the verifier set and window an epoch was committed under", async function () {
      const f = await loadFixture(committedEpochFixture);
      const before = await f.ledger.latestEpoch(1n, 0n);
      await rotate(f, [f.v4.address], 1);
      await f.ledger.connect(f.admin).setChallengeWindow(1n, MIN_CHALLENGE_WINDOW);
      const after = await f.ledger.latestEpoch(1n, 0n);
      expect(after).to.deep.equal(before);
      expect(after.verifierSetId).to.equal(1n);
      expect(await f.ledger.isVerifier(1n, 1, f.verifiers[0].address)).to.equal(true);
    });
  });

  describe("finality", function () {
    it("turns Pending into Final once the window has passed", async function () {
      const f = await loadFixture(committedEpochFixture);
      const { finalizesAt } = await f.ledger.latestEpoch(1n, 0n);
      await time.increaseTo(finalizesAt - 10n);
      expect(await f.ledger.isFinal(1n, 0n)).to.equal(false);
      await time.increaseTo(finalizesAt);
      expect(await f.ledger.isFinal(1n, 0n)).to.equal(true);
      expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Final, 1n]);
      expect((await f.ledger.latestEpoch(1n, 0n)).status).to.equal(EpochStatus.Final);
    });
  });

  describe("views of unknown epochs", function () {
    it("epochStatus and isFinal return None/0/false for an unknown network or epoch", async function () {
      const f = await loadFixture(committedEpochFixture);
      expect(await f.ledger.epochStatus(1n, 1n)).to.deep.equal([EpochStatus.None, 0n]);
      expect(await f.ledger.epochStatus(9n, 0n)).to.deep.equal([EpochStatus.None, 0n]);
      expect(await f.ledger.isFinal(9n, 0n)).to.equal(false);
    });

    it("epochBounds reverts with SafeCast's error past the uint64 time range", async function () {
      const f = await loadFixture(committedEpochFixture);
      const last = (1n << 64n) - 1n;
      const { genesisTime } = await f.ledger.network(1n);
      await expect(f.ledger.epochBounds(1n, last))
        .to.be.revertedWithCustomError(f.ledger, "SafeCastOverflowedUintDowncast")
        .withArgs(64n, genesisTime + last * EPOCH_SECONDS);
    });

    it("latestEpoch reverts with WorkLedgerUnknownEpoch", async function () {
      const f = await loadFixture(committedEpochFixture);
      await expect(f.ledger.latestEpoch(1n, 1n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownEpoch").withArgs(1n, 1n);
    });

    for (const version of [0n, 2n]) {
      it(`epochVersion(${version}) reverts with WorkLedgerUnknownVersion`, async function () {
        const f = await loadFixture(committedEpochFixture);
        await expect(f.ledger.epochVersion(1n, 0n, version))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownVersion")
          .withArgs(1n, 0n, version);
      });
    }
  });

  describe("challengeEpoch", function () {
    let f: Committed;
    beforeEach(async function () {
      f = await loadFixture(committedEpochFixture);
    });

    it("lets anyone freeze a Pending epoch with a bond, keeping the remaining window, and emits EpochChallenged", async function () {
      const { finalizesAt } = await f.ledger.latestEpoch(1n, 0n);
      const tx = await f.ledger.connect(f.outsider).challengeEpoch(1n, 0n, REASON);
      const now = await blockTime(tx);
      await expect(tx)
        .to.emit(f.ledger, "EpochChallenged")
        .withArgs(1n, 0n, 1n, f.outsider.address, BOND, now + ARBITER_DEADLINE, REASON);
      const v = await f.ledger.latestEpoch(1n, 0n);
      expect(v.status).to.equal(EpochStatus.Challenged);
      expect(v.remainingWindow).to.equal(finalizesAt - now);
      expect(v.finalizesAt).to.equal(0n);
      expect(v.challenges).to.equal(1n);
      const c = await f.ledger.challengeOf(1n, 0n);
      expect([c.challenger, c.deadline, c.bond]).to.deep.equal([f.outsider.address, now + ARBITER_DEADLINE, BOND]);
      await time.increaseTo(finalizesAt + 1n);
      expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Challenged, 1n]);
      expect(await f.ledger.isFinal(1n, 0n)).to.equal(false);
    });

    it("reverts for an unknown network or epoch", async function () {
      await expect(f.ledger.connect(f.challenger).challengeEpoch(5n, 0n, REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
        .withArgs(5n);
      await expect(f.ledger.connect(f.challenger).challengeEpoch(1n, 1n, REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownEpoch")
        .withArgs(1n, 1n);
    });

    it("reverts for a Final epoch", async function () {
      await time.increase(CHALLENGE_WINDOW);
      await expect(f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Final);
    });

    it("reverts for an epoch already challenged (one open challenge per version)", async function () {
      await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
      await expect(f.ledger.connect(f.outsider).challengeEpoch(1n, 0n, REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Challenged);
    });

    it("stays open while the network is paused", async function () {
      await f.ledger.connect(f.admin).setPaused(1n, true);
      await expect(f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON)).to.emit(f.ledger, "EpochChallenged");
    });
  });

  describe("resolveChallenge", function () {
    let f: Committed;
    beforeEach(async function () {
      f = await loadFixture(committedEpochFixture);
    });

    async function challenge(): Promise<bigint> {
      const tx = await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
      await tx.wait();
      return (await f.ledger.latestEpoch(1n, 0n)).remainingWindow;
    }

    it("voids the epoch when upheld, with ChallengeResolved", async function () {
      await challenge();
      await expect(f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, true))
        .to.emit(f.ledger, "ChallengeResolved")
        .withArgs(1n, 0n, 1n, true, f.arbiter.address, 0n);
      const v = await f.ledger.latestEpoch(1n, 0n);
      expect(v.status).to.equal(EpochStatus.Voided);
      expect(v.finalizesAt).to.equal(0n);
      expect(v.remainingWindow).to.equal(0n);
      expect((await f.ledger.challengeOf(1n, 0n)).challenger).to.equal(ethers.ZeroAddress);
      await time.increase(2n * CHALLENGE_WINDOW);
      expect(await f.ledger.isFinal(1n, 0n)).to.equal(false);
      await expect(f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Voided);
    });

    it("restores Pending with the remaining window when rejected", async function () {
      const remaining = await challenge();
      await time.increase(ARBITER_DEADLINE - 100n); // the freeze does not consume the window
      const tx = await f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false);
      const now = await blockTime(tx);
      await expect(tx).to.emit(f.ledger, "ChallengeResolved").withArgs(1n, 0n, 1n, false, f.arbiter.address, now + remaining);
      const v = await f.ledger.latestEpoch(1n, 0n);
      expect(v.status).to.equal(EpochStatus.Pending);
      expect(v.finalizesAt).to.equal(now + remaining);
      expect(v.remainingWindow).to.equal(0n);
      await time.increaseTo(now + remaining);
      expect(await f.ledger.isFinal(1n, 0n)).to.equal(true);
    });

    it("reverts for a caller that is not the arbiter (the admin included)", async function () {
      await challenge();
      for (const who of [f.outsider, f.admin]) {
        await expect(f.ledger.connect(who).resolveChallenge(1n, 0n, true))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotArbiter")
          .withArgs(1n, who.address);
      }
    });

    it("reverts for an unknown network or epoch", async function () {
      await expect(f.ledger.connect(f.arbiter).resolveChallenge(1n, 3n, true))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownEpoch")
        .withArgs(1n, 3n);
      await expect(f.ledger.connect(f.arbiter).resolveChallenge(4n, 0n, true))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
        .withArgs(4n);
    });

    it("reverts for an epoch that is not challenged (Pending, then Final)", async function () {
      await expect(f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Pending);
      await time.increase(CHALLENGE_WINDOW);
      await expect(f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Final);
    });
  });

  describe("correctEpoch", function () {
    let f: Committed;
    let fixed: ReturnType<typeof buildEpoch>;
    let m2: EpochCommitMessage;
    beforeEach(async function () {
      f = await loadFixture(committedEpochFixture);
      fixed = buildEpoch(makeRecords(6, 0n, "fixed"));
      m2 = { networkId: 1n, epoch: 0n, version: 2n, summary: fixed.summary };
    });

    async function correct(signers = f.verifiers.slice(0, 2), m = m2) {
      return f.ledger.connect(f.relayer).correctEpoch(1n, 0n, m.summary, await signSorted(signers, f.domain, m), REASON);
    }

    it("supersedes a Pending epoch with version 2, keeping version 1 readable", async function () {
      const v1 = await f.ledger.latestEpoch(1n, 0n);
      const signers = f.verifiers.slice(1, 3);
      const tx = await correct(signers);
      const now = await blockTime(tx);
      const s = fixed.summary;
      await expect(tx)
        .to.emit(f.ledger, "EpochCommitted")
        .withArgs(1n, 0n, 2n, s.root, s.recordCount, s.activeNodes, s.totalWorkUnits, s.totalRevenue, s.dataHash, 1n, now + CHALLENGE_WINDOW, await addresses(await sortByAddress(signers)));
      await expect(tx).to.emit(f.ledger, "EpochCorrected").withArgs(1n, 0n, 2n, 1n, REASON);
      expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Pending, 2n]);
      expect(await f.ledger.epochVersion(1n, 0n, 1n)).to.deep.equal(v1);
      const v2 = await f.ledger.epochVersion(1n, 0n, 2n);
      expect(v2).to.deep.equal(await f.ledger.latestEpoch(1n, 0n));
      expect(v2.root).to.equal(s.root);
      expect(v2.committedAt).to.equal(now);
      expect((await f.ledger.network(1n)).nextEpoch).to.equal(1n);
    });

    it("freezes the status of a superseded Pending version, and gives each new version the full window", async function () {
      await time.increase(CHALLENGE_WINDOW - 100n);
      await correct();
      const m3 = { ...m2, version: 3n, summary: f.built.summary };
      const tx = await correct(undefined, m3);
      const now = await blockTime(tx);
      expect((await f.ledger.latestEpoch(1n, 0n)).finalizesAt).to.equal(now + CHALLENGE_WINDOW);
      await time.increase(CHALLENGE_WINDOW);
      expect((await f.ledger.epochVersion(1n, 0n, 1n)).status).to.equal(EpochStatus.Pending);
      expect((await f.ledger.epochVersion(1n, 0n, 2n)).status).to.equal(EpochStatus.Pending);
      expect((await f.ledger.epochVersion(1n, 0n, 1n)).root).to.equal(f.built.summary.root);
      expect((await f.ledger.epochVersion(1n, 0n, 2n)).root).to.equal(fixed.summary.root);
      expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Final, 3n]);
    });

    it("reverts for a Final epoch, however many verifiers sign", async function () {
      await time.increase(CHALLENGE_WINDOW);
      await expect(correct(f.verifiers))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Final);
    });

    it("supersedes a Voided epoch with a new Pending version", async function () {
      await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
      await f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, true);
      await expect(correct()).to.emit(f.ledger, "EpochCorrected").withArgs(1n, 0n, 2n, 1n, REASON);
      expect((await f.ledger.epochVersion(1n, 0n, 1n)).status).to.equal(EpochStatus.Voided);
      expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Pending, 2n]);
    });

    it("checks the correction against the current verifier set and threshold", async function () {
      const [v1, v2] = f.verifiers;
      await rotate(f, [v2.address, f.v4.address], 1);
      await expect(correct([v1]))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier")
        .withArgs(v1.address);
      await expect(correct([f.v4])).to.emit(f.ledger, "EpochCorrected");
      expect((await f.ledger.latestEpoch(1n, 0n)).verifierSetId).to.equal(2n);
      expect((await f.ledger.epochVersion(1n, 0n, 1n)).verifierSetId).to.equal(1n);
    });

    it("rejects the version-1 signatures replayed as a correction", async function () {
      const s = await signSorted(f.verifiers.slice(0, 2), f.domain, f.message);
      const recovered = recoverEpochCommit(f.domain, { ...f.message, version: 2n }, s[0]);
      await expect(f.ledger.connect(f.relayer).correctEpoch(1n, 0n, f.message.summary, s, REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier")
        .withArgs(recovered);
    });

    it("stays open while the network is paused", async function () {
      await f.ledger.connect(f.admin).setPaused(1n, true);
      await expect(correct()).to.emit(f.ledger, "EpochCorrected");
    });

    it("reverts for a Challenged epoch", async function () {
      await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
      await expect(correct())
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Challenged);
    });

    it("reverts for an epoch never committed", async function () {
      const m = { ...m2, epoch: 1n, version: 2n };
      await expect(f.ledger.connect(f.relayer).correctEpoch(1n, 1n, m.summary, await signSorted(f.verifiers.slice(0, 2), f.domain, m), REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownEpoch")
        .withArgs(1n, 1n);
    });

    it("needs no role: the admin alone cannot correct (below threshold), anyone relays k-of-n signatures", async function () {
      await expect(f.ledger.connect(f.admin).correctEpoch(1n, 0n, fixed.summary, [], REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerBelowThreshold")
        .withArgs(0n, 2n);
      await expect(f.ledger.connect(f.outsider).correctEpoch(1n, 0n, fixed.summary, await signSorted(f.verifiers.slice(0, 2), f.domain, m2), REASON))
        .to.emit(f.ledger, "EpochCorrected")
        .withArgs(1n, 0n, 2n, 1n, REASON);
    });

    it("reverts for an unknown network", async function () {
      await expect(f.ledger.correctEpoch(3n, 0n, fixed.summary, [], REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
        .withArgs(3n);
    });

    it("validates the new summary and signatures like a commit", async function () {
      const bad = { ...fixed.summary, root: ZeroHash };
      await expect(correct(undefined, { ...m2, summary: bad }))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidSummary")
        .withArgs(1n, 0n);
      await expect(correct(f.verifiers.slice(0, 1)))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerBelowThreshold")
        .withArgs(1n, 2n);
    });

    it("switches recordStatus to the new root at once, and verifyRecord once the new version is Final", async function () {
      const oldRecord = f.built.records[0];
      const oldProof = f.built.tree.getProof(toLeaf(oldRecord));
      expect(await f.ledger.recordStatus(1n, 0n, oldRecord, oldProof)).to.deep.equal([true, EpochStatus.Pending, 1n]);
      expect(await f.ledger.verifyRecord(1n, 0n, oldRecord, oldProof)).to.equal(false);
      await correct();
      const newRecord = fixed.records[2];
      const newProof = fixed.tree.getProof(toLeaf(newRecord));
      expect(await f.ledger.recordStatus(1n, 0n, oldRecord, oldProof)).to.deep.equal([false, EpochStatus.Pending, 2n]);
      expect(await f.ledger.recordStatus(1n, 0n, newRecord, newProof)).to.deep.equal([true, EpochStatus.Pending, 2n]);
      expect(await f.ledger.verifyRecord(1n, 0n, newRecord, newProof)).to.equal(false);
      await time.increase(CHALLENGE_WINDOW);
      expect(await f.ledger.verifyRecord(1n, 0n, oldRecord, oldProof)).to.equal(false);
      expect(await f.ledger.verifyRecord(1n, 0n, newRecord, newProof)).to.equal(true);
    });
  });

  describe("signAndCommit helper", function () {
    it("relays through any account", async function () {
      const f = await loadFixture(epochEndedFixture);
      const m = { networkId: 1n, epoch: 0n, version: 1n, summary: f.built.summary };
      await expect(signAndCommit(f.ledger, f.verifiers.slice(1), f.domain, m, f.outsider)).to.emit(f.ledger, "EpochCommitted");
    });
  });
});
