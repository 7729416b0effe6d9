/**
 * Named fixtures (for loadFixture) and helpers of the RevenueLedger tests, the invariant tests and
 * scripts/bench-gas-money.ts: account ids, charge ids, verifier-signed billing statements and payout
 * roots, signed billing authorizations, cumulative payout trees, permits, and epoch commits on the real
 * WorkLedger with EIP-712 verifier signatures. Works under `hardhat test` and `hardhat run`.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { AbiCoder, Signature, Signer, TypedDataDomain, ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import {
  MockStablecoin,
  MockStablecoin__factory,
  MockWorkLedgerForRevenue,
  MockWorkLedgerForRevenue__factory,
  RevenueLedger,
  RevenueLedger__factory,
  WorkLedger,
  WorkLedger__factory,
} from "../../typechain-types";
import {
  BILLING_AUTHORIZATION_TYPES,
  BILLING_STATEMENT_TYPES,
  CUMULATIVE_PAYOUT_LEAF_ENCODING,
  EPOCH_COMMIT_TYPES,
  PAYOUT_ROOT_TYPES,
  revenueLedgerDomain,
  workLedgerDomain,
} from "../../src/records/eip712";
import { NO_EPOCH } from "../../src/records/types";
import { sortByAddress, type EpochSummary } from "./eip712";

export { NO_EPOCH };

/** IRevenueLedger.AccountKind, in declaration order. */
export const Kind = { None: 0, Escrow: 1, Held: 2, Revenue: 3, Payable: 4, Fee: 5, Assets: 6, Bond: 7 } as const;
/** IWorkLedger.EpochStatus, in declaration order. */
export const Status = { None: 0, Pending: 1, Challenged: 2, Final: 3, Voided: 4 } as const;

/** Per-network role kinds (contracts/libraries/NetworkRoles.sol). */
export const BILLER = keccak256(toUtf8Bytes("BILLER"));
export const ADMIN = keccak256(toUtf8Bytes("ADMIN"));
export const REGISTRAR = keccak256(toUtf8Bytes("REGISTRAR"));
export const ARBITER = keccak256(toUtf8Bytes("ARBITER"));
/** Role id RevenueLedger reports for protocol-admin functions. */
export const PROTOCOL_ADMIN_ROLE = keccak256(toUtf8Bytes("PROTOCOL_ADMIN"));
/** Basis-point denominator. */
export const BPS = 10_000n;
/** RevenueLedger.MAX_FEE_BPS. */
export const MAX_FEE_BPS = 1_000n;
/** One unit of a 6-decimals stablecoin. */
export const USD = 1_000_000n;
/** Epoch length and challenge window (the smallest allowed) of the fixture networks on the real WorkLedger (seconds). */
export const EPOCH_SECONDS = 60n;
export const CHALLENGE_WINDOW = 3_600n;
/** First challenge bond and arbiter deadline of the fixture networks. */
export const BOND = 10n * 1_000_000n;
export const ARBITER_DEADLINE = 86_400n;

/** The account id of (kind, networkId, holder): kind << 248 | networkId << 160 | holder. */
export function accountId(kind: number, networkId: bigint, holder: string = ZeroAddress): string {
  const v = (BigInt(kind) << 248n) | (networkId << 160n) | BigInt(holder);
  return "0x" + v.toString(16).padStart(64, "0");
}

/** chargeId = bytes32(networkId << 224 | fromEpoch << 160 | customer). */
export function chargeIdOf(networkId: bigint, customer: string, fromEpoch: bigint): string {
  return "0x" + ((networkId << 224n) | (fromEpoch << 160n) | BigInt(customer)).toString(16).padStart(64, "0");
}

/** A cumulative payout leaf (nodeId, operator, cumulativeAmount). */
export type PayoutLeaf = [string, string, bigint];

/** The StandardMerkleTree of cumulative payout leaves. */
export function payoutTree(leaves: PayoutLeaf[]): StandardMerkleTree<PayoutLeaf> {
  return StandardMerkleTree.of(leaves, [...CUMULATIVE_PAYOUT_LEAF_ENCODING]);
}

