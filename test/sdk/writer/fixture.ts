/**
 * Shared helpers of the writer/verifier SDK tests: seeded random records, and a WorkLedger
 * deployment on the in-process Hardhat network with one network whose epoch 0 has ended.
 */
import { BaseContract, Signer, ZeroAddress, getAddress } from "ethers";
import { ethers, network } from "hardhat";

import { WorkLedger__factory } from "../../../src/contracts";
import { WorkRecord } from "../../../src/records/types";
import { seededRandom } from "../../helpers/random";

function randHex(rnd: () => number, bytes: number): string {
  let s = "0x";
  for (let i = 0; i < bytes; i++) s += Math.floor(rnd() * 256).toString(16).padStart(2, "0");
  return s;
}

function randBig(rnd: () => number, bits: number): bigint {
  return BigInt(randHex(rnd, bits / 8));
}

/** `n` distinct random records of one epoch, reproducible from `seed`. */
export function seededRecords(n: number, seed: number, epoch = 0n): WorkRecord[] {
  const rnd = seededRandom(seed);
  const out: WorkRecord[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rnd();
    out.push({
      nodeId: randHex(rnd, 32),
      epoch,
      workUnits: kind < 0.1 ? 0n : kind < 0.15 ? (1n << 64n) - 1n : randBig(rnd, 32),
      uptimeBps: kind < 0.2 ? 10_000 : Math.floor(rnd() * 10_001),
      revenue: kind < 0.1 ? 0n : randBig(rnd, 64) * 1_000_000n,
      evidence: randHex(rnd, 32),
    });
  }
  return out;
}

/** Records as a CSV file text. */
export function toCsv(records: WorkRecord[]): string {
  return (
    "nodeId,epoch,workUnits,uptimeBps,revenue,evidence\n" +
    records.map((r) => [r.nodeId, r.epoch, r.workUnits, r.uptimeBps, r.revenue, r.evidence].join(",")).join("\n") +
    "\n"
  );
}

export const EPOCH_SECONDS = 3600n;

export interface LedgerFixture {
  admin: Signer;
  verifiers: Signer[];
  outsider: Signer;
  arbiter: Signer;
  workLedger: string;
  chainId: bigint;
  networkId: bigint;
  contract: BaseContract;
}

export const CHALLENGE_WINDOW = 86_400n;
export const ARBITER_DEADLINE = 86_400n;
export const MAX_STATEMENT_EPOCHS = 720n;

/** Deploys WorkLedger on the in-process network, creates network 1 (2-of-3, arbiter = signer 5) and ends epoch 0. */
export async function deployLedger(): Promise<LedgerFixture> {
  const [admin, v1, v2, v3, outsider, arbiter] = await ethers.getSigners();
  const wl = await new WorkLedger__factory(admin).deploy();
  await wl.waitForDeployment();
  const verifiers = [v1, v2, v3];
  const tx = await wl.createNetwork({
    admin: await admin.getAddress(),
    token: getAddress("0x" + "77".repeat(20)),
    genesisTime: 0,
    epochSeconds: EPOCH_SECONDS,
    challengeWindow: CHALLENGE_WINDOW,
    capacityPerNode: 3600,
    threshold: 2,
    name: "test",
    workUnit: "GPU-seconds",
    verifiers: await Promise.all(verifiers.map((v) => v.getAddress())),
    arbiter: await arbiter.getAddress(),
    bond: 1_000_000n,
    thawSeconds: CHALLENGE_WINDOW + ARBITER_DEADLINE + MAX_STATEMENT_EPOCHS * EPOCH_SECONDS,
    arbiterDeadline: ARBITER_DEADLINE,
    maxStatementEpochs: MAX_STATEMENT_EPOCHS,
  });
  await tx.wait();
  await network.provider.send("evm_increaseTime", [Number(EPOCH_SECONDS) + 1]);
  await network.provider.send("evm_mine", []);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { admin, verifiers, outsider, arbiter, workLedger: await wl.getAddress(), chainId, networkId: 1n, contract: wl };
}

export { ZeroAddress };
