import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, ZeroAddress, keccak256, toUtf8Bytes } from "ethers";
import { STAND_IN_ARBITER, deployWorkLedgerFixture, networkParams, TOKEN } from "../helpers/workLedgerFixture";
import { signRotation } from "../helpers/eip712";
import {
  ARBITER_DEADLINE,
  BOND,
  CAPACITY_PER_NODE,
  CHALLENGE_WINDOW,
  EPOCH_SECONDS,
  MAX_ARBITER_DEADLINE,
  MAX_BOND,
  MAX_SECONDS,
  MAX_STATEMENT,
  MAX_STATEMENT_EPOCHS,
  MAX_VERIFIERS,
  MIN_ARBITER_DEADLINE,
  MIN_BOND,
  MIN_CHALLENGE_WINDOW,
  ROLE,
  THAW_SECONDS,
  THRESHOLD,
  minThaw,
} from "../helpers/constants";

type Fixture = Awaited<ReturnType<typeof deployWorkLedgerFixture>>;

/** keccak256(abi.encode(networkId, kind)), as NetworkRoles.roleId computes it. */
function roleId(networkId: bigint, kind: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "bytes32"], [networkId, kind]));
}

const NODE = keccak256(toUtf8Bytes("gpu-node-1"));

describe("WorkLedger: networks, roles and nodes", function () {
  let f: Fixture;
  beforeEach(async function () {
    f = await loadFixture(deployWorkLedgerFixture);
  });

  describe("createNetwork", function () {
    it("stores the configuration, counts ids from 1 and starts at epoch 0", async function () {
      const [createdEvent] = await f.ledger.queryFilter(f.ledger.filters.NetworkCreated(1n));
      const created = BigInt((await createdEvent.getBlock()).timestamp);
      expect(await f.ledger.networkCount()).to.equal(1n);
      const net = await f.ledger.network(1n);
      expect(net.token).to.equal(await f.token.getAddress());
      expect(net.genesisTime).to.equal(created);
      expect(net.verifierSetId).to.equal(1n);
      expect(net.epochSeconds).to.equal(EPOCH_SECONDS);
      expect(net.challengeWindow).to.equal(CHALLENGE_WINDOW);
      expect(net.capacityPerNode).to.equal(CAPACITY_PER_NODE);
      expect(net.threshold).to.equal(BigInt(THRESHOLD));
      expect(net.verifierCount).to.equal(3n);
      expect(net.paused).to.equal(false);
      expect(net.nextEpoch).to.equal(0n);
      expect(net.finalizedCount).to.equal(0n);
      expect(await f.ledger.finalizedCount(1n)).to.equal(0n);
      expect(await f.ledger.arbiterOf(1n)).to.equal(f.arbiter.address);
      expect(await f.ledger.pendingArbiterOf(1n)).to.equal(ZeroAddress);
      expect(await f.ledger.bondOf(1n)).to.equal(BOND);
      expect(await f.ledger.thawSecondsOf(1n)).to.equal(THAW_SECONDS);
      expect(await f.ledger.arbiterDeadlineOf(1n)).to.equal(ARBITER_DEADLINE);
      expect(await f.ledger.maxStatementEpochsOf(1n)).to.equal(BigInt(MAX_STATEMENT));
      for (const view of ["arbiterOf", "bondOf", "thawSecondsOf", "arbiterDeadlineOf", "maxStatementEpochsOf", "finalizedCount"] as const) {
        expect(await f.ledger[view](9n), `${view} of an unknown network`).to.equal(view === "arbiterOf" ? ZeroAddress : 0n);
      }
    });

    it("emits NetworkCreated and VerifierSetUpdated", async function () {
      const params = { ...networkParams(f.admin.address, [f.v4.address]), genesisTime: 1_000n, threshold: 1 };
      const tx = f.ledger.connect(f.outsider).createNetwork(params);
      await expect(tx)
        .to.emit(f.ledger, "NetworkCreated")
        .withArgs(2n, f.admin.address, TOKEN, "GPU Net", "GPU-seconds", 1_000n, EPOCH_SECONDS, CHALLENGE_WINDOW, CAPACITY_PER_NODE);
      await expect(tx).to.emit(f.ledger, "VerifierSetUpdated").withArgs(2n, 1n, [f.v4.address], 1n);
      await expect(tx)
        .to.emit(f.ledger, "NetworkTrustSet")
        .withArgs(2n, STAND_IN_ARBITER, BOND, THAW_SECONDS, ARBITER_DEADLINE, BigInt(MAX_STATEMENT));
      expect(await f.ledger.networkCount()).to.equal(2n);
      expect((await f.ledger.network(2n)).genesisTime).to.equal(1_000n);
    });

    it("gives the admin only the ADMIN role, which administers ADMIN, REGISTRAR and BILLER; the arbiter is no role", async function () {
      const params = networkParams(f.outsider.address, [f.v4.address], 1);
      const tx = f.ledger.createNetwork(params);
      const adminRole = roleId(2n, ROLE.ADMIN);
      await expect(tx).to.emit(f.ledger, "RoleGranted").withArgs(adminRole, f.outsider.address, f.deployer.address);
      expect(await f.ledger.hasNetworkRole(2n, ROLE.ADMIN, f.outsider.address)).to.equal(true);
      for (const kind of [ROLE.REGISTRAR, ROLE.BILLER]) {
        await expect(tx).to.emit(f.ledger, "RoleAdminChanged").withArgs(roleId(2n, kind), ethers.ZeroHash, adminRole);
        expect(await f.ledger.hasNetworkRole(2n, kind, f.outsider.address), "not granted by default").to.equal(false);
        expect(await f.ledger.getRoleAdmin(roleId(2n, kind))).to.equal(adminRole);
      }
      expect(await f.ledger.getRoleAdmin(adminRole)).to.equal(adminRole);
      // The ARBITER kind has no role admin: nobody can grant it; hasNetworkRole answers with the stored arbiter.
      expect(await f.ledger.getRoleAdmin(roleId(2n, ROLE.ARBITER))).to.equal(ethers.ZeroHash);
      expect(await f.ledger.hasNetworkRole(2n, ROLE.ARBITER, STAND_IN_ARBITER)).to.equal(true);
      expect(await f.ledger.hasNetworkRole(2n, ROLE.ARBITER, f.outsider.address)).to.equal(false);
      expect(await f.ledger.hasNetworkRole(9n, ROLE.ARBITER, ZeroAddress)).to.equal(false);
      expect(await f.ledger.networkRole(2n, ROLE.BILLER)).to.equal(roleId(2n, ROLE.BILLER));
      expect(await f.ledger.hasRole(ethers.ZeroHash, f.outsider.address)).to.equal(false);
      expect(await f.ledger.hasRole(ethers.ZeroHash, f.deployer.address)).to.equal(false);
    });

    it("records the verifier set and its members", async function () {
      const [members, k] = await f.ledger.verifierSet(1n, 1);
      expect(members).to.deep.equal(f.verifiers.map((v) => v.address));
      expect(k).to.equal(BigInt(THRESHOLD));
      for (const v of f.verifiers) expect(await f.ledger.isVerifier(1n, 1, v.address)).to.equal(true);
      expect(await f.ledger.isVerifier(1n, 1, f.v4.address)).to.equal(false);
      expect(await f.ledger.isVerifier(1n, 2, f.verifiers[0].address)).to.equal(false);
      const [none, zero] = await f.ledger.verifierSet(1n, 2);
      expect(none).to.deep.equal([]);
      expect(zero).to.equal(0n);
    });

    it("accepts the largest verifier set (255) and the largest windows", async function () {
      const many = Array.from({ length: MAX_VERIFIERS }, (_, i) => ethers.getAddress("0x" + (i + 1).toString(16).padStart(40, "0")));
      const params = {
        ...networkParams(f.admin.address, many, MAX_VERIFIERS),
        epochSeconds: MAX_SECONDS,
        challengeWindow: MAX_SECONDS,
        arbiterDeadline: MAX_ARBITER_DEADLINE,
        bond: MAX_BOND,
        maxStatementEpochs: 1,
        thawSeconds: minThaw(MAX_SECONDS, MAX_ARBITER_DEADLINE, 1, MAX_SECONDS),
      };
      await expect(f.ledger.createNetwork(params)).to.emit(f.ledger, "NetworkCreated");
      expect((await f.ledger.network(2n)).verifierCount).to.equal(BigInt(MAX_VERIFIERS));
    });

    it("reverts when the admin is the zero address", async function () {
      await expect(f.ledger.createNetwork(networkParams(ZeroAddress, [f.v4.address], 1)))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerZeroAddress")
        .withArgs("admin");
    });

    it("reverts when the token is the zero address", async function () {
      await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), token: ZeroAddress }))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerZeroAddress")
        .withArgs("token");
    });

    for (const epochSeconds of [0n, MAX_SECONDS + 1n]) {
      it(`reverts when the epoch length is ${epochSeconds}`, async function () {
        await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), epochSeconds }))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochSeconds")
          .withArgs(epochSeconds);
      });
    }

    for (const challengeWindow of [0n, MIN_CHALLENGE_WINDOW - 1n, MAX_SECONDS + 1n]) {
      it(`reverts when the challenge window is ${challengeWindow} (outside one hour .. 366 days)`, async function () {
        await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), challengeWindow }))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidChallengeWindow")
          .withArgs(challengeWindow);
      });
    }

    it("accepts the smallest window, bond, deadline, statement length and thaw", async function () {
      const params = {
        ...networkParams(f.admin.address, [f.v4.address], 1),
        challengeWindow: MIN_CHALLENGE_WINDOW,
        bond: MIN_BOND,
        arbiterDeadline: MIN_ARBITER_DEADLINE,
        maxStatementEpochs: 1,
        thawSeconds: minThaw(MIN_CHALLENGE_WINDOW, MIN_ARBITER_DEADLINE, 1, EPOCH_SECONDS),
      };
      await expect(f.ledger.createNetwork(params)).to.emit(f.ledger, "NetworkTrustSet");
    });

    it("reverts when the arbiter is the zero address or the admin", async function () {
      await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), arbiter: ZeroAddress }))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerZeroAddress")
        .withArgs("arbiter");
      await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), arbiter: f.admin.address }))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerArbiterIsAdmin")
        .withArgs(0n, f.admin.address);
    });

    for (const bond of [0n, MIN_BOND - 1n, MAX_BOND + 1n]) {
      it(`reverts when the bond is ${bond} (outside MIN_BOND..MAX_BOND)`, async function () {
        await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), bond }))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidBond")
          .withArgs(bond);
      });
    }

    for (const arbiterDeadline of [0n, MIN_ARBITER_DEADLINE - 1n, MAX_ARBITER_DEADLINE + 1n]) {
      it(`reverts when the arbiter deadline is ${arbiterDeadline}`, async function () {
        await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), arbiterDeadline }))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidArbiterDeadline")
          .withArgs(arbiterDeadline);
      });
    }

    for (const maxStatementEpochs of [0, MAX_STATEMENT_EPOCHS + 1]) {
      it(`reverts when maxStatementEpochs is ${maxStatementEpochs}`, async function () {
        await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), maxStatementEpochs }))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidMaxStatementEpochs")
          .withArgs(maxStatementEpochs);
      });
    }

    it("reverts when the thaw is one second shorter than window + deadline + maxStatementEpochs * epochSeconds (rule 6)", async function () {
      const required = minThaw(CHALLENGE_WINDOW, ARBITER_DEADLINE, MAX_STATEMENT, EPOCH_SECONDS);
      await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), thawSeconds: required - 1n }))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerThawTooShort")
        .withArgs(required - 1n, required);
      await expect(f.ledger.createNetwork({ ...networkParams(f.admin.address, [f.v4.address], 1), thawSeconds: required })).to.emit(
        f.ledger,
        "NetworkCreated",
      );
    });

    const thresholdCases: { name: string; n: number; k: number }[] = [
      { name: "k is 0", n: 3, k: 0 },
      { name: "k > n", n: 3, k: 4 },
      { name: "the set is empty", n: 0, k: 1 },
      { name: "n > 255", n: MAX_VERIFIERS + 1, k: 1 },
    ];
    for (const c of thresholdCases) {
      it(`reverts with WorkLedgerInvalidThreshold when ${c.name}`, async function () {
        const list = Array.from({ length: c.n }, (_, i) => ethers.getAddress("0x" + (i + 1).toString(16).padStart(40, "0")));
        await expect(f.ledger.createNetwork(networkParams(f.admin.address, list, c.k)))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidThreshold")
          .withArgs(c.k, c.n);
      });
    }

    it("reverts on a zero verifier, naming its index", async function () {
      await expect(f.ledger.createNetwork(networkParams(f.admin.address, [f.v4.address, ZeroAddress], 1)))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerZeroVerifier")
        .withArgs(1n);
    });

    it("reverts on a duplicate verifier", async function () {
      const list = [f.v4.address, f.outsider.address, f.v4.address];
      await expect(f.ledger.createNetwork(networkParams(f.admin.address, list, 2)))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerDuplicateVerifier")
        .withArgs(f.v4.address);
    });
  });

  describe("views of unknown networks", function () {
    for (const id of [0n, 2n]) {
      it(`network(${id}) and epochBounds(${id}) revert with WorkLedgerUnknownNetwork`, async function () {
        await expect(f.ledger.network(id)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork").withArgs(id);
        await expect(f.ledger.epochBounds(id, 0n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork").withArgs(id);
      });
    }

    it("epochBounds gives [genesis + e*len, genesis + (e+1)*len)", async function () {
      const genesis = (await f.ledger.network(1n)).genesisTime;
      const [start, end] = await f.ledger.epochBounds(1n, 5n);
      expect(start).to.equal(genesis + 5n * EPOCH_SECONDS);
      expect(end).to.equal(genesis + 6n * EPOCH_SECONDS);
    });

    it("supports the IWorkLedger, IAccessControl and IERC165 interfaces", async function () {
      const ids = ["0x01ffc9a7", "0x7965db0b"]; // IERC165, IAccessControl
      for (const id of ids) expect(await f.ledger.supportsInterface(id)).to.equal(true);
      const iface = (await ethers.getContractAt("IWorkLedger", await f.ledger.getAddress())).interface;
      let workLedgerId = 0n;
      iface.forEachFunction((fn) => (workLedgerId ^= BigInt(fn.selector)));
      expect(await f.ledger.supportsInterface("0x" + workLedgerId.toString(16).padStart(8, "0"))).to.equal(true);
      expect(await f.ledger.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("rotateVerifiers (k-of-n signed by the current set)", function () {
    async function rotationSigs(members: string[], k: number, signers = f.verifiers.slice(0, 2), setId = 2n, networkId = 1n) {
      return signRotation(signers, f.domain, { networkId, verifierSetId: setId, verifiers: members, threshold: k });
    }

    it("makes a new set current (relayed by anyone), keeps the old one readable and emits VerifierSetUpdated", async function () {
      const next = [f.verifiers[1].address, f.verifiers[2].address, f.v4.address];
      await expect(f.ledger.connect(f.outsider).rotateVerifiers(1n, next, 3, await rotationSigs(next, 3)))
        .to.emit(f.ledger, "VerifierSetUpdated")
        .withArgs(1n, 2n, next, 3n);
      const net = await f.ledger.network(1n);
      expect(net.verifierSetId).to.equal(2n);
      expect(net.threshold).to.equal(3n);
      expect(net.verifierCount).to.equal(3n);
      expect(await f.ledger.isVerifier(1n, 2, f.verifiers[0].address)).to.equal(false);
      expect(await f.ledger.isVerifier(1n, 2, f.v4.address)).to.equal(true);
      expect(await f.ledger.isVerifier(1n, 1, f.verifiers[0].address)).to.equal(true);
      expect((await f.ledger.verifierSet(1n, 1))[0]).to.deep.equal(f.verifiers.map((v) => v.address));
    });

    it("computes the digest ethers' TypedDataEncoder computes, and pins the typehash", async function () {
      const { VERIFIER_ROTATION_TYPE, VERIFIER_ROTATION_TYPEHASH } = await import("../../src/records/eip712");
      const { rotationDigest } = await import("../helpers/eip712");
      expect(await f.ledger.verifierRotationTypehash()).to.equal(keccak256(toUtf8Bytes(VERIFIER_ROTATION_TYPE)));
      expect(VERIFIER_ROTATION_TYPEHASH).to.equal(await f.ledger.verifierRotationTypehash());
      const msg = { networkId: 1n, verifierSetId: 2n, verifiers: [f.v4.address, f.outsider.address], threshold: 2 };
      expect(await f.ledger.verifierRotationDigest(1n, 2, msg.verifiers, 2)).to.equal(rotationDigest(f.domain, msg));
    });

    it("reverts below the current threshold, and on a signer outside the current set", async function () {
      const next = [f.v4.address];
      await expect(f.ledger.rotateVerifiers(1n, next, 1, await rotationSigs(next, 1, [f.verifiers[0]])))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerBelowThreshold")
        .withArgs(1n, 2n);
      await expect(f.ledger.rotateVerifiers(1n, next, 1, await rotationSigs(next, 1, [f.verifiers[0], f.v4])))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier");
    });

    it("binds the signatures to the members, threshold, set id and network (no replay)", async function () {
      const next = [f.verifiers[1].address, f.v4.address];
      const sigs = await rotationSigs(next, 2);
      for (const [members, k] of [
        [[f.verifiers[1].address, f.outsider.address], 2],
        [next, 1],
      ] as [string[], number][]) {
        await expect(f.ledger.rotateVerifiers(1n, members, k, sigs)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier");
      }
      await expect(f.ledger.rotateVerifiers(1n, next, 2, await rotationSigs(next, 2, undefined, 3n))).to.be.revertedWithCustomError(
        f.ledger,
        "WorkLedgerNotVerifier",
      );
      await f.ledger.createNetwork(networkParams(f.admin.address, f.verifiers.map((v) => v.address)));
      await expect(f.ledger.rotateVerifiers(2n, next, 2, sigs)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier");
      await f.ledger.rotateVerifiers(1n, next, 2, sigs);
      // Replaying the same signatures later targets set 3 now: rejected.
      await expect(f.ledger.rotateVerifiers(1n, next, 2, sigs)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier");
    });

    it("reverts for an unknown network", async function () {
      await expect(f.ledger.rotateVerifiers(7n, [f.v4.address], 1, []))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
        .withArgs(7n);
    });

    it("validates the new set like createNetwork", async function () {
      const cases: [string[], number, string, unknown[]][] = [
        [[f.v4.address], 2, "WorkLedgerInvalidThreshold", [2n, 1n]],
        [[f.v4.address, f.v4.address], 1, "WorkLedgerDuplicateVerifier", [f.v4.address]],
        [[ZeroAddress], 1, "WorkLedgerZeroVerifier", [0n]],
      ];
      for (const [members, k, error, args] of cases) {
        await expect(f.ledger.rotateVerifiers(1n, members, k, await rotationSigs(members, k)))
          .to.be.revertedWithCustomError(f.ledger, error)
          .withArgs(...args);
      }
    });
  });

  describe("setChallengeWindow", function () {
    it("changes the window and emits ChallengeWindowUpdated", async function () {
      await expect(f.ledger.connect(f.admin).setChallengeWindow(1n, MIN_CHALLENGE_WINDOW))
        .to.emit(f.ledger, "ChallengeWindowUpdated")
        .withArgs(1n, MIN_CHALLENGE_WINDOW);
      expect((await f.ledger.network(1n)).challengeWindow).to.equal(MIN_CHALLENGE_WINDOW);
    });

    for (const w of [0n, MIN_CHALLENGE_WINDOW - 1n, MAX_SECONDS + 1n]) {
      it(`reverts for ${w} (outside one hour .. 366 days)`, async function () {
        await expect(f.ledger.connect(f.admin).setChallengeWindow(1n, w))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidChallengeWindow")
          .withArgs(w);
      });
    }

    it("reverts when the thaw would no longer cover window + deadline + statements (rule 6)", async function () {
      // The test network's thaw is the minimum for a 1-day window plus one day: 2 days + 1 s is too long.
      const ok = CHALLENGE_WINDOW + 86_400n;
      await expect(f.ledger.connect(f.admin).setChallengeWindow(1n, ok)).to.emit(f.ledger, "ChallengeWindowUpdated");
      await expect(f.ledger.connect(f.admin).setChallengeWindow(1n, ok + 1n))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerThawTooShort")
        .withArgs(THAW_SECONDS, THAW_SECONDS + 1n);
    });

    it("reverts for a caller without the ADMIN role", async function () {
      await expect(f.ledger.connect(f.outsider).setChallengeWindow(1n, MIN_CHALLENGE_WINDOW))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnauthorized")
        .withArgs(1n, f.outsider.address, roleId(1n, ROLE.ADMIN));
    });
  });

  describe("setPaused", function () {
    it("pauses and unpauses with NetworkPauseSet", async function () {
      await expect(f.ledger.connect(f.admin).setPaused(1n, true)).to.emit(f.ledger, "NetworkPauseSet").withArgs(1n, true, f.admin.address);
      expect((await f.ledger.network(1n)).paused).to.equal(true);
      await expect(f.ledger.connect(f.admin).setPaused(1n, false)).to.emit(f.ledger, "NetworkPauseSet").withArgs(1n, false, f.admin.address);
      expect((await f.ledger.network(1n)).paused).to.equal(false);
    });

    it("reverts when pausing a paused network", async function () {
      await f.ledger.connect(f.admin).setPaused(1n, true);
      await expect(f.ledger.connect(f.admin).setPaused(1n, true))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNetworkPaused")
        .withArgs(1n);
    });

    it("reverts when unpausing an active network", async function () {
      await expect(f.ledger.connect(f.admin).setPaused(1n, false))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNetworkNotPaused")
        .withArgs(1n);
    });

    it("reverts for a caller without the ADMIN role, even one with every other role", async function () {
      for (const kind of [ROLE.REGISTRAR, ROLE.BILLER]) {
        await f.ledger.connect(f.admin).grantRole(roleId(1n, kind), f.outsider.address);
      }
      for (const who of [f.outsider, f.arbiter]) {
        await expect(f.ledger.connect(who).setPaused(1n, true))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnauthorized")
          .withArgs(1n, who.address, roleId(1n, ROLE.ADMIN));
      }
    });

    it("pauses only its own network", async function () {
      await f.ledger.createNetwork(networkParams(f.admin.address, [f.v4.address], 1));
      await f.ledger.connect(f.admin).grantRole(roleId(2n, ROLE.REGISTRAR), f.admin.address);
      await f.ledger.connect(f.admin).setPaused(1n, true);
      await expect(f.ledger.connect(f.admin).registerNode(2n, NODE, f.operator.address)).to.emit(f.ledger, "NodeRegistered");
    });
  });

  describe("roles", function () {
    it("lets the network admin grant and revoke REGISTRAR and BILLER, and no one else", async function () {
      const billerRole = roleId(1n, ROLE.BILLER);
      await expect(f.ledger.connect(f.admin).grantRole(billerRole, f.outsider.address))
        .to.emit(f.ledger, "RoleGranted")
        .withArgs(billerRole, f.outsider.address, f.admin.address);
      expect(await f.ledger.hasNetworkRole(1n, ROLE.BILLER, f.outsider.address)).to.equal(true);
      await expect(f.ledger.connect(f.outsider).grantRole(billerRole, f.operator.address))
        .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, roleId(1n, ROLE.ADMIN));
      await expect(f.ledger.connect(f.admin).revokeRole(billerRole, f.outsider.address))
        .to.emit(f.ledger, "RoleRevoked")
        .withArgs(billerRole, f.outsider.address, f.admin.address);
    });

    it("does not let the admin grant the arbiter role (it has no role admin)", async function () {
      await expect(f.ledger.connect(f.admin).grantRole(roleId(1n, ROLE.ARBITER), f.admin.address))
        .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, ethers.ZeroHash);
      expect(await f.ledger.arbiterOf(1n)).to.equal(f.arbiter.address);
    });

    it("lets the admin hand over the ADMIN role itself", async function () {
      const adminRole = roleId(1n, ROLE.ADMIN);
      await f.ledger.connect(f.admin).grantRole(adminRole, f.outsider.address);
      await f.ledger.connect(f.outsider).revokeRole(adminRole, f.admin.address);
      await expect(f.ledger.connect(f.admin).setChallengeWindow(1n, MIN_CHALLENGE_WINDOW))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnauthorized")
        .withArgs(1n, f.admin.address, adminRole);
      await expect(f.ledger.connect(f.outsider).setChallengeWindow(1n, MIN_CHALLENGE_WINDOW)).to.emit(f.ledger, "ChallengeWindowUpdated");
    });

    it("does not let one network's admin act on another network", async function () {
      await f.ledger.createNetwork(networkParams(f.outsider.address, [f.v4.address], 1));
      await expect(f.ledger.connect(f.admin).setPaused(2n, true))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnauthorized")
        .withArgs(2n, f.admin.address, roleId(2n, ROLE.ADMIN));
      await expect(f.ledger.connect(f.admin).grantRole(roleId(2n, ROLE.ADMIN), f.admin.address))
        .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, roleId(2n, ROLE.ADMIN));
    });
  });

  describe("nodes", function () {
    it("registers a node with NodeRegistered", async function () {
      await expect(f.ledger.connect(f.admin).registerNode(1n, NODE, f.operator.address))
        .to.emit(f.ledger, "NodeRegistered")
        .withArgs(1n, NODE, f.operator.address);
      expect(await f.ledger.node(1n, NODE)).to.deep.equal([f.operator.address, true]);
    });

    it("reports an unknown node as (zero, inactive)", async function () {
      expect(await f.ledger.node(1n, NODE)).to.deep.equal([ZeroAddress, false]);
    });

    it("reverts a second registration of an active node", async function () {
      await f.ledger.connect(f.admin).registerNode(1n, NODE, f.operator.address);
      await expect(f.ledger.connect(f.admin).registerNode(1n, NODE, f.outsider.address))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNodeAlreadyRegistered")
        .withArgs(1n, NODE);
    });

    it("reverts for a zero operator", async function () {
      await expect(f.ledger.connect(f.admin).registerNode(1n, NODE, ZeroAddress))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerZeroAddress")
        .withArgs("operator");
    });

    it("reverts for a caller without the REGISTRAR role", async function () {
      await expect(f.ledger.connect(f.outsider).registerNode(1n, NODE, f.operator.address))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnauthorized")
        .withArgs(1n, f.outsider.address, roleId(1n, ROLE.REGISTRAR));
    });

    it("reverts while the network is paused", async function () {
      await f.ledger.connect(f.admin).setPaused(1n, true);
      await expect(f.ledger.connect(f.admin).registerNode(1n, NODE, f.operator.address))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNetworkPaused")
        .withArgs(1n);
    });

    it("reverts for an unknown network", async function () {
      await expect(f.ledger.connect(f.admin).registerNode(3n, NODE, f.operator.address))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
        .withArgs(3n);
      await expect(f.ledger.connect(f.admin).deactivateNode(3n, NODE))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
        .withArgs(3n);
    });

    describe("deactivateNode", function () {
      beforeEach(async function () {
        await f.ledger.connect(f.admin).registerNode(1n, NODE, f.operator.address);
      });

      it("lets the operator deactivate its node, with NodeDeactivated", async function () {
        await expect(f.ledger.connect(f.operator).deactivateNode(1n, NODE))
          .to.emit(f.ledger, "NodeDeactivated")
          .withArgs(1n, NODE, f.operator.address);
        expect(await f.ledger.node(1n, NODE)).to.deep.equal([f.operator.address, false]);
      });

      it("lets the registrar deactivate a node, even while paused", async function () {
        await f.ledger.connect(f.admin).setPaused(1n, true);
        await expect(f.ledger.connect(f.admin).deactivateNode(1n, NODE)).to.emit(f.ledger, "NodeDeactivated").withArgs(1n, NODE, f.admin.address);
      });

      it("reverts for anyone else", async function () {
        await expect(f.ledger.connect(f.outsider).deactivateNode(1n, NODE))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnauthorized")
          .withArgs(1n, f.outsider.address, roleId(1n, ROLE.REGISTRAR));
      });

      it("reverts for a node already deactivated or never registered", async function () {
        await f.ledger.connect(f.operator).deactivateNode(1n, NODE);
        await expect(f.ledger.connect(f.operator).deactivateNode(1n, NODE))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNode")
          .withArgs(1n, NODE);
        const other = keccak256(toUtf8Bytes("never"));
        await expect(f.ledger.connect(f.admin).deactivateNode(1n, other))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNode")
          .withArgs(1n, other);
      });

      it("allows a deactivated node to be registered again with a new operator", async function () {
        await f.ledger.connect(f.operator).deactivateNode(1n, NODE);
        await expect(f.ledger.connect(f.admin).registerNode(1n, NODE, f.outsider.address))
          .to.emit(f.ledger, "NodeRegistered")
          .withArgs(1n, NODE, f.outsider.address);
        expect(await f.ledger.node(1n, NODE)).to.deep.equal([f.outsider.address, true]);
        await expect(f.ledger.connect(f.operator).deactivateNode(1n, NODE))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnauthorized")
          .withArgs(1n, f.operator.address, roleId(1n, ROLE.REGISTRAR));
      });
    });
  });
});
