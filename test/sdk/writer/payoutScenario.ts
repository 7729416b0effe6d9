/**
 * A network with money for the payout tests (#16), built through the SDK on any chain (the in-process
 * Hardhat network or a `hardhat node`): 5 epochs of records and usage (epoch 2 corrected as v2), a
 * rejected challenge on epoch 1 (its bond forfeited to revenue), a 2.5 % protocol fee, two customers'
 * statements charged straight on the contract (k-of-n signed, as the contract demands), all Final.
 *
 * Figures (token's smallest unit), the model the tests check by hand:
 *   records  e0: N1 300, N2 600, N4 100 (N4 never registered)   totalRevenue 1000
 *            e1: N1 500, N2 500                                  1000
 *            e2: v1 N1 1000, N3 1000 -> corrected v2 N1 700, N3 1300   2000
 *            e3: N1 100, N2 200, N3 700                          1000
 *            e4: N2 1000                                         1000
 *   usage    e0: A 390, B 610   e1: A 330, B 670   e2: A 1290, B 710   e3: A 500, B 500   e4: B 1000
 *   bond forfeited on e1: 1,000,000
 */
import fs from "fs";
import path from "path";
import { Signer, getAddress, keccak256, toUtf8Bytes } from "ethers";

import {
  Deployment,
  advanceFinality,
  challengeEpoch,
  createNetwork,
  deployContracts,
  grantRole,
  mintTestToken,
  publishEpoch,
  readBundle,
  registerNode,
  usageLeafHash,
  usageRefsHash,
  verifyAndSignEpoch,
  resolveChallenge,
  bundleFileName,
} from "../../../src";
import { IERC20Metadata__factory, RevenueLedger__factory, WorkLedger__factory } from "../../../src/contracts";
import { BILLING_STATEMENT_TYPES, revenueLedgerDomain } from "../../../src/records/eip712";

export const EPOCH = 3600n;
export const WINDOW = 3600n;
export const BOND = 1_000_000n;
export const FEE_BPS = 250n;

export const NODE = {
  N1: keccak256(toUtf8Bytes("payout-node-1")),
  N2: keccak256(toUtf8Bytes("payout-node-2")),
  N3: keccak256(toUtf8Bytes("payout-node-3")),
  N4: keccak256(toUtf8Bytes("payout-node-4")),
};

export interface PayoutActors {
  admin: Signer;
  v1: Signer;
  v2: Signer;
  v3: Signer;
  arbiter: Signer;
  customerA: Signer;
  customerB: Signer;
  challenger: Signer;
  op1: Signer;
  op2: Signer;
  op3: Signer;
}

export type ChainSend = (method: string, params: unknown[]) => Promise<unknown>;

export interface PayoutWorld {
  actors: PayoutActors;
  deployment: Deployment;
  networkId: bigint;
  bundleDir: string;
  /** Charge a k-of-n signed statement of `customer` over from..to (amount and usageHash from the bundles). */
  charge(customer: Signer, from: bigint, to: bigint): Promise<{ chargeId: string; amount: bigint }>;
}

const RECORDS: Record<number, Array<[string, bigint]>> = {
  0: [[NODE.N1, 300n], [NODE.N2, 600n], [NODE.N4, 100n]],
  1: [[NODE.N1, 500n], [NODE.N2, 500n]],
  2: [[NODE.N1, 1000n], [NODE.N3, 1000n]],
  3: [[NODE.N1, 100n], [NODE.N2, 200n], [NODE.N3, 700n]],
  4: [[NODE.N2, 1000n]],
};
const CORRECTED_2: Array<[string, bigint]> = [[NODE.N1, 700n], [NODE.N3, 1300n]];
const USAGE: Record<number, Array<["A" | "B", bigint]>> = {
  0: [["A", 390n], ["B", 610n]],
  1: [["A", 330n], ["B", 670n]],
  2: [["A", 1290n], ["B", 710n]],
  3: [["A", 500n], ["B", 500n]],
  4: [["B", 1000n]],
};

function recordsCsv(epoch: number, rows: Array<[string, bigint]>): string {
  return "nodeId,epoch,workUnits,uptimeBps,revenue,evidence\n" + rows.map(([n, r], i) => `${n},${epoch},${100 + i},10000,${r},0x${"0".repeat(63)}${i + 1}`).join("\n") + "\n";
}

