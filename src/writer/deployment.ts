/**
 * The deployment (`deployment.json`, **fixed** name and fields): which contracts on which chain,
 * and the deploy job that makes one.
 */
import fs from "fs";
import path from "path";
import { ContractFactory, Provider, Signer, getAddress, getCreateAddress, isAddress } from "ethers";

import { MockStablecoin__factory, RevenueLedger__factory, WorkLedger__factory } from "../contracts";
import { ChainMismatchError, InvalidInputError, WorkLedgerError } from "../errors";
import { decodeRevert } from "../chain/revert";
import { SendOptions } from "./tx";

/** `{ chainId, workLedger, revenueLedger, token, fromBlock }`. */
export interface Deployment {
  chainId: number;
  workLedger: string;
  revenueLedger: string;
  token: string;
  fromBlock: number;
}

/** Parses and validates a deployment file; one-line errors naming the file and field. */
export function readDeploymentFile(file: string): Deployment {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new InvalidInputError(`deployment file not found: ${file} (run \`workledger deploy --out ${file}\` or pass --deployment FILE)`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidInputError(`deployment file ${file} is not JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== "object") throw new InvalidInputError(`deployment file ${file} is not a JSON object`);
  const addr = (k: string): string => {
    const v = raw[k];
    if (typeof v !== "string" || !isAddress(v)) throw new InvalidInputError(`deployment file ${file}: field "${k}" must be an address`);
    return getAddress(v);
  };
  const int = (k: string): number => {
    const v = raw[k];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new InvalidInputError(`deployment file ${file}: field "${k}" must be a non-negative integer`);
    return v;
  };
  return { chainId: int("chainId"), workLedger: addr("workLedger"), revenueLedger: addr("revenueLedger"), token: addr("token"), fromBlock: int("fromBlock") };
}

/** Writes a deployment file (creating its directory), fields in their fixed order. */
export function writeDeploymentFile(file: string, d: Deployment): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const ordered: Deployment = { chainId: d.chainId, workLedger: d.workLedger, revenueLedger: d.revenueLedger, token: d.token, fromBlock: d.fromBlock };
  fs.writeFileSync(file, JSON.stringify(ordered, null, 2) + "\n");
}

/**
 * Checks a deployment against a provider: same chainId, and WorkLedger code at its address (a
 * restarted `hardhat node` has none). `what` names the deployment in the message (e.g. its file).
 */
export async function assertDeployment(provider: Provider, d: Pick<Deployment, "chainId" | "workLedger">, what = "the deployment"): Promise<void> {
  const chainId = (await provider.getNetwork()).chainId;
  if (chainId !== BigInt(d.chainId)) throw new ChainMismatchError(`${what} is for chain ${d.chainId} but the RPC endpoint is chain ${chainId}`);
  if ((await provider.getCode(d.workLedger)) === "0x") {
    throw new InvalidInputError(`no WorkLedger contract at ${d.workLedger} on chain ${chainId}: was the node restarted? redeploy with \`workledger deploy\``);
  }
}

/** Gas of `setRevenueLedger` as measured on Hardhat (shown by a dry run, where it cannot be simulated). */
export const WIRING_GAS = 48_926n;

/** One contract creation (or the wiring call after them), planned or done. */
export interface Creation {
  name: string;
  address: string;
  gasEstimate: bigint;
  txHash?: string;
  blockNumber?: number;
}

/** What {@link deployContracts} did. */
export interface DeployResult {
  deployment: Deployment;
  creations: Creation[];
}

/** Options of {@link deployContracts}. */
export interface DeployOptions extends SendOptions {
  /** Payment token; default: deploy a MockStablecoin (test token). */
  token?: string;
  /** Protocol admin of the RevenueLedger (default: the deployer). */
  protocolAdmin?: string;
}

