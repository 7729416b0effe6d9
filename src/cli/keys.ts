/**
 * Signing keys: an ethers encrypted JSON keystore (`--keystore FILE`, password from
 * WORKLEDGER_KEYSTORE_PASSWORD or a hidden prompt on a TTY) or WORKLEDGER_PRIVATE_KEY.
 * A key is never printed, logged or written unencrypted.
 */
import fs from "fs";
import path from "path";
import { Provider, Wallet } from "ethers";

import { InvalidInputError, WorkLedgerError } from "../index";

export const PRIVATE_KEY_ENV = "WORKLEDGER_PRIVATE_KEY";
export const KEYSTORE_PASSWORD_ENV = "WORKLEDGER_KEYSTORE_PASSWORD";

/** Where a key comes from. */
export interface KeySource {
  keystore?: string;
}

/** Read a password from the TTY without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new InvalidInputError(`no keystore password: set ${KEYSTORE_PASSWORD_ENV} (stdin is not a terminal)`);
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return done();
        if (ch === "\u0003") return done(new InvalidInputError("password prompt cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function keystorePassword(): Promise<string> {
  const env = process.env[KEYSTORE_PASSWORD_ENV];
  if (env !== undefined) return env;
  return promptHidden("keystore password: ");
}

/** Decrypt an ethers JSON keystore file. */
export async function loadKeystore(file: string, password?: string): Promise<Wallet> {
  let json: string;
  try {
    json = fs.readFileSync(file, "utf8");
  } catch {
    throw new InvalidInputError(`keystore file not found: ${file}`);
  }
  const pw = password ?? (await keystorePassword());
  try {
    const w = await Wallet.fromEncryptedJson(json, pw);
    return new Wallet(w.privateKey);
  } catch (e) {
    const msg = (e as Error).message ?? "";
    if (/password/i.test(msg)) throw new InvalidInputError(`wrong password for keystore ${file}`);
    throw new InvalidInputError(`keystore ${file} is not a valid encrypted JSON keystore`);
  }
}

/** A wallet from WORKLEDGER_PRIVATE_KEY, or null if unset. */
export function walletFromEnv(): Wallet | null {
  const raw = process.env[PRIVATE_KEY_ENV];
  if (raw === undefined || raw === "") return null;
  const key = raw.trim().startsWith("0x") ? raw.trim() : `0x${raw.trim()}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new InvalidInputError(`${PRIVATE_KEY_ENV} must be 32 bytes of hex (the value is not shown)`);
  try {
    return new Wallet(key);
  } catch {
    throw new InvalidInputError(`${PRIVATE_KEY_ENV} is not a valid secp256k1 private key (the value is not shown)`);
  }
}

/** The signing key for a command: --keystore, else WORKLEDGER_PRIVATE_KEY, else a one-line error. */
export async function loadSigner(src: KeySource, provider?: Provider): Promise<Wallet> {
  let wallet: Wallet | null;
  if (src.keystore) wallet = await loadKeystore(src.keystore);
  else wallet = walletFromEnv();
  if (!wallet) throw new InvalidInputError(`no signing key: pass --keystore FILE or set ${PRIVATE_KEY_ENV}`);
  return provider ? wallet.connect(provider) : wallet;
}

/** Encrypt a new random key (or WORKLEDGER_PRIVATE_KEY when `fromEnv`) into `file` (mode 0600). */
export async function createKeystore(file: string, password: string, fromEnv: boolean): Promise<string> {
  if (fs.existsSync(file)) throw new InvalidInputError(`refusing to overwrite existing file ${file}`);
  if (password.length === 0) throw new InvalidInputError(`empty keystore password: set ${KEYSTORE_PASSWORD_ENV}`);
  const wallet = fromEnv ? walletFromEnv() : Wallet.createRandom();
  if (!wallet) throw new InvalidInputError(`--from-env given but ${PRIVATE_KEY_ENV} is not set`);
  const json = await wallet.encrypt(password);
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, json, { mode: 0o600 });
  } catch (e) {
    throw new WorkLedgerError(`cannot write keystore ${file}: ${(e as Error).message}`);
  }
  return wallet.address;
}