/** The proof of node `nodeId`'s leaf in `tree`. */
export function proofOf(tree: StandardMerkleTree<PayoutLeaf>, nodeId: string): string[] {
  for (const [i, leaf] of tree.entries()) if (leaf[0] === nodeId) return tree.getProof(i);
  throw new Error(`no payout leaf for node ${nodeId}`);
}

/** IRevenueLedger.BillingStatement. */
export interface Statement {
  networkId: bigint;
  customer: string;
  fromEpoch: bigint;
  toEpoch: bigint;
  amount: bigint;
  usageHash: string;
}

/** IRevenueLedger.PayoutRoot. */
export interface RootMessage {
  networkId: bigint;
  root: string;
  throughEpoch: bigint;
  total: bigint;
  dataHash: string;
}

/** The EIP-712 domain of a RevenueLedger deployment. */
export async function ledgerDomain(ledger: RevenueLedger): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return revenueLedgerDomain(chainId, await ledger.getAddress());
}

/** Signatures of `signers` over a statement, in ascending signer order (as charge requires). */
export async function signStatement(ledger: RevenueLedger, signers: Signer[], s: Statement, domain?: TypedDataDomain): Promise<string[]> {
  const d = domain ?? (await ledgerDomain(ledger));
  const sorted = await sortByAddress(signers);
  return Promise.all(sorted.map((v) => v.signTypedData(d, BILLING_STATEMENT_TYPES, { ...s })));
}

/** Signatures of `signers` over a payout root, in ascending signer order. */
export async function signRoot(ledger: RevenueLedger, signers: Signer[], r: RootMessage, domain?: TypedDataDomain): Promise<string[]> {
  const d = domain ?? (await ledgerDomain(ledger));
  const sorted = await sortByAddress(signers);
  return Promise.all(sorted.map((v) => v.signTypedData(d, PAYOUT_ROOT_TYPES, { ...r })));
}

/** A customer's signed BillingAuthorization (its current nonce unless given). */
export async function signAuthorization(
  ledger: RevenueLedger,
  customer: Signer,
  networkId: bigint,
  capPerEpoch: bigint,
  expiry: bigint,
  deadline: bigint,
  nonce?: bigint,
): Promise<string> {
  const addr = await customer.getAddress();
  const n = nonce ?? (await ledger.billing(networkId, addr)).nonce;
  return customer.signTypedData(await ledgerDomain(ledger), BILLING_AUTHORIZATION_TYPES, {
    networkId,
    customer: addr,
    capPerEpoch,
    expiry,
    nonce: n,
    deadline,
  });
}

/** A usage hash standing for the UsageRef[] of a statement (the contract only carries it). */
export function usageHashOf(label: string): string {
  return keccak256(toUtf8Bytes(`usage-${label}`));
}

/** A far expiry (year 2100). */
export const FAR_EXPIRY = 4_102_444_800n;

/** A node id from a label: keccak256(utf8(label)). */
export function nodeIdOf(label: string): string {
  return keccak256(toUtf8Bytes(label));
}

/** An EIP-2612 permit signature of `owner` for `spender` on a MockStablecoin. */
export async function signPermit(
  token: MockStablecoin,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  const ownerAddr = await owner.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: await token.name(), version: "1", chainId, verifyingContract: await token.getAddress() };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const nonce = await token.nonces(ownerAddr);
  return Signature.from(await owner.signTypedData(domain, types, { owner: ownerAddr, spender, value, nonce, deadline }));
}

/*//////////////////////////////////////////////////////////////
                  UNIT FIXTURE (mock WorkLedger)
//////////////////////////////////////////////////////////////*/

/** Actors, contracts and two networks (both in the MockStablecoin) over the mock WorkLedger. */
export interface UnitFixture {
  ledger: RevenueLedger;
  wl: MockWorkLedgerForRevenue;
  token: MockStablecoin;
  admin: HardhatEthersSigner; // protocol admin
  biller: HardhatEthersSigner; // BILLER of both networks
  alice: HardhatEthersSigner; // customer
  bob: HardhatEthersSigner; // customer
  op1: HardhatEthersSigner; // node operator
  op2: HardhatEthersSigner; // node operator
  outsider: HardhatEthersSigner;
  verifiers: HardhatEthersSigner[]; // set 1 of both networks, threshold 2
  net1: bigint;
  net2: bigint;
}

