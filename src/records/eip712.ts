/**
 * EIP-712 typed data of WorkLedger (epoch commits, verifier-set rotations) and RevenueLedger (billing
 * statements, payout roots, billing authorizations). The type strings are the
 * contract's exactly (contracts/libraries/TypeHashes.sol); test/contracts pins that the hashes are equal.
 */
import { TypedDataDomain, TypedDataField, keccak256, toUtf8Bytes } from "ethers";

export const EIP712_DOMAIN_NAME = "WorkLedger";
export const EIP712_DOMAIN_VERSION = "1";

/** The struct verifiers sign for an epoch version (work summary + usage words). */
export const EPOCH_COMMIT_TYPE =
  "EpochCommit(uint256 networkId,uint64 epoch,uint32 version,bytes32 root,uint64 recordCount,uint64 activeNodes,uint128 totalWorkUnits,uint128 totalRevenue,bytes32 dataHash,bytes32 usageRoot,uint64 usageCount,uint128 totalUsage)";

export const EPOCH_COMMIT_TYPEHASH = keccak256(toUtf8Bytes(EPOCH_COMMIT_TYPE));

/** ethers' `types` argument for signTypedData / verifyTypedData of an EpochCommit. */
export const EPOCH_COMMIT_TYPES: Record<string, TypedDataField[]> = {
  EpochCommit: [
    { name: "networkId", type: "uint256" },
    { name: "epoch", type: "uint64" },
    { name: "version", type: "uint32" },
    { name: "root", type: "bytes32" },
    { name: "recordCount", type: "uint64" },
    { name: "activeNodes", type: "uint64" },
    { name: "totalWorkUnits", type: "uint128" },
    { name: "totalRevenue", type: "uint128" },
    { name: "dataHash", type: "bytes32" },
    { name: "usageRoot", type: "bytes32" },
    { name: "usageCount", type: "uint64" },
    { name: "totalUsage", type: "uint128" },
  ],
};

/**
 * The struct k of the current verifiers sign to install the next verifier set: verifierSetId is the new
 * set's id (current + 1), so one signature serves one rotation only.
 */
export const VERIFIER_ROTATION_TYPE = "VerifierRotation(uint256 networkId,uint32 verifierSetId,address[] verifiers,uint8 threshold)";

export const VERIFIER_ROTATION_TYPEHASH = keccak256(toUtf8Bytes(VERIFIER_ROTATION_TYPE));

/** ethers' `types` argument for signTypedData / verifyTypedData of a VerifierRotation. */
export const VERIFIER_ROTATION_TYPES: Record<string, TypedDataField[]> = {
  VerifierRotation: [
    { name: "networkId", type: "uint256" },
    { name: "verifierSetId", type: "uint32" },
    { name: "verifiers", type: "address[]" },
    { name: "threshold", type: "uint8" },
  ],
};

/** The domain of a WorkLedger deployment: binds the chain and the contract. */
export function workLedgerDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: EIP712_DOMAIN_NAME, version: EIP712_DOMAIN_VERSION, chainId, verifyingContract };
}

/*
 * RevenueLedger (billing statements, payout roots, billing authorizations). Domain: name "RevenueLedger",
 * version "1", the chain id and the RevenueLedger's address. Type strings are the contract's exactly
 * (contracts/libraries/TypeHashes.sol); test/contracts pins that the hashes are equal.
 */
export const REVENUE_DOMAIN_NAME = "RevenueLedger";
export const REVENUE_DOMAIN_VERSION = "1";

/** The billing statement k of a network's current verifiers sign (DESIGN rule 9, fixed). */
export const BILLING_STATEMENT_TYPE =
  "BillingStatement(uint256 networkId,address customer,uint64 fromEpoch,uint64 toEpoch,uint256 amount,bytes32 usageHash)";

export const BILLING_STATEMENT_TYPEHASH = keccak256(toUtf8Bytes(BILLING_STATEMENT_TYPE));

/** ethers' `types` argument for signTypedData / verifyTypedData of a BillingStatement. */
export const BILLING_STATEMENT_TYPES: Record<string, TypedDataField[]> = {
  BillingStatement: [
    { name: "networkId", type: "uint256" },
    { name: "customer", type: "address" },
    { name: "fromEpoch", type: "uint64" },
    { name: "toEpoch", type: "uint64" },
    { name: "amount", type: "uint256" },
    { name: "usageHash", type: "bytes32" },
  ],
};

/** The cumulative payout root k of a network's current verifiers sign (throughEpoch rises with every root). */
export const PAYOUT_ROOT_TYPE = "PayoutRoot(uint256 networkId,bytes32 root,uint64 throughEpoch,uint256 total,bytes32 dataHash)";

export const PAYOUT_ROOT_TYPEHASH = keccak256(toUtf8Bytes(PAYOUT_ROOT_TYPE));

/** ethers' `types` argument for signTypedData / verifyTypedData of a PayoutRoot. */
export const PAYOUT_ROOT_TYPES: Record<string, TypedDataField[]> = {
  PayoutRoot: [
    { name: "networkId", type: "uint256" },
    { name: "root", type: "bytes32" },
    { name: "throughEpoch", type: "uint64" },
    { name: "total", type: "uint256" },
    { name: "dataHash", type: "bytes32" },
  ],
};

/** Leaf encoding of a cumulative payout root (DESIGN "Data model", fixed): (nodeId, operator, cumulativeAmount). */
export const CUMULATIVE_PAYOUT_LEAF_ENCODING = ["bytes32", "address", "uint256"] as const;

/** A customer's signed billing authorization (capPerEpoch 0 revokes; nonce = RevenueLedger.billing(...).nonce). */
export const BILLING_AUTHORIZATION_TYPE =
  "BillingAuthorization(uint256 networkId,address customer,uint128 capPerEpoch,uint64 expiry,uint256 nonce,uint256 deadline)";

export const BILLING_AUTHORIZATION_TYPEHASH = keccak256(toUtf8Bytes(BILLING_AUTHORIZATION_TYPE));

/** ethers' `types` argument for signTypedData / verifyTypedData of a BillingAuthorization. */
export const BILLING_AUTHORIZATION_TYPES: Record<string, TypedDataField[]> = {
  BillingAuthorization: [
    { name: "networkId", type: "uint256" },
    { name: "customer", type: "address" },
    { name: "capPerEpoch", type: "uint128" },
    { name: "expiry", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The domain of a RevenueLedger deployment: binds the chain and the contract. */
export function revenueLedgerDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: REVENUE_DOMAIN_NAME, version: REVENUE_DOMAIN_VERSION, chainId, verifyingContract };
}