/**
 * Deploys WorkLedger, RevenueLedger and (unless `token`) a MockStablecoin from `signer`, then wires
 * them (`WorkLedger.setRevenueLedger`, once: bonds live in the RevenueLedger's books), with explicit
 * nonces (works with wallets and unlocked node accounts alike). With dryRun, estimates each creation
 * at its predicted address and sends nothing.
 *
 * @example
 * const { deployment } = await deployContracts(signer);
 * writeDeploymentFile("deployment.json", deployment);
 */
export async function deployContracts(signer: Signer, options: DeployOptions = {}): Promise<DeployResult> {
  const provider = signer.provider;
  if (!provider) throw new WorkLedgerError("the signer has no provider");
  const dryRun = Boolean(options.dryRun);
  const from = await signer.getAddress();
  const chainId = (await provider.getNetwork()).chainId;
  if (options.token !== undefined && (await provider.getCode(options.token)) === "0x") throw new InvalidInputError(`token ${options.token} has no contract code on chain ${chainId}`);
  let nonce = await provider.getTransactionCount(from, "pending");
  const creations: Creation[] = [];
  let fromBlock = Number.MAX_SAFE_INTEGER;
  const create = async (name: string, factory: ContractFactory, args: unknown[]): Promise<string> => {
    const tx = await factory.getDeployTransaction(...args);
    const address = getCreateAddress({ from, nonce });
    let gasEstimate: bigint;
    try {
      gasEstimate = await provider.estimateGas({ ...tx, from });
    } catch (e) {
      throw decodeRevert(e);
    }
    const c: Creation = { name, address, gasEstimate };
    creations.push(c);
    if (!dryRun) {
      let receipt;
      try {
        receipt = await (await signer.sendTransaction({ ...tx, nonce, gasLimit: (gasEstimate * 12n) / 10n })).wait();
      } catch (e) {
        throw decodeRevert(e);
      }
      if (!receipt || receipt.status !== 1) throw new WorkLedgerError(`deploying ${name} failed`, { code: "E_REVERT" });
      c.txHash = receipt.hash;
      c.blockNumber = receipt.blockNumber;
      fromBlock = Math.min(fromBlock, receipt.blockNumber);
    }
    nonce += 1;
    return address;
  };
  const wire = async (workLedger: string, revenueLedger: string): Promise<void> => {
    const data = WorkLedger__factory.createInterface().encodeFunctionData("setRevenueLedger", [revenueLedger]);
    const name = "WorkLedger.setRevenueLedger";
    if (dryRun) {
      // The contracts do not exist in a dry run, so this call cannot be simulated: its measured gas is shown.
      creations.push({ name, address: workLedger, gasEstimate: WIRING_GAS });
      return;
    }
    let gasEstimate: bigint;
    let receipt;
    try {
      gasEstimate = await provider.estimateGas({ from, to: workLedger, data });
      receipt = await (await signer.sendTransaction({ to: workLedger, data, nonce, gasLimit: (gasEstimate * 12n) / 10n + 10_000n })).wait();
    } catch (e) {
      throw decodeRevert(e);
    }
    if (!receipt || receipt.status !== 1) throw new WorkLedgerError("wiring the RevenueLedger into the WorkLedger failed", { code: "E_REVERT" });
    creations.push({ name, address: workLedger, gasEstimate, txHash: receipt.hash, blockNumber: receipt.blockNumber });
    nonce += 1;
  };
  const workLedger = await create("WorkLedger", new WorkLedger__factory(), []);
  // RevenueLedger's constructor only stores the WorkLedger address, so a dry run can estimate it too.
  const revenueLedger = await create("RevenueLedger", new RevenueLedger__factory(), [workLedger, options.protocolAdmin ?? from]);
  const token = options.token ?? (await create("MockStablecoin", new MockStablecoin__factory(), []));
  // Wiring (#13, rule 5): the WorkLedger's deployer records its RevenueLedger once, so bonds can be held.
  await wire(workLedger, revenueLedger);
  if (dryRun) fromBlock = (await provider.getBlockNumber()) + 1;
  return { deployment: { chainId: Number(chainId), workLedger, revenueLedger, token, fromBlock }, creations };
}