/**
 * Mock WorkLedger with networks 1 and 2 in one MockStablecoin (60-second epochs from genesis 0, verifier
 * set 1 = 3 verifiers with k = 2, 720-epoch statements, 1-day thaw, nothing final yet); alice and bob hold
 * 1,000 USD each, approved.
 */
export async function revenueUnitFixture(): Promise<UnitFixture> {
  const [admin, biller, alice, bob, op1, op2, outsider, v1, v2, v3] = await ethers.getSigners();
  const verifiers = [v1, v2, v3];
  const token = await new MockStablecoin__factory(admin).deploy();
  const wl = await new MockWorkLedgerForRevenue__factory(admin).deploy();
  const ledger = await new RevenueLedger__factory(admin).deploy(await wl.getAddress(), admin.address);
  const tokenAddr = await token.getAddress();
  for (let i = 0; i < 2; i++) await wl.addNetwork(tokenAddr, verifiers.map((v) => v.address), 2);
  for (const net of [1n, 2n]) await wl.setRole(net, BILLER, biller.address, true);
  const ledgerAddr = await ledger.getAddress();
  for (const c of [alice, bob]) {
    await token.mint(c.address, 1_000n * USD);
    await token.connect(c).approve(ledgerAddr, ethers.MaxUint256);
  }
  return { ledger, wl, token, admin, biller, alice, bob, op1, op2, outsider, verifiers, net1: 1n, net2: 2n };
}

/*//////////////////////////////////////////////////////////////
               INTEGRATION FIXTURE (real WorkLedger)
//////////////////////////////////////////////////////////////*/

/** The real WorkLedger with two networks sharing one MockStablecoin, and a RevenueLedger on it. */
export interface LedgerFixture {
  ledger: RevenueLedger;
  wl: WorkLedger;
  token: MockStablecoin;
  admin: HardhatEthersSigner; // protocol admin
  netAdmin: HardhatEthersSigner; // ADMIN of both networks; has granted itself BILLER and REGISTRAR
  arbiter: HardhatEthersSigner; // arbiter of both networks
  verifiers: HardhatEthersSigner[]; // 3 verifiers, threshold 2
  customers: HardhatEthersSigner[]; // 3 customers, 1,000,000 USD each (approved unless said otherwise)
  operators: HardhatEthersSigner[]; // 3 node operators
  networks: bigint[]; // [1n, 2n]
}

/** Deploys WorkLedger + RevenueLedger (wired), creates networks 1 and 2 (60 s epochs, 1-hour challenge window, 2-of-3). */
export async function revenueLedgerFixture(): Promise<LedgerFixture> {
  return deployLedgers(EPOCH_SECONDS, CHALLENGE_WINDOW, 3);
}

/** Challenge window of the invariant networks: no epoch turns Final except by an explicit jump of time. */
export const INVARIANT_WINDOW = 100_000n;

/**
 * The invariant tests' deployment: 1-second epochs (commits never wait), a 100,000-second challenge
 * window (epochs turn Final only when the test jumps time), and customers 0 and 1 approved while
 * customer 2 deposits with permits only.
 */
export async function invariantLedgerFixture(): Promise<LedgerFixture> {
  return deployLedgers(1n, INVARIANT_WINDOW, 2);
}