async function latestTimestamp(send: ChainSend): Promise<bigint> {
  const block = (await send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
  return BigInt(block.timestamp);
}

async function increaseTime(send: ChainSend, seconds: bigint): Promise<void> {
  await send("evm_increaseTime", [Number(seconds)]);
  await send("evm_mine", []);
}

/** Builds the world described above in `dir` (bundles under dir/bundles). */
export async function buildPayoutWorld(send: ChainSend, a: PayoutActors, dir: string): Promise<PayoutWorld> {
  const addr = (s: Signer) => s.getAddress();
  const { deployment } = await deployContracts(a.admin);
  const rl = RevenueLedger__factory.connect(deployment.revenueLedger, a.admin);
  await (await rl.setProtocolFee(Number(FEE_BPS))).wait();
  const genesis = (await latestTimestamp(send)) + 600n;
  await createNetwork(a.admin, deployment, {
    admin: await addr(a.admin),
    token: deployment.token,
    genesisTime: genesis,
    epochSeconds: EPOCH,
    challengeWindow: WINDOW,
    capacityPerNode: 0n,
    threshold: 2,
    name: "Payout net",
    workUnit: "GPU-seconds",
    verifiers: await Promise.all([a.v1, a.v2, a.v3].map(addr)),
    arbiter: await addr(a.arbiter),
    bond: BOND,
  });
  const networkId = 1n;
  for (const role of ["registrar", "biller"] as const) await grantRole(a.admin, deployment, { networkId, role, account: await addr(a.admin) });
  await registerNode(a.admin, deployment, { networkId, nodeId: NODE.N1, operator: await addr(a.op1) });
  await registerNode(a.admin, deployment, { networkId, nodeId: NODE.N2, operator: await addr(a.op2) });
  await registerNode(a.admin, deployment, { networkId, nodeId: NODE.N3, operator: await addr(a.op3) });
  const token = IERC20Metadata__factory.connect(deployment.token, a.admin);
  for (const c of [a.customerA, a.customerB, a.challenger]) await mintTestToken(a.admin, deployment.token, { to: await addr(c), amount: 10_000_000n });
  const expiry = genesis + 30n * 86_400n;
  for (const c of [a.customerA, a.customerB]) {
    await (await token.connect(c).approve(deployment.revenueLedger, 100_000n)).wait();
    await (await rl.connect(c).deposit(networkId, 100_000n)).wait();
    await (await rl.connect(c).authorizeBilling(networkId, 10_000n, expiry)).wait(); // before genesis: billing starts at epoch 0
  }
  await increaseTime(send, genesis + 5n * EPOCH + 10n - (await latestTimestamp(send)));

  const bundleDir = path.join(dir, "bundles");
  fs.mkdirSync(bundleDir, { recursive: true });
  const customers = { A: getAddress(await addr(a.customerA)), B: getAddress(await addr(a.customerB)) };
  const publish = async (epoch: number, rows: Array<[string, bigint]>, version: number) => {
    const recordsFile = path.join(dir, `epoch-${epoch}-v${version}.csv`);
    fs.writeFileSync(recordsFile, recordsCsv(epoch, rows));
    const usage = USAGE[epoch].map(([c, amount], i) => ({ customer: customers[c], epoch: BigInt(epoch), workUnits: BigInt(10 + i), amount, ref: `usage:${c}:epoch-${epoch}` }));
    const ctx = { networkId, epoch: BigInt(epoch), version, chainId: BigInt(deployment.chainId), workLedger: deployment.workLedger };
    const signatures = [await verifyAndSignEpoch(recordsFile, ctx, a.v1, { usage }), await verifyAndSignEpoch(recordsFile, ctx, a.v2, { usage })];
    await publishEpoch(a.admin, deployment, { networkId, epoch, recordsFile, usage, signatures, bundleDir, nodeCheck: "skip", ...(version > 1 ? { correction: { reason: "meter fix" } } : {}) });
  };
  for (let e = 0; e < 5; e++) await publish(e, RECORDS[e], 1);
  await publish(2, CORRECTED_2, 2);
  await challengeEpoch(a.challenger, deployment, { networkId, epoch: 1n, reasonHash: keccak256(toUtf8Bytes("looks wrong")) });
  await resolveChallenge(a.arbiter, deployment, { networkId, epoch: 1n, upheld: false });
  await increaseTime(send, 2n * WINDOW + 10n);
  await advanceFinality(a.admin, deployment, networkId, 100n);

  const wl = WorkLedger__factory.connect(deployment.workLedger, a.admin);
  const domain = revenueLedgerDomain(BigInt(deployment.chainId), deployment.revenueLedger);
  const charge = async (customer: Signer, from: bigint, to: bigint) => {
    const who = getAddress(await customer.getAddress());
    const refs = [];
    let amount = 0n;
    for (let e = from; e <= to; e++) {
      const v = await wl.latestEpoch(networkId, e);
      const bundle = await readBundle(path.join(bundleDir, bundleFileName(networkId, e, Number(v.version))));
      const leaf = bundle.usage?.leaves.find((l) => l.customer === who);
      if (!leaf) continue;
      amount += leaf.amount;
      refs.push({ epoch: e, version: Number(v.version), usageRoot: v.usageRoot, leafHash: usageLeafHash(leaf) });
    }
    const stmt = { networkId, customer: who, fromEpoch: from, toEpoch: to, amount, usageHash: usageRefsHash(refs) };
    const signed = await Promise.all([a.v1, a.v2].map(async (v) => ({ by: BigInt(await v.getAddress()), sig: await v.signTypedData(domain, BILLING_STATEMENT_TYPES, stmt) })));
    signed.sort((x, y) => (x.by < y.by ? -1 : 1));
    await (await rl.connect(a.admin).charge(stmt, `statement ${from}-${to}`, signed.map((s) => s.sig))).wait();
    return { chargeId: await rl.chargeIdOf(networkId, who, from), amount };
  };
  await charge(a.customerA, 0n, 2n);
  await charge(a.customerB, 0n, 4n);
  return { actors: a, deployment, networkId, bundleDir, charge };
}
