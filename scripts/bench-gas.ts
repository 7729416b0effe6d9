/**
 * Gas benchmark (`npm run --silent bench:gas`): WorkLedger commits (with and without usage words),
 * verifyRecord, a bonded challenge, a 2-of-3 signed verifier rotation and the finality cursor, against
 * the Ethereum Attestation Service's published artifacts, on the same in-process network in one run.
 * Every figure is a transaction receipt's gasUsed (estimateGas for the verifyRecord view).
 * Prints one JSON object as the last line of stdout; progress goes to stderr.
 */
import fs from "fs";
import path from "path";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, ContractFactory, Interface, InterfaceAbi, ZeroAddress, ZeroHash, TransactionResponse } from "ethers";
import { RECORD_LEAF_ENCODING } from "../src/records/types";
import { CHALLENGE_WINDOW, EPOCH_SECONDS, LARGE_EPOCH_RECORDS } from "../test/helpers/constants";
import { signRotation } from "../test/helpers/eip712";
import {
  buildEpoch,
  buildUsage,
  deployWorkLedgerFixture,
  makeRecords,
  makeUsage,
  signAndCommit,
  toLeaf,
} from "../test/helpers/workLedgerFixture";

/** The EAS schema of one work record: the same six fields as our Merkle leaf. */
const EAS_SCHEMA = "bytes32 nodeId,uint64 epoch,uint64 workUnits,uint16 uptimeBps,uint128 revenue,bytes32 evidence";
/** Records per multiAttest call (kept well under the 2^24 per-transaction gas cap of newer forks). */
const EAS_BATCH = 50;
/** Signatures on a benchmarked commit (2-of-3). */
const SIGNERS = 2;
/** Usage leaves of the commitWithUsageGas epoch. */
const USAGE_LEAVES = 100;
/** Epochs the finality cursor passes in one advanceFinality call when measuring its per-epoch cost. */
const ADVANCE_EPOCHS = 20;

const EAS_ARTIFACTS = path.join(
  path.dirname(require.resolve("@ethereum-attestation-service/eas-contracts/package.json")),
  "artifacts",
  "contracts",
);

interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

function loadArtifact(file: string): Artifact {
  const a = JSON.parse(fs.readFileSync(path.join(EAS_ARTIFACTS, file), "utf8")) as Artifact;
  return { abi: a.abi, bytecode: a.bytecode };
}

async function gasOf(tx: Promise<TransactionResponse> | TransactionResponse): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

/** Gas of our commits and verifyRecord. */
async function workLedgerGas() {
  const f = await deployWorkLedgerFixture();
  await time.increase(BigInt(5 + ADVANCE_EPOCHS) * EPOCH_SECONDS);
  const signers = f.verifiers.slice(0, SIGNERS);

  // Epoch 0 pays the one-off zero-to-nonzero write of `nextEpoch`; epoch 1 is the steady state.
  console.error(`building two ${LARGE_EPOCH_RECORDS}-record epochs`);
  const first = buildEpoch(makeRecords(LARGE_EPOCH_RECORDS, 0n, "first"));
  const firstEpochCommitGas = await gasOf(
    signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch: 0n, version: 1n, summary: first.summary }, f.relayer),
  );
  const large = buildEpoch(makeRecords(LARGE_EPOCH_RECORDS, 1n));
  const commitEpochGas = await gasOf(
    signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch: 1n, version: 1n, summary: large.summary }, f.relayer),
  );
  const single = buildEpoch(makeRecords(1, 2n, "single"));
  const singleRecordCommitGas = await gasOf(
    signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch: 2n, version: 1n, summary: single.summary }, f.relayer),
  );

  // The same 1,000 records plus 100 usage leaves (one per customer): the usage root costs one more slot.
  const withUsage = buildEpoch(makeRecords(LARGE_EPOCH_RECORDS, 3n, "usage"));
  const usage = buildUsage(makeUsage(USAGE_LEAVES, 3n));
  const usageSummary = { ...withUsage.summary, ...usage.words };
  const commitWithUsageGas = await gasOf(
    signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch: 3n, version: 1n, summary: usageSummary }, f.relayer),
  );

  // A bonded challenge of a Pending epoch by a challenger's first challenge (its bond account is new).
  const challengeGas = await gasOf(f.ledger.connect(f.challenger).challengeEpoch(f.networkId, 2n, ZeroHash));

  // More small epochs for the finality cursor; then every committed epoch but 2 (Challenged) turns Final.
  for (let e = 4n; e < BigInt(5 + ADVANCE_EPOCHS); e++) {
    const small = buildEpoch(makeRecords(2, e, "cursor"));
    await signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch: e, version: 1n, summary: small.summary }, f.relayer);
  }
  await time.increase(CHALLENGE_WINDOW);
  await f.ledger.connect(f.arbiter).resolveChallenge(f.networkId, 2n, false);
  await time.increase(CHALLENGE_WINDOW);
  // Per epoch: the marginal cost of passing ADVANCE_EPOCHS epochs over passing one.
  const advanceOne = await gasOf(f.ledger.advanceFinality(f.networkId, 1n));
  const advanceMany = await gasOf(f.ledger.advanceFinality(f.networkId, BigInt(ADVANCE_EPOCHS)));
  if ((await f.ledger.finalizedCount(f.networkId)) !== BigInt(1 + ADVANCE_EPOCHS)) throw new Error("advanceFinality stopped early");
  const advanceFinalityGas = Number(advanceMany - advanceOne) / (ADVANCE_EPOCHS - 1);

  // A 2-of-3 signed rotation to a new 3-member set.
  const next = [f.verifiers[1].address, f.verifiers[2].address, f.v4.address];
  const rotationSigs = await signRotation(signers, f.domain, { networkId: f.networkId, verifierSetId: 2n, verifiers: next, threshold: 2 });
  const rotateVerifiersGas = await gasOf(f.ledger.connect(f.relayer).rotateVerifiers(f.networkId, next, 2, rotationSigs));

  const idx = Math.floor(LARGE_EPOCH_RECORDS / 2);
  const record = large.records[idx];
  const proof = large.tree.getProof(toLeaf(record));
  if (!(await f.ledger.verifyRecord(f.networkId, 1n, record, proof))) throw new Error("verifyRecord rejected a valid proof");
  const verifyRecordGas = await f.ledger.verifyRecord.estimateGas(f.networkId, 1n, record, proof);
  return {
    commitEpochGas,
    firstEpochCommitGas,
    singleRecordCommitGas,
    verifyRecordGas,
    proofLength: proof.length,
    commitWithUsageGas,
    challengeGas,
    rotateVerifiersGas,
    advanceFinalityGas,
    advanceFinalityOneEpochGas: advanceOne,
  };
}