async function deployLedgers(epochSeconds: bigint, challengeWindow: bigint, approved: number): Promise<LedgerFixture> {
  const signers = await ethers.getSigners();
  const [admin, netAdmin] = signers;
  const verifiers = signers.slice(2, 5);
  const customers = signers.slice(5, 8);
  const operators = signers.slice(8, 11);
  const arbiter = signers[11];
  const wl = await new WorkLedger__factory(admin).deploy();
  const ledger = await new RevenueLedger__factory(admin).deploy(await wl.getAddress(), admin.address);
  await wl.setRevenueLedger(await ledger.getAddress());
  const token = await new MockStablecoin__factory(admin).deploy();
  const tokenAddr = await token.getAddress();
  for (const name of ["GPU Net", "Map Net"]) {
    await wl.createNetwork({
      admin: netAdmin.address,
      token: tokenAddr,
      genesisTime: 0n,
      epochSeconds,
      challengeWindow,
      capacityPerNode: 3_600n,
      threshold: 2,
      name,
      workUnit: "GPU-seconds",
      verifiers: verifiers.map((v) => v.address),
      arbiter: arbiter.address,
      bond: BOND,
      thawSeconds: challengeWindow + ARBITER_DEADLINE + 720n * epochSeconds,
      arbiterDeadline: ARBITER_DEADLINE,
      maxStatementEpochs: 720,
    });
  }
  for (const net of [1n, 2n]) {
    for (const kind of [BILLER, REGISTRAR]) await wl.connect(netAdmin).grantRole(await wl.networkRole(net, kind), netAdmin.address);
  }
  const ledgerAddr = await ledger.getAddress();
  for (const [i, c] of customers.entries()) {
    await token.mint(c.address, 1_000_000n * USD);
    if (i < approved) await token.connect(c).approve(ledgerAddr, ethers.MaxUint256);
  }
  return { ledger, wl, token, admin, netAdmin, arbiter, verifiers, customers, operators, networks: [1n, 2n] };
}

/** A signed commit of a network's next epoch, ready for `commitEpoch`. */
export interface PreparedCommit {
  epoch: bigint;
  summary: EpochSummary;
  signatures: string[];
}

/**
 * Signs the next epoch of `networkId` with 2 of the `verifiers` over EIP-712 (signatures in ascending
 * signer order, as the WorkLedger requires), first advancing time to the epoch's end if needed.
 */
export async function prepareNextEpoch(wl: WorkLedger, networkId: bigint, verifiers: Signer[]): Promise<PreparedCommit> {
  const net = await wl.network(networkId);
  const epoch = net.nextEpoch;
  const endsAt = net.genesisTime + (epoch + 1n) * net.epochSeconds;
  if (BigInt(await time.latest()) < endsAt) await time.increaseTo(endsAt);
  const summary = {
    root: keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint64"], [networkId, epoch])),
    recordCount: 1n,
    activeNodes: 1n,
    totalWorkUnits: 100n,
    totalRevenue: 1_000n * USD,
    dataHash: keccak256(toUtf8Bytes(`data-${networkId}-${epoch}`)),
    usageRoot: ZeroHash,
    usageCount: 0n,
    totalUsage: 0n,
  };
  const { chainId } = await ethers.provider.getNetwork();
  const domain = workLedgerDomain(chainId, await wl.getAddress());
  const value = { networkId, epoch, version: 1n, ...summary };
  const withAddr = await Promise.all(verifiers.slice(0, 2).map(async (s) => ({ s, a: BigInt(await s.getAddress()) })));
  withAddr.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
  const signatures = await Promise.all(withAddr.map(({ s }) => s.signTypedData(domain, EPOCH_COMMIT_TYPES, value)));
  return { epoch, summary, signatures };
}

/**
 * Commits the next epoch of `networkId` on the real WorkLedger with a 2-of-3 signature set.
 * Returns the committed epoch number; it is Pending until the challenge window passes.
 */
export async function commitNextEpoch(wl: WorkLedger, networkId: bigint, verifiers: Signer[]): Promise<bigint> {
  const { epoch, summary, signatures } = await prepareNextEpoch(wl, networkId, verifiers);
  await (await wl.commitEpoch(networkId, epoch, summary, signatures)).wait();
  return epoch;
}

/** Advances time past the challenge window, so every Pending epoch committed so far becomes Final. */
export async function finalizeAll(window: bigint = CHALLENGE_WINDOW): Promise<void> {
  await time.increase(window + 1n);
}
