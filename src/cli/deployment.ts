/**
 * The deployment file (`deployment.json`, **fixed** name and fields): which contracts on which chain.
 */
import fs from "fs";
import path from "path";
import { getAddress, isAddress } from "ethers";

import { InvalidInputError } from "../errors";
import { Chain, assertChainId } from "./chain";

/** `{ chainId, workLedger, revenueLedger, token, fromBlock }`. */
export interface Deployment {
  chainId: number;
  workLedger: string;
  revenueLedger: string;
  token: string;
  fromBlock: number;
}

/** Default `--deployment`: `$WORKLEDGER_DEPLOYMENT` or ./deployment.json. */
export function defaultDeploymentPath(): string {
  return process.env.WORKLEDGER_DEPLOYMENT || "deployment.json";
}

/** Parse and validate a deployment file; one-line errors naming the file and field. */
export function readDeployment(file: string): Deployment {
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
  return {
    chainId: int("chainId"),
    workLedger: addr("workLedger"),
    revenueLedger: addr("revenueLedger"),
    token: addr("token"),
    fromBlock: int("fromBlock"),
  };
}

/** Write a deployment file (creating its directory). */
export function writeDeployment(file: string, d: Deployment): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const ordered: Deployment = {
    chainId: d.chainId,
    workLedger: d.workLedger,
    revenueLedger: d.revenueLedger,
    token: d.token,
    fromBlock: d.fromBlock,
  };
  fs.writeFileSync(file, JSON.stringify(ordered, null, 2) + "\n");
}

/**
 * Check a deployment against a chain: same chainId, and contract code at the ledger address
 * (a restarted `hardhat node` has none).
 */
export async function checkDeployment(chain: Chain, d: Deployment, file: string): Promise<void> {
  assertChainId(chain, BigInt(d.chainId), `deployment file ${file}`);
  const code = await chain.provider.getCode(d.workLedger);
  if (code === "0x") {
    throw new InvalidInputError(`no WorkLedger contract at ${d.workLedger} on chain ${chain.chainId} (${chain.url}): was the node restarted? redeploy with \`workledger deploy\``);
  }
}