/** Gas of EAS attest (one record) and multiAttest (per record of a batch) with the same six fields. */
async function easGas() {
  const [deployer] = await ethers.getSigners();
  const registryArt = loadArtifact("SchemaRegistry.sol/SchemaRegistry.json");
  const easArt = loadArtifact("EAS.sol/EAS.json");
  console.error("deploying EAS from its published artifacts");
  const registry = await new ContractFactory(registryArt.abi, registryArt.bytecode, deployer).deploy();
  await registry.waitForDeployment();
  const eas = await new ContractFactory(easArt.abi, easArt.bytecode, deployer).deploy(await registry.getAddress());
  await eas.waitForDeployment();

  const registryIface = new Interface(registryArt.abi);
  const regTx: TransactionResponse = await registry.getFunction("register")(EAS_SCHEMA, ZeroAddress, false);
  const regReceipt = await regTx.wait();
  const registered = regReceipt?.logs.map((l) => registryIface.parseLog(l)).find((p) => p?.name === "Registered");
  if (!registered) throw new Error("EAS schema registration emitted no Registered event");
  const schema: string = registered.args.uid;

  const coder = AbiCoder.defaultAbiCoder();
  const requestData = (r: ReturnType<typeof makeRecords>[number]) => ({
    recipient: ZeroAddress,
    expirationTime: 0n,
    revocable: false,
    refUID: ZeroHash,
    data: coder.encode([...RECORD_LEAF_ENCODING], toLeaf(r)),
    value: 0n,
  });
  const records = makeRecords(EAS_BATCH + 1, 0n, "eas");
  const easAttestGas = await gasOf(eas.getFunction("attest")({ schema, data: requestData(records[0]) }));
  console.error(`EAS multiAttest of ${EAS_BATCH} records`);
  const batchGas = await gasOf(eas.getFunction("multiAttest")([{ schema, data: records.slice(1).map(requestData) }]));
  return { easAttestGas, easMultiAttestGasPerRecord: Number(batchGas) / EAS_BATCH };
}

/** The money keys from scripts/bench-gas-money.ts, when that module exists. */
async function moneyGasIfPresent(): Promise<Record<string, number>> {
  const file = ["bench-gas-money.ts", "bench-gas-money.js"].find((f) => fs.existsSync(path.join(__dirname, f)));
  if (!file) {
    console.error("scripts/bench-gas-money.ts not found: money keys skipped");
    return {};
  }
  const modulePath = "./bench-gas-money";
  const mod = (await import(modulePath)) as { moneyGas: () => Promise<Record<string, number>> };
  return mod.moneyGas();
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

async function main() {
  const ours = await workLedgerGas();
  const eas = await easGas();
  const gasPerRecordAt1000 = Number(ours.commitEpochGas) / LARGE_EPOCH_RECORDS;
  const result: Record<string, number> = {
    commitEpochGas: Number(ours.commitEpochGas),
    gasPerRecordAt1000: round2(gasPerRecordAt1000),
    singleRecordCommitGas: Number(ours.singleRecordCommitGas),
    verifyRecordGas: Number(ours.verifyRecordGas),
    easAttestGas: Number(eas.easAttestGas),
    easMultiAttestGasPerRecord: round2(eas.easMultiAttestGasPerRecord),
    easToOursPerRecordRatio: round2(eas.easMultiAttestGasPerRecord / gasPerRecordAt1000),
    // Extra keys: the first epoch of a network (one-off nextEpoch 0 -> 1 write), the proof size, EAS batch size.
    firstEpochCommitGas: Number(ours.firstEpochCommitGas),
    commitWithUsageGas: Number(ours.commitWithUsageGas),
    challengeGas: Number(ours.challengeGas),
    rotateVerifiersGas: Number(ours.rotateVerifiersGas),
    advanceFinalityGas: round2(ours.advanceFinalityGas),
    // Extra: one advanceFinality call that passes a single epoch (the call's fixed cost included).
    advanceFinalityOneEpochGas: Number(ours.advanceFinalityOneEpochGas),
    verifyRecordProofLength: ours.proofLength,
    easMultiAttestBatch: EAS_BATCH,
  };
  try {
    Object.assign(result, await moneyGasIfPresent());
  } catch (err) {
    console.error("money benchmark failed:", err);
    process.exitCode = 1;
  }
  console.log(JSON.stringify(result));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
